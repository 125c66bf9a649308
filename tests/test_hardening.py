"""Hardening: bound parameters and allow-lists, escaped data, a locked read-only warehouse,
Streamlit's security settings, and error pages without details.

* Injection strings in every filter (query layer) and every URL parameter (the app
  under AppTest) change nothing and raise nothing; identifiers outside the allow-lists
  are refused.
* A "hostile" warehouse holds markup in its text fields (build id, crime types,
  categories, file names, parameter sources, an agency code): no page shows it
  unescaped (AppTest: Markdown and chart specs; Chromium: no script element, handler
  attribute or dialog from data).
* The warehouse connection is read-only with external access off: reading files,
  COPY, ATTACH, INSTALL/LOAD and settings changes fail, and the file is unchanged.
* .streamlit/config.toml and `hubvalue serve` set error details off, XSRF and CORS
  on, usage statistics off; the served app refuses another site's WebSocket and
  uploads without the XSRF token, and an exception shows a generic message only.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import os
import re
import shutil
import socket
import time
import tomllib
import urllib.request
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st_
from streamlit.testing.v1 import AppTest

from dashboard import serve as serve_module
from metrics import queries
from tests import app_support
from tests.app_support import write_mart_fixture, write_model_fixture
from tests.serve_support import free_port, running, serve_command
from tests.support import examples

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
PAGES = ["scorecard", "wellbeing", "prevention", "nhs_demand", "value_for_money",
         "operations", "equity", "data_quality", "methods"]
NOT_PUBLIC = {"operations", "data_quality"}

INJECTIONS = [
    "' or 1=1 --",
    '"; drop table marts.indicator_monthly; --',
    "all' union select build_id, build_id from meta.build --",
    "x'; copy (select 1) to '/tmp/hubvalue_pwned.csv'; --",
    "$agency",
    "?",
    "ａｌｌ",  # full-width letters
    "victim_support\u202e",  # right-to-left override
    "\x00all",
    "<script>alert(1)</script>",
    "🙂" * 300,
]

# markup a hostile extract could carry in its text fields
SCRIPT = '<script>alert("x1")</script>'
IMG = '<img src=x onerror=alert("x2")>'
LINK = '[click](javascript:alert("x3"))'
SVG = "<svg onload=alert('x4')>"
SECRET = "SECRET-4711"  # a value whose error message must never reach the page
RAW_MARKUP = re.compile(r"(?<!\\)<\s*(script|img|svg|iframe)|(?<!\\)\]\(\s*javascript",
                        re.IGNORECASE)
# The scorecard's own trend lines: an SVG of numbers with an escaped text label. Only this
# exact shape is set aside before the scan; markup from data inside it would not match.
OWN_SPARKLINE = re.compile(
    r'<svg class="hv-spark" role="img" aria-label="[^"<>]*" width="\d+" height="\d+" '
    r'viewBox="[\d .]+" xmlns="http://www\.w3\.org/2000/svg"><title>[^<>]*</title>'
    r'(?:<(?:circle|polyline) [^<>]*/>)*</svg>'
)


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_db(tmp_path_factory) -> Path:
    return write_model_fixture(tmp_path_factory.mktemp("model") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def mart_db(tmp_path_factory) -> Path:
    return write_mart_fixture(tmp_path_factory.mktemp("mart") / "warehouse.duckdb")


def write_hostile_fixture(source: Path, path: Path) -> Path:
    """The model fixture with markup in the text fields the pages show, and one parameter
    whose value breaks the value-for-money arithmetic with an error that quotes it."""
    shutil.copyfile(source, path)
    con = duckdb.connect(str(path))
    try:
        con.execute("update meta.build set build_id = ?, source_system = ?", [SCRIPT, IMG])
        con.execute(
            "update marts.fct_referrals set crime_type = ? where crime_type = 'theft'", [IMG]
        )
        con.execute("update marts.fct_referrals set source = ?, area = ?", [LINK, SCRIPT])
        con.execute("update marts.indicator_monthly set agency = ? where agency = 'hate_crime'",
                    [SVG])
        con.execute(
            "insert into marts.equity_reach (month, basis, characteristic, category, "
            "victims_referred, comparison_people, reach_ratio, ci_low, ci_high, basis_label) "
            "values (date '2026-12-01', 'residents', 'gender', ?, 40, 5000, 1.0, 0.8, 1.2, ?), "
            "(date '2026-12-01', 'residents', 'gender', ?, 40, 5000, 1.0, 0.8, 1.2, ?)",
            [SCRIPT, LINK, IMG, LINK])
        con.execute("update ref.parameters set source = ?, note = ?", [SCRIPT, LINK])
        con.execute("alter table ref.parameters alter central type varchar")
        con.execute("update ref.parameters set central = ? where name = 'wellby_value_gbp'",
                    [SECRET])
        con.execute("update marts.indicator_catalogue set definition = ? "
                    "where indicator_id = 'coped_better_at_exit'", [LINK + " " + SVG])
        con.execute(
            "create table meta.load_report as select * from (values "
            "('referrals', ?, 'utf-8', 4, 4, 0)) as t(table_name, file_name, encoding, "
            "rows_read, rows_loaded, rows_quarantined)", [SCRIPT])
        con.execute(
            "create table meta.load_issues as select * from (values "
            "('referrals', ?, 'quarantined', ?, ?, 1)) as t(table_name, file_name, kind, "
            "rule, column_name, rows)", [SCRIPT, IMG, SVG])
        con.execute("checkpoint")
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def hostile_db(model_db, tmp_path_factory) -> Path:
    return write_hostile_fixture(model_db, tmp_path_factory.mktemp("hostile") / "w.duckdb")


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the warehouse connection ------------------------------------------------------------


@pytest.mark.parametrize("sql", [
    "select * from read_csv('/etc/passwd')",
    "select * from read_text('/etc/passwd')",
    "select * from glob('/etc/*')",
    "copy (select * from meta.build) to '{out}'",
    "copy meta.build to '{out}' (format parquet)",
    "export database '{outdir}'",
    "attach '{other}' as other",
    "install httpfs",
    "load httpfs",
    "set enable_external_access = true",
    "set lock_configuration = false",
    "reset enable_external_access",
    "create table marts.injected as select 1 as x",
    "insert into meta.build (build_id) values ('x')",
    "update marts.indicator_monthly set value = 0",
    "drop table marts.indicator_monthly",
    "delete from meta.build",
    "detach warehouse",
])
def test_the_warehouse_connection_cannot_touch_files_or_change(mart_db, tmp_path, sql):
    before = file_digest(mart_db)
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    out, outdir = tmp_path / "out.csv", tmp_path / "export"
    snapshot = queries.WarehouseSnapshot(mart_db)
    try:
        cur = queries.cursor(snapshot.con)
        with pytest.raises(duckdb.Error):
            cur.execute(sql.format(out=out, outdir=outdir, other=other)).fetchall()
        cur.close()
        assert not out.exists() and not outdir.exists()
        # the connection still answers, with the same figures
        assert snapshot.run("build_info", "manager")["build_id"].iloc[0] == "fixture0001"
    finally:
        snapshot.retire()
    assert file_digest(mart_db) == before


def test_the_connection_settings_are_locked(mart_db):
    snapshot = queries.WarehouseSnapshot(mart_db)
    try:
        cur = queries.cursor(snapshot.con)
        settings_now = dict(cur.execute(
            "select name, value from duckdb_settings() where name in ('enable_external_access',"
            " 'lock_configuration', 'autoload_known_extensions', 'autoinstall_known_extensions',"
            " 'allow_community_extensions')").fetchall())
        cur.close()
    finally:
        snapshot.retire()
    assert settings_now == {"enable_external_access": "false", "lock_configuration": "true",
                            "autoload_known_extensions": "false",
                            "autoinstall_known_extensions": "false",
                            "allow_community_extensions": "false"}


# --- filters are bound parameters, identifiers come from allow-lists -----------------------

FILTERED = {
    # query: keyword arguments of a call that uses the agency and crime type filters
    "indicator_summary": {},
    "indicator_trend": {},
    "referral_breakdown": {"indicator": "coped_better_at_exit", "dimension": "crime_type"},
    "score_changes": {"measure": "coping"},
    "exceptions": {"kind": "first_contact"},
    "equity_reach": {},
}
PERIOD = queries.Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 1))


def same(first: pd.DataFrame, second: pd.DataFrame) -> bool:
    return first.reset_index(drop=True).equals(second.reset_index(drop=True))


def answers_for(snapshot, audience: str, agency: str, crime_type: str) -> dict:
    out = {}
    filters = queries.Filters(PERIOD.first, PERIOD.last, agency, crime_type)
    for name, kwargs in FILTERED.items():
        if audience not in queries.QUERIES[name].audiences:
            continue
        try:
            out[name] = snapshot.run(name, audience, filters, **kwargs)
        except queries.NotPermitted as refused:
            out[name] = str(refused)
    return out


def assert_like_an_unknown_value(snapshot, audience: str, value: str) -> None:
    """A filter value is data: it selects like any unknown code, whatever it holds."""
    for field in ("agency", "crime_type"):
        chosen = {"agency": "all", "crime_type": "all", field: value}
        benign = {"agency": "all", "crime_type": "all", field: "no_such_code"}
        got = answers_for(snapshot, audience, chosen["agency"], chosen["crime_type"])
        expected = answers_for(snapshot, audience, benign["agency"], benign["crime_type"])
        assert got.keys() == expected.keys()
        for name in got:
            if isinstance(expected[name], str):
                assert got[name] == expected[name], (name, field)  # the same refusal
            else:
                assert same(got[name], expected[name]), (name, field)


@pytest.mark.parametrize("audience", queries.AUDIENCES)
def test_injection_strings_in_the_filters_change_nothing(model_db, audience):
    before = file_digest(model_db)
    snapshot = queries.WarehouseSnapshot(model_db)
    try:
        for value in INJECTIONS:
            assert_like_an_unknown_value(snapshot, audience, value)
        # and the hub's figures are still there, unchanged: February, 2 of 3 coped better
        summary = snapshot.run("indicator_summary", "manager",
                               queries.Filters(dt.date(2026, 2, 1), dt.date(2026, 2, 1)))
        row = summary[(summary["indicator_id"] == "coped_better_at_exit")
                      & (summary["bucket"] == "current")].iloc[0]
        assert (row["numerator"], row["denominator"]) == (2.0, 3.0)
    finally:
        snapshot.retire()
    assert file_digest(model_db) == before
    assert not Path("/tmp/hubvalue_pwned.csv").exists()


@settings(max_examples=examples(12), deadline=None,  # 200 in make test-all
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(value=st_.text(min_size=1, max_size=40))
def test_any_text_in_a_filter_selects_like_an_unknown_code(model_db, value):
    codes = {"all", "victim_support", "hate_crime", "older_people", "young_people", "lgbt",
             "witness_care", "nhs_mental_health", "burglary_residential", "theft", "fraud"}
    if value in codes:  # a real code selects its rows: not the property under test
        return
    snapshot = queries.WarehouseSnapshot(model_db)
    try:
        assert_like_an_unknown_value(snapshot, "manager", value)
    finally:
        snapshot.retire()


@pytest.mark.parametrize(("name", "argument"), [
    ("referral_breakdown", "dimension"),
    ("referral_breakdown", "indicator"),
    ("score_changes", "measure"),
    ("exceptions", "kind"),
])
def test_identifiers_outside_the_allow_lists_are_refused(model_db, name, argument):
    defaults = {"referral_breakdown": {"indicator": "coped_better_at_exit",
                                       "dimension": "crime_type"}}
    snapshot = queries.WarehouseSnapshot(model_db)
    try:
        for value in ["crime_type; drop table marts.fct_referrals", "1=1) or (true",
                      "victim_id", "referral_id from meta.build --", *INJECTIONS[:3]]:
            kwargs = {**defaults.get(name, {}), argument: value}
            with pytest.raises(ValueError):
                snapshot.run(name, "manager", PERIOD, **kwargs)
    finally:
        snapshot.retire()


def open_app(monkeypatch, db: Path, audience: str = "manager", params: dict | None = None,
             page: str | None = None) -> AppTest:
    return app_support.open_page(monkeypatch, db, page, audience, params)


def figures_shown(at: AppTest) -> list[tuple[str, str]]:
    return [(m.label, m.value) for m in at.metric]


URL_PARAMS = ("period", "quarter", "year", "months", "agency", "crime", "money", "audience",
              "page", "embed", "unknown")
PERIOD_KINDS = ("Month range", "Financial quarter", "Financial year")


def injected_params(value: str, kind: str, only: str | None = None) -> dict:
    params = {p: ([value, value] if p == "months" else value) for p in URL_PARAMS
              if only is None or p == only}
    if kind != "Month range" and only != "period":
        params["period"] = kind  # so the quarter or year widget reads its parameter
    return params


@pytest.mark.parametrize("value", [INJECTIONS[0], INJECTIONS[1], INJECTIONS[7], SCRIPT])
def test_injection_strings_in_the_url_change_nothing(monkeypatch, model_db, value):
    for kind in PERIOD_KINDS:
        baseline = open_app(monkeypatch, model_db,
                            params={} if kind == "Month range" else {"period": kind})
        at = open_app(monkeypatch, model_db, params=injected_params(value, kind))
        assert not at.exception and not at.error, kind
        assert figures_shown(at) == figures_shown(baseline), kind
        assert at.sidebar.markdown[0].value == "**Hub manager view**"


@pytest.mark.slow
@pytest.mark.parametrize("audience", queries.AUDIENCES)
def test_each_url_parameter_alone_with_each_injection_changes_nothing(monkeypatch, model_db,
                                                                      audience):
    for kind in PERIOD_KINDS[1:] if audience == "public" else PERIOD_KINDS:
        baseline = open_app(monkeypatch, model_db, audience, params={"period": kind})
        for value in INJECTIONS:
            for name in URL_PARAMS:
                at = open_app(monkeypatch, model_db, audience,
                              params=injected_params(value, kind, only=name) | {"period": kind}
                              if name != "period" else {"period": value})
                assert not at.exception and not at.error, (kind, name)
                if name != "period":
                    assert figures_shown(at) == figures_shown(baseline), (kind, name)


# --- data values are escaped before they reach HTML -----------------------------------------


def markup_problems(at: AppTest) -> list[str]:
    """Text elements or chart specs with markup from data left unescaped."""
    problems = []
    texts = [e.value for e in (*at.markdown, *at.caption, *at.title, *at.header, *at.subheader,
                               *at.info, *at.warning, *at.error, *at.success)]
    texts += [str(m.label) + " " + str(m.value) for m in at.metric]
    texts += [e.label for e in at.expander]
    for text in texts:
        if RAW_MARKUP.search(OWN_SPARKLINE.sub("", str(text))):
            problems.append(str(text)[:120])
    for chart in at.get("plotly_chart"):
        spec = chart.proto.spec
        if re.search(r"<\s*(script|img|svg|iframe)", spec, re.IGNORECASE):
            problems.append("chart " + re.search(r".{0,40}<\s*(script|img|svg)", spec,
                                                 re.IGNORECASE).group(0))
    return problems


def test_markup_in_the_data_is_escaped_on_every_page(monkeypatch, hostile_db):
    seen_escaped = set()
    for page in PAGES:
        at = open_app(monkeypatch, hostile_db, params={"months": ["2026-01", "2026-12"]},
                      page=page)
        assert not at.exception, page
        assert markup_problems(at) == [], page
        shown = "\n".join(str(e.value) for e in (*at.markdown, *at.caption))
        if r"\<script\>alert\(" in shown:
            seen_escaped.add("markdown")
        if any("&lt;img src=x onerror=alert" in c.proto.spec for c in at.get("plotly_chart")):
            seen_escaped.add("chart")
    # the markup did reach the pages, escaped (so the checks above looked at it)
    assert seen_escaped == {"markdown", "chart"}


def test_an_agency_code_with_markup_is_escaped(monkeypatch, hostile_db):
    at = open_app(monkeypatch, hostile_db, params={"months": ["2026-01", "2026-12"]})
    at.selectbox(key="agency").set_value(SVG).run()
    assert not at.exception
    assert markup_problems(at) == []
    assert any(r"\<svg onload=alert\('x4'\)\>" in c.value for c in at.caption)


@pytest.mark.slow
@pytest.mark.parametrize("audience", ["pcc", "public"])
def test_markup_is_escaped_for_every_audience(monkeypatch, hostile_db, audience):
    for page in PAGES:
        if audience == "public" and page in NOT_PUBLIC:
            continue
        params = {"period": "Financial year"}
        at = open_app(monkeypatch, hostile_db, audience, params=params, page=page)
        assert not at.exception, page
        assert markup_problems(at) == [], page


def test_a_page_error_shows_a_generic_message_and_logs_no_values(monkeypatch, hostile_db,
                                                                 caplog):
    # ref.parameters.central holds SECRET-4711 for the WELLBY value: the value-for-money
    # arithmetic fails with "could not convert string to float: 'SECRET-4711'"
    # January to June 2026: every month of the total measurable, so the arithmetic runs
    with caplog.at_level(logging.INFO):
        at = open_app(monkeypatch, hostile_db, page="value_for_money",
                      params={"months": ["2026-01", "2026-06"]})
    assert not at.exception
    [error] = at.error
    assert error.value.startswith("This part of the page could not be drawn.")
    page_text = "\n".join(str(e.value) for e in (*at.markdown, *at.caption, *at.error,
                                                 *at.warning, *at.info))
    assert SECRET not in page_text and "ValueError" not in page_text
    assert any(r.getMessage() == "page value_for_money failed (ValueError)"
               for r in caplog.records)
    assert not [r for r in caplog.records if SECRET in r.getMessage()]


# --- Streamlit's settings -------------------------------------------------------------------


def test_the_config_file_sets_the_security_options():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["showErrorLinks"] is False
    assert config["client"]["toolbarMode"] == "viewer"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["enableCORS"] is True
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableStaticServing"] is False
    assert config["server"]["address"] == "127.0.0.1"
    # no secrets in the committed settings
    assert "cookieSecret" not in config.get("server", {})
    assert ".streamlit/secrets.toml" in (ROOT / ".gitignore").read_text().splitlines()


def test_serve_repeats_the_security_options_as_flags():
    command = serve_module.streamlit_command(8765, headless=True)
    flags = dict(zip(command[5::2], command[6::2], strict=True))
    assert flags["--client.showErrorDetails"] == "none"
    assert flags["--client.showErrorLinks"] == "false"
    assert flags["--browser.gatherUsageStats"] == "false"
    assert flags["--server.enableCORS"] == "true"
    assert flags["--server.enableXsrfProtection"] == "true"
    assert flags["--server.enableStaticServing"] == "false"


# --- the served app -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_server(hostile_db):
    port = free_port()
    with running(serve_command(hostile_db, "manager", port), port) as (url, process):
        yield url


def websocket_status(url: str, origin: str) -> str:
    """The status line the server answers a WebSocket upgrade from `origin` with."""
    host, port = url.removeprefix("http://").split(":")
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}:{port}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
               f"Origin: {origin}\r\nSec-WebSocket-Protocol: streamlit\r\n\r\n")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request.encode())
        return sock.recv(200).split(b"\r\n")[0].decode()


def test_the_served_app_refuses_other_sites(hostile_server):
    # another site's page cannot open the app's WebSocket (cross-site WebSocket hijacking)
    assert websocket_status(hostile_server, "http://evil.example").endswith("403 Forbidden")
    assert websocket_status(hostile_server, hostile_server).endswith("101 Switching Protocols")
    # and gets no CORS grant on the app's HTTP routes
    for route in ("/_stcore/health", "/_stcore/host-config", "/"):
        request = urllib.request.Request(hostile_server + route,
                                         headers={"Origin": "http://evil.example"})
        with urllib.request.urlopen(request, timeout=10) as response:
            allowed = response.headers.get("Access-Control-Allow-Origin")
        assert allowed in (None, hostile_server.replace("127.0.0.1", "localhost")), route


def test_the_served_app_checks_the_xsrf_token(hostile_server):
    with urllib.request.urlopen(hostile_server + "/_stcore/health", timeout=10) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
    assert any(c.startswith("_streamlit_xsrf=") for c in cookies)
    upload = urllib.request.Request(hostile_server + "/_stcore/upload_file/session/file",
                                    data=b"--x--\r\n", method="PUT",
                                    headers={"Content-Type": "multipart/form-data; boundary=x"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(upload, timeout=10)
    assert refused.value.code == 403


# --- in Chromium ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox", "--disable-gpu",
                                          "--disable-background-networking",
                                          "--disable-component-update", "--no-first-run"])
        yield browser
        browser.close()


def wait_for_app(tab, timeout: float = 60_000) -> None:
    tab.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']",
                          timeout=timeout)
    tab.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']",
                          timeout=timeout)
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline and tab.locator("[data-testid='stSkeleton']").count():
        time.sleep(0.1)


DOM_CHECK = """() => ({
    scripts: [...document.scripts].filter(s => /alert\\(/.test(s.text)).length,
    handlers: document.querySelectorAll('[onerror], svg[onload], [onclick]').length,
    jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
    dataImages: document.querySelectorAll('img[src="x"]').length,
    text: document.body.innerText,
})"""


@pytest.mark.browser
def test_no_script_from_data_runs_in_the_browser(chromium, hostile_server):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    dialogs = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    seen_as_text = False
    try:
        for page in ["scorecard", "wellbeing", "equity", "data_quality", "methods"]:
            tab.goto(f"{hostile_server}/{'' if page == 'scorecard' else page}"
                     "?months=2026-01&months=2026-12")
            wait_for_app(tab)
            time.sleep(1.0)  # let charts draw
            found = tab.evaluate(DOM_CHECK)
            assert (found["scripts"], found["handlers"], found["jsLinks"],
                    found["dataImages"]) == (0, 0, 0, 0), page
            seen_as_text = seen_as_text or SCRIPT in found["text"]
        assert dialogs == []
        # the build id is shown, as the text it is
        assert seen_as_text
    finally:
        context.close()


@pytest.mark.browser
def test_a_page_error_in_the_browser_shows_no_details(chromium, hostile_server):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    try:
        # January to June 2026: every month of the total measurable, so the arithmetic runs
        tab.goto(f"{hostile_server}/value_for_money?months=2026-01&months=2026-06")
        wait_for_app(tab)
        text = tab.evaluate("() => document.body.innerText")
        assert "This part of the page could not be drawn." in text
        for detail in (SECRET, "ValueError", "Traceback", "could not convert"):
            assert detail not in text
    finally:
        context.close()


@pytest.mark.browser
def test_an_uncaught_exception_shows_a_generic_message(chromium, tmp_path):
    """Streamlit's own error box, with the settings `hubvalue serve` runs with."""
    script = tmp_path / "fails.py"
    script.write_text(
        "import streamlit as st\n"
        "st.title('Before the error')\n"
        f"raise ValueError(\"could not convert string to float: '{SECRET}'\")\n")
    port = free_port()
    command = serve_module.streamlit_command(port, headless=True)
    command[4] = str(script)
    with running(command, port) as (url, process):
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        try:
            tab.goto(url)
            tab.wait_for_selector("[data-testid='stException']", timeout=60_000)
            text = tab.evaluate("() => document.body.innerText")
        finally:
            context.close()
    assert "Before the error" in text
    for detail in (SECRET, "ValueError", "Traceback", "fails.py", "could not convert"):
        assert detail not in text
