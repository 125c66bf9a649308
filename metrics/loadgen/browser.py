"""One real Chromium session alongside the generated ones: does it see the same pages?

Debian's Chromium (``/usr/bin/chromium``) driven by Playwright, at the same pace as
the generated people: it opens the dashboard, then follows sidebar links. For every
page it records the title (the main area's h1), the h1-h3 headings, the exception
boxes (``stException``) and error boxes (``stAlertContentError``), and how long the
page took to be ready (connected, script not running, title drawn, no skeleton).
``compare`` then checks each page's title and error boxes against what the protocol
sessions received for the same page.

Playwright is a test dependency: without it, or without the browser, the check is
skipped with the reason.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from metrics.loadgen.people import Pace, Visit

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               "--disable-dev-shm-usage"]
READY = """(title) => {
    const app = document.querySelector("[data-testid='stApp']");
    if (!app || app.dataset.testConnectionState !== 'CONNECTED'
        || app.dataset.testScriptState !== 'notRunning') return false;
    if (document.querySelector("[data-testid='stSkeleton']")) return false;
    const heading = document.querySelector("[data-testid='stMain'] h1");
    return !!heading && (title === null || heading.innerText.trim() === title);
}"""
SEEN = """() => {
    const main = document.querySelector("[data-testid='stMain']");
    const h1 = main.querySelector("h1");
    return {
        title: h1 ? h1.innerText.trim() : "",
        headings: Array.from(main.querySelectorAll("h1, h2, h3"))
            .map(h => h.innerText.trim()).filter(t => t.length > 0),
        exceptions: document.querySelectorAll("[data-testid='stException']").length,
        error_boxes: document.querySelectorAll("[data-testid='stAlertContentError']").length,
    };
}"""


@dataclass
class BrowserPage:
    name: str  # the navigation's title of the page asked for
    seconds: float
    title: str = ""
    headings: list[str] = field(default_factory=list)
    exceptions: int = 0
    error_boxes: int = 0
    failure: str = ""  # a timeout or a browser error, by kind


def unavailable() -> str:
    """Why the browser check cannot run here, or '' when it can."""
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM}"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return ""


async def browse(url: str, page_names: list[str], pace: Pace,
                 timeout_s: float = 120.0) -> list[BrowserPage]:
    """Open the dashboard in Chromium and follow the sidebar to each named page in
    turn, reading each for ``pace.read_s`` seconds, until ``pace.duration_s``."""
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    rng = random.Random(f"{pace.seed}-browser")
    seen: list[BrowserPage] = []
    started = time.monotonic()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                          args=LAUNCH_ARGS)
        try:
            context = await browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(timeout_s * 1000)
            tab = await context.new_page()
            for i, name in enumerate([None, *page_names]):
                if i > 0:
                    reading = rng.uniform(*pace.read_s)
                    if time.monotonic() - started + reading > pace.duration_s:
                        break
                    await asyncio.sleep(reading)
                began = time.perf_counter()
                try:
                    if name is None:
                        await tab.goto(url, wait_until="commit")
                    else:
                        await tab.locator("[data-testid='stSidebarNav']").get_by_role(
                            "link", name=name, exact=True).click()
                    await tab.wait_for_function(READY, arg=name, timeout=timeout_s * 1000,
                                                polling=100)
                    state = await tab.evaluate(SEEN)
                    seen.append(BrowserPage(name=name or state["title"],
                                            seconds=time.perf_counter() - began, **state))
                except PlaywrightError as exc:
                    kind = "timeout" if "Timeout" in type(exc).__name__ else "browser_error"
                    seen.append(BrowserPage(name=name or "(first page)",
                                            seconds=time.perf_counter() - began,
                                            failure=kind))
                    break
        finally:
            await browser.close()
    return seen


def compare(browser_pages: list[BrowserPage], visits: list[Visit]) -> dict:
    """Check each page Chromium drew against the protocol sessions' runs of that page:
    the same title, no error boxes in either; and the headings, where a protocol run
    of the page used the default filters (no query string), as Chromium does."""
    by_page: dict[str, list[Visit]] = {}
    for visit in visits:
        if visit.run.page is not None:
            by_page.setdefault(visit.run.page.name, []).append(visit)
    pages = []
    for page in browser_pages:
        runs = by_page.get(page.name, [])
        default_runs = [v.run for v in runs if not v.run.query_string and v.run.ok]
        pages.append({
            "page": page.name,
            "browser_seconds": round(page.seconds, 3),
            "browser_title": page.title,
            "browser_errors": page.exceptions + page.error_boxes,
            "browser_failure": page.failure,
            "protocol_runs": len(runs),
            "protocol_titles": sorted({v.run.title for v in runs}),
            "title_matches": not page.failure and page.title == page.name
            and all(v.run.title == page.name for v in runs),
            "headings_compared": bool(default_runs),
            "headings_match": (None if not default_runs else
                               all(run.headings == page.headings for run in default_runs)),
        })
    return {
        "pages": pages,
        "all_titles_match": bool(pages) and all(p["title_matches"] for p in pages),
        "browser_errors": sum(p["browser_errors"] for p in pages),
        "browser_failures": [p["browser_failure"] for p in pages if p["browser_failure"]],
    }
