"""The Working together page in a real browser: Debian's Chromium driven by Playwright
against a real `hubvalue serve` on a free port (manager and pcc). Every tab loads without
an error element and draws its charts (the flow as a Sankey); screenshots go to
artifacts/screenshots/ (look at them).

Skipped, with the reason, when /usr/bin/chromium or the playwright package is missing.
"""

from __future__ import annotations

import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.serve_support import free_port, running, serve_command

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
TABS = ["Flow between agencies", "No wrong door", "Cases shared", "Listened to",
        "Outcomes by agencies involved", "By area"]

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip(
        "Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )
playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """A small synthetic hub: 2,000 referrals over 24 months."""
    from metrics.build import build
    from metrics.generate import generate

    folder = tmp_path_factory.mktemp("together_hub")
    generate(folder / "extract", referrals=2000, seed=3, end="2026-09", quiet=True)
    return build(folder / "extract", folder / "warehouse.duckdb").db_path


@pytest.fixture(scope="module", params=["manager", "pcc"])
def served(request, warehouse):
    port = free_port()
    with running(serve_command(warehouse, request.param, port), port) as (url, _process):
        yield request.param, url


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    yield tab
    context.close()


def wait_for_app(tab, timeout: float = 60_000) -> None:
    tab.wait_for_selector(
        "[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout)
    tab.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)


def wait_for_charts(tab, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        charts = tab.locator("[data-testid='stPlotlyChart']").count()
        drawn = tab.locator("[data-testid='stPlotlyChart'] .js-plotly-plot .main-svg").count()
        if charts and drawn >= charts:
            return charts
        time.sleep(0.2)
    return tab.locator("[data-testid='stPlotlyChart'] .js-plotly-plot").count()


def test_every_tab_loads_and_draws(page, served):
    """Each tab, opened by its address as a reader's shared link would, draws its charts
    with no exception; the first tab's flow is a Sankey. One browser page serves every
    tab (a screenshot of the first tab only, for the record)."""
    audience, url = served
    for tab_name in TABS:
        query = urllib.parse.urlencode({"working_together_section": tab_name})
        page.goto(f"{url}/working_together?{query}")
        wait_for_app(page)
        assert page.locator("[data-testid='stException']").count() == 0, tab_name
        assert page.get_by_role("heading", name="Working together", exact=True).count() >= 1
        assert wait_for_charts(page) > 0, tab_name
        if tab_name == TABS[0]:
            assert page.locator(".js-plotly-plot .sankey").count() == 1
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{audience}_working_together.png"))
