"""Many browser sessions at once against one real `hubvalue serve`.

Each session is its own Playwright browser context (its own cookies and WebSocket):
it opens the dashboard (a new session: the scorecard) and then moves through the
other pages by the sidebar links, as a user does. All sessions start together. A
page counts as loaded when the app is connected, its script has finished, the page's
title is drawn and no placeholder is left. The test reports page-load p50/p95 and the
server's resident memory (the `hubvalue serve` process and its Streamlit child) before,
at its peak and after, and writes them to artifacts/load/.

It also reports the time after the WebSocket connected (the server's part and the
drawing, without the frontend's start-up) and the server's CPU seconds per page.

All of it is marked slow (load runs, not in `make test`; `make test-all` runs them):
10 sessions x 2 pages on a small hub, in under a minute; 25 sessions x 4 pages on the
1M-referral warehouse when present (else a 100k hub), three rounds, to show memory does not
grow with each round; a meeting of ten on the big warehouse.

Ten Chromium processes on two cores measure the browsers more than the server, so the
page-time target for many people (p95 under 1 s for 10, no error at 50) is measured
with the load generator instead (metrics/loadgen: sessions over Streamlit's own
WebSocket protocol, one real Chromium alongside; tests/test_loadgen.py and
docs/scaling.md, "Many people at once"). This file keeps what only browsers show: the
time a person waits, with the frontend's start-up and drawing.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "artifacts" / "load"
# The 1M-referral warehouse `make bench` leaves behind, when it exists.
BIG_WAREHOUSE = ROOT / "bench" / "warehouses" / "n1000000-s42-parquet.duckdb"
# (address, title) in the order a session visits them
ROUTE = [("", "Public value scorecard"), ("methods", "Methods"),
         ("wellbeing", "Victim wellbeing"), ("operations", "Hub operations")]
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               "--disable-dev-shm-usage"]
CONNECTED = "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
READY = """(title) => {
    const app = document.querySelector("[data-testid='stApp']");
    if (!app || app.dataset.testConnectionState !== 'CONNECTED'
        || app.dataset.testScriptState !== 'notRunning') return false;
    if (document.querySelector("[data-testid='stSkeleton']")) return false;
    const heading = document.querySelector("[data-testid='stMain'] h1");
    return !!heading && heading.innerText.trim() === title;
}"""

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium",
                allow_module_level=True)
async_api = pytest.importorskip("playwright.async_api",
                                reason="the playwright package is not installed")
psutil = pytest.importorskip("psutil")

from metrics.loadgen.server import (  # noqa: E402
    PeakMemory,
    cpu_seconds,
    machine_busy_seconds,
    rss_bytes,
    served,
)


@dataclass
class Pace:
    """How people in a meeting use the dashboard, rather than all clicking at one instant:
    each arrives at a random moment within ``arrive_within_s`` and reads a page for
    ``read_s`` (low, high) seconds before following the next link. Seeded: repeatable."""

    arrive_within_s: float
    read_s: tuple[float, float]
    seed: int = 7

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def arrival(self) -> float:
        return self._random.uniform(0, self.arrive_within_s)

    def reading(self) -> float:
        return self._random.uniform(*self.read_s)


async def one_session(browser, url: str, pages: int, timeout_ms: float,
                      pace: Pace | None = None) -> list[dict]:
    """One user: open the app, then follow the sidebar links; the time of each page.
    With a ``pace``, the user arrives after a delay and reads each page before the next."""
    if pace is not None:
        await asyncio.sleep(pace.arrival())
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(timeout_ms)
    tab = await context.new_page()
    loads = []
    try:
        for i, (address, title) in enumerate(ROUTE[:pages]):
            if pace is not None and i > 0:
                await asyncio.sleep(pace.reading())
            started = time.perf_counter()
            if i == 0:
                await tab.goto(f"{url}/{address}", wait_until="commit")
                await tab.wait_for_selector(CONNECTED, timeout=timeout_ms)
            else:
                await tab.locator("[data-testid='stSidebarNav']").get_by_role(
                    "link", name=title).click()
            connected = time.perf_counter()
            await tab.wait_for_function(READY, arg=title, timeout=timeout_ms, polling=100)
            ready = time.perf_counter()
            errors = await tab.locator("[data-testid='stException']").count()
            loads.append({"page": address or "scorecard", "first": i == 0,
                          "seconds": ready - started,
                          "after_connect": ready - connected, "errors": errors})
    finally:
        await context.close()
    return loads


async def many_sessions(url: str, sessions: int, pages: int, timeout_ms: float,
                        pace: Pace | None = None) -> list[dict]:
    async with async_api.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                          args=LAUNCH_ARGS)
        try:
            results = await asyncio.gather(*(
                one_session(browser, url, pages, timeout_ms, pace) for _ in range(sessions)))
        finally:
            await browser.close()
    return [load for session in results for load in session]


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 20 values is the 19th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def run_load(db: Path, sessions: int, pages: int, rounds: int, label: str,
             timeout_ms: float, pace: Pace | None = None) -> dict:
    figures = {"label": label, "warehouse": db.name, "sessions": sessions, "pages": pages,
               "pace": None if pace is None else {"arrive_within_s": pace.arrive_within_s,
                                                  "read_s": list(pace.read_s)},
               "rounds": []}
    with served(db) as (url, pid):
        # one warm-up session: the server's caches and the first snapshot exist
        asyncio.run(many_sessions(url, 1, 1, timeout_ms))
        time.sleep(1.0)
        figures["rss_before_mb"] = rss_bytes(pid) / 2**20
        for _ in range(rounds):
            cpu_before = cpu_seconds(pid)
            machine_before = machine_busy_seconds()
            with PeakMemory(pid) as peak:
                started = time.perf_counter()
                loads = asyncio.run(many_sessions(url, sessions, pages, timeout_ms, pace))
                wall = time.perf_counter() - started
            cpu = cpu_seconds(pid) - cpu_before
            machine_busy = machine_busy_seconds() - machine_before
            time.sleep(2.0)
            seconds = [load["seconds"] for load in loads]
            after_connect = [load["after_connect"] for load in loads]
            # a session's first page (the frontend starts) and its moves by the sidebar
            opened = [load["seconds"] for load in loads if load["first"]]
            moved = [load["seconds"] for load in loads if not load["first"]] or [math.nan]
            figures["rounds"].append({
                "page_loads": len(loads),
                "errors": sum(load["errors"] for load in loads),
                "p50_s": statistics.median(seconds),
                "p95_s": percentile(seconds, 0.95),
                "max_s": max(seconds),
                "first_page_p50_s": statistics.median(opened),
                "first_page_p95_s": percentile(opened, 0.95),
                "sidebar_p50_s": statistics.median(moved),
                "sidebar_p95_s": percentile(moved, 0.95),
                "after_connect_p50_s": statistics.median(after_connect),
                "after_connect_p95_s": percentile(after_connect, 0.95),
                "server_cpu_s_per_page": cpu / len(loads),
                # all cores' busy seconds during the round, of wall x cores available: the
                # rest of the busy time is the browsers (and this test driving them)
                "machine_busy_s": machine_busy,
                "machine_available_s": wall * (psutil.cpu_count() or 1),
                "server_cpu_s": cpu,
                "wall_s": wall,
                "rss_peak_mb": peak.peak / 2**20,
                "rss_after_mb": rss_bytes(pid) / 2**20,
            })
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"browser_load_{label}.json").write_text(json.dumps(figures, indent=2))
    for i, r in enumerate(figures["rounds"], start=1):
        print(f"\nload {label} round {i}: {sessions} sessions x {pages} pages = "
              f"{r['page_loads']} page loads in {r['wall_s']:.1f} s; p50 {r['p50_s']:.2f} s, "
              f"p95 {r['p95_s']:.2f} s, max {r['max_s']:.2f} s (after the WebSocket "
              f"connected: p50 {r['after_connect_p50_s']:.2f} s, p95 "
              f"{r['after_connect_p95_s']:.2f} s; first page p50 {r['first_page_p50_s']:.2f} s, "
              f"p95 {r['first_page_p95_s']:.2f} s; by the sidebar p50 {r['sidebar_p50_s']:.2f} s, "
              f"p95 {r['sidebar_p95_s']:.2f} s); server CPU "
              f"{r['server_cpu_s_per_page']:.2f} s per page ({r['server_cpu_s']:.1f} s of the "
              f"machine's {r['machine_busy_s']:.1f} busy CPU-s, of {r['machine_available_s']:.0f} "
              f"available); server RSS before "
              f"{figures['rss_before_mb']:.0f} MB, peak {r['rss_peak_mb']:.0f} MB, after "
              f"{r['rss_after_mb']:.0f} MB")
    return figures


@pytest.fixture(scope="module")
def small_hub(tmp_path_factory) -> Path:
    """A small synthetic hub: 3,000 referrals over 24 months."""
    from metrics.build import build
    from metrics.generate import generate

    folder = tmp_path_factory.mktemp("load")
    generate(folder / "extract", referrals=3000, seed=5, end="2026-09", quiet=True)
    return build(folder / "extract", folder / "warehouse.duckdb", threads=1).db_path


@pytest.mark.slow  # a multi-session load run: `make test-all`
def test_ten_sessions_load_two_pages_each(small_hub):
    started = time.perf_counter()
    figures = run_load(small_hub, sessions=10, pages=2, rounds=1, label="ci",
                       timeout_ms=45_000)
    [result] = figures["rounds"]
    assert result["page_loads"] == 20
    assert result["errors"] == 0
    # Ten Chromium contexts and the server share this machine's two cores: most of a
    # first load is the browser compiling Streamlit's frontend. The bounds are loose
    # enough for a busy CI machine and catch a server that stalls or serialises pages.
    assert result["p95_s"] < 90
    # the server's own work per page is small; this catches a server-side regression
    # whatever the browsers cost
    assert result["server_cpu_s_per_page"] < 2.0
    # ten sessions must not cost the server more than 400 MB on top of one session
    assert result["rss_after_mb"] - figures["rss_before_mb"] < 400
    assert time.perf_counter() - started < 180


@pytest.mark.slow
def test_many_sessions_in_rounds_keep_memory_bounded(tmp_path_factory):
    if BIG_WAREHOUSE.exists():
        db = BIG_WAREHOUSE
    else:
        from metrics.build import build
        from metrics.generate import generate

        folder = tmp_path_factory.mktemp("load_big")
        generate(folder / "extract", referrals=100_000, seed=5, end="2026-09", quiet=True)
        db = build(folder / "extract", folder / "warehouse.duckdb").db_path
    figures = run_load(db, sessions=25, pages=4, rounds=3, label="slow",
                       timeout_ms=180_000)
    rounds = figures["rounds"]
    assert all(r["errors"] == 0 and r["page_loads"] == 100 for r in rounds)
    # the second and third rounds reuse the caches: memory grows by far less than a
    # round's worth (sessions of earlier rounds expire; results are cached once)
    first_growth = rounds[0]["rss_after_mb"] - figures["rss_before_mb"]
    later_growth = rounds[-1]["rss_after_mb"] - rounds[0]["rss_after_mb"]
    assert later_growth < max(first_growth, 100)


@pytest.mark.slow
def test_a_meeting_of_ten_on_the_big_warehouse():
    """Ten people in a monthly meeting, each on their own session: they open the dashboard
    within 20 s of each other and read each page 5 to 15 s before the next. Reports the
    page loads a person waits for; their browsers share this machine's two cores with the
    server, as they would not in a meeting."""
    if not BIG_WAREHOUSE.exists():
        pytest.skip("run `make bench` first: it leaves the 1M-referral warehouse")
    figures = run_load(BIG_WAREHOUSE, sessions=10, pages=4, rounds=1, label="meeting",
                       timeout_ms=120_000, pace=Pace(arrive_within_s=20, read_s=(5, 15)))
    [result] = figures["rounds"]
    assert result["errors"] == 0 and result["page_loads"] == 40
