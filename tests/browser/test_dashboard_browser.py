"""The dashboard in a real browser: Debian's Chromium driven by Playwright against a real
`hubvalue serve` on a free port. Every page loads without an error element and draws its
charts; a data download works; a shared URL restores the filters. A screenshot of each
page goes to artifacts/screenshots/ (look at them).

Skipped, with the reason, when /usr/bin/chromium or the playwright package is missing.
Playwright's own browser download is never used.
"""

from __future__ import annotations

import csv
import io
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = {
    "scorecard": "Public value scorecard",
    "wellbeing": "Victim wellbeing",
    "prevention": "Prevention",
    "nhs_demand": "NHS demand",
    "value_for_money": "Value for money",
    "operations": "Hub operations",
    "equity": "Equity and reach",
    "data_quality": "Data quality",
    "methods": "Methods",
}
WITHOUT_CHARTS = {"methods", "scorecard", "data_quality"}

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip(
        "Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )
playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)


def path(stem: str) -> str:
    """The page's address: the scorecard is the default page, at the root."""
    return "" if stem == "scorecard" else stem


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def warehouse(demo_warehouse) -> Path:
    """The demo hub `make run` serves (tests/conftest.py): 20,000 referrals over 36 months."""
    return demo_warehouse


def serve(db: Path, audience: str):
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "metrics.cli",
            "serve",
            "--db",
            str(db),
            "--port",
            str(port),
            "--audience",
            audience,
            "--headless",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.read() == b"ok":
                    return process, url
        except OSError:
            time.sleep(0.25)
    process.send_signal(signal.SIGTERM)
    pytest.fail("the dashboard did not start within 30 seconds")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def manager_url(warehouse):
    process, url = serve(warehouse, "manager")
    yield url
    stop(process)


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    tab = context.new_page()
    yield tab
    context.close()


def wait_for_app(tab, timeout: float = 60_000) -> None:
    tab.wait_for_selector(
        "[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout
    )
    tab.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout
    )
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        if tab.locator("[data-testid='stSkeleton']").count() == 0:
            break
        time.sleep(0.1)


def wait_for_charts(tab, timeout: float = 30.0) -> int:
    """Wait until every Plotly chart on the page has drawn; return how many there are."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        charts = tab.locator("[data-testid='stPlotlyChart']").count()
        drawn = tab.locator("[data-testid='stPlotlyChart'] .js-plotly-plot .main-svg").count()
        if charts and drawn >= charts:
            return charts
        time.sleep(0.2)
    return tab.locator("[data-testid='stPlotlyChart'] .js-plotly-plot").count()


def screenshot(tab, name: str) -> None:
    """The whole page: the app scrolls inside its main block, so grow the window to it."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = tab.evaluate(
        "() => Math.max(...Array.from(document.querySelectorAll("
        "'[data-testid=stMain], [data-testid=stMainBlockContainer]'))"
        ".map(e => e.scrollHeight), 1000)"
    )
    tab.set_viewport_size({"width": 1400, "height": min(int(height) + 80, 16000)})
    time.sleep(0.5)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    tab.set_viewport_size({"width": 1400, "height": 1000})


@pytest.mark.parametrize("stem", list(PAGES))
def test_every_page_loads_and_draws_its_charts(page, manager_url, stem):
    page.goto(f"{manager_url}/{path(stem)}")
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_role("heading", name=PAGES[stem], exact=True).count() >= 1
    if stem not in WITHOUT_CHARTS:
        assert wait_for_charts(page) > 0
    screenshot(page, f"manager_{stem}")


def test_a_chart_download_gives_its_data(page, manager_url):
    page.goto(f"{manager_url}/wellbeing")
    wait_for_app(page)
    button = page.get_by_role("button", name="Download data (CSV)").first
    with page.expect_download() as event:
        button.click()
    path = event.value.path()
    rows = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
    assert rows, "the download is empty"
    assert {"period_start", "status", "numerator", "denominator", "value"} <= set(rows[0])
    assert {r["status"] for r in rows} <= {"ok", "empty_base", "not_yet_measurable", "no_data"}


def test_a_tab_draws_its_charts_when_opened_and_a_table_when_asked(page, manager_url):
    page.goto(f"{manager_url}/wellbeing")
    wait_for_app(page)
    first = wait_for_charts(page)
    assert first > 0
    # the breakdowns are not drawn until their tab is opened; then the tab is in the URL
    main = page.locator("[data-testid='stMain']")
    assert main.get_by_text("Outcome to break down").count() == 0
    page.get_by_role("tab", name="Breakdowns").click()
    page.wait_for_function("() => window.location.search.includes('wellbeing_section=')")
    wait_for_app(page)
    # the tab's content arrives with the rerun the click started: wait for it, then count
    main.get_by_text("Outcome to break down").wait_for(timeout=30_000)
    assert main.get_by_text("Outcome to break down").count() == 1
    assert wait_for_charts(page) > 0
    # a chart's data table is drawn only once its expander is opened
    assert main.locator("[data-testid='stDataFrame']").count() == 0
    main.get_by_text("Data table", exact=True).first.click()
    page.wait_for_selector("[data-testid='stMain'] [data-testid='stDataFrame']",
                           timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0


def test_the_scorecard_draws_its_trends_as_small_svgs(page, manager_url):
    page.goto(manager_url)
    wait_for_app(page)
    sparks = page.locator("[data-testid='stMain'] svg.hv-spark")
    assert sparks.count() > 0
    # each has a text alternative that says what it shows
    label = sparks.first.get_attribute("aria-label")
    assert label.startswith("Trend over ") and " months: " in label
    # no chart library is loaded for the scorecard's cells
    assert page.locator("[data-testid='stMain'] [data-testid='stPlotlyChart']").count() == 0
    assert page.locator("[data-testid='stMain'] [data-testid='stVegaLiteChart']").count() == 0


def test_a_shared_url_restores_the_filters(page, browser, manager_url):
    page.goto(manager_url)
    wait_for_app(page)
    page.get_by_role("combobox", name="Agency").click()
    page.get_by_role("option", name="Hate crime service").click()
    wait_for_app(page)
    page.get_by_text("Financial quarter", exact=True).click()
    page.wait_for_function("() => window.location.search.includes('period=')")
    wait_for_app(page)
    shared = page.url
    assert "agency=Hate" in shared and "period=Financial" in shared
    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    other.goto(shared)
    wait_for_app(other)
    main = other.locator("[data-testid='stMain']")
    caption = main.locator("[data-testid='stCaptionContainer']").first.inner_text()
    # e.g. '2026/27 Q2 (Jul 2026 to Sep 2026) · Hate crime service · data as of ...'
    assert "Hate crime service" in caption
    assert " Q" in caption and "(" in caption
    sidebar = other.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_role("combobox", name="Agency").input_value() == "Hate crime service"
    other.context.close()


def test_public_view(browser, warehouse):
    process, url = serve(warehouse, "public")
    try:
        tab = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        tab.goto(url)
        wait_for_app(tab)
        assert tab.locator("[data-testid='stException']").count() == 0
        assert tab.get_by_role("combobox", name="Agency").count() == 0
        assert tab.get_by_role("link", name="Hub operations").count() == 0
        screenshot(tab, "public_scorecard")
        tab.goto(f"{url}/equity")
        wait_for_app(tab)
        assert wait_for_charts(tab) > 0
        screenshot(tab, "public_equity")
        tab.context.close()
    finally:
        stop(process)


def test_an_unknown_address_shows_the_scorecard(page, manager_url):
    page.goto(f"{manager_url}/no_such_page")
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_role("heading", name="Public value scorecard").count() >= 1
