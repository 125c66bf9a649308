"""The load generator (metrics/loadgen): it measures real page runs and it sees errors.

Fast (default suite):
- two people for a few seconds against `hubvalue serve` on the hand-made warehouse
  (tests/app_support.write_model_fixture), served on loopback: real script runs of the
  real pages, with their titles, and no error;
- the same against a damaged copy of it (a column the scorecard reads is gone, so the
  dashboard draws its error box on the default page): every person's first page is
  counted as an error, and the run fails;
- a stand-in server speaking the protocol, to pin down what the generator sends (the
  handshake, page hashes, cached message hashes) and each error it must count
  (an exception box, a lost connection, no answer in time).

Slow (`-m slow`): 10, 25 and 50 people on a 20,000-referral hub with one Chromium
session alongside (docs/scaling.md, "Many people at once"). Timing is asserted only
there, against the target (p95 under 1 s for 10 people).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import duckdb
import pytest
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from metrics.loadgen import browser
from metrics.loadgen.browser import BrowserPage, compare
from metrics.loadgen.cli import failed, main
from metrics.loadgen.measure import measure
from metrics.loadgen.people import Pace, Visit
from metrics.loadgen.protocol import Page, PageRun, StreamlitSession
from metrics.loadgen.report import describe, page_figures, percentile
from metrics.loadgen.server import served
from tests.app_support import write_model_fixture

# the manager's pages, in the navigation's order (dashboard/app.py: SECTIONS, PAGES)
MANAGER_PAGES = ["Public value scorecard", "Victim wellbeing", "Prevention", "NHS demand",
                 "Value for money", "Equity and reach", "Hub operations", "Working together",
                 "Data quality",
                 "Methods"]
RESULTS = Path(__file__).resolve().parents[1] / "artifacts" / "load"
QUICK = Pace(duration_s=5.0, arrive_within_s=0.5, read_s=(1.0, 2.0), filter_share=0.5,
             page_timeout_s=60.0, seed=7)


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    return write_model_fixture(tmp_path_factory.mktemp("loadgen") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def damaged_db(tmp_path_factory) -> Path:
    """The hand-made warehouse without indicator_monthly.value_low, which the scorecard
    reads: the page raises and the dashboard shows its error box instead."""
    db = write_model_fixture(tmp_path_factory.mktemp("loadgen_damaged") / "warehouse.duckdb")
    with duckdb.connect(str(db)) as con:
        con.execute("create or replace table marts.indicator_monthly as "
                    "select * exclude (value_low) from marts.indicator_monthly")
    return db


# a real multi-session load run against a served dashboard: make test-all
@pytest.mark.slow
def test_two_people_make_real_page_runs(fixture_db):
    with served(fixture_db) as (url, pid):
        result = measure(url, pid, sessions=2, pace=QUICK, label="fixture")
    pages = result["pages"]
    # the warm-up visits every page of the navigation once, in its order, without error
    assert [v["page"] for v in result["warm_up"]] == MANAGER_PAGES
    assert pages["warm_up_errors"] == {}
    assert all(v["server_cpu_s"] >= 0 for v in result["warm_up"])
    assert sum(v["server_cpu_s"] for v in result["warm_up"]) > 0
    assert all(v["received_bytes"] > 1000 for v in result["warm_up"])
    # both people opened the dashboard (its default page) and moved on at least once
    visits = result["visits"]
    assert {v["person"] for v in visits} == {0, 1}
    firsts = [v for v in visits if v["order"] == 0]
    assert [v["page"] for v in firsts] == ["Public value scorecard"] * 2
    assert all(sum(1 for v in visits if v["person"] == p) >= 2 for p in (0, 1))
    assert pages["page_runs"] == len(visits) >= 4
    # every run drew the page it was asked for, with its title, and no error
    assert all(v["title"] == v["page"] and v["page"] in MANAGER_PAGES for v in visits)
    assert pages["errors"] == {} and pages["error_count"] == 0
    assert len(pages["pages_visited"]) >= 2
    assert "Public value scorecard" in pages["pages_visited"]
    # they were real script runs on the server: it spent CPU and memory on them
    assert all(0 < v["seconds"] < QUICK.page_timeout_s for v in visits)
    assert result["server"]["cpu_s"] > 0
    assert result["server"]["rss_peak_mb"] >= result["server"]["rss_before_mb"] > 50
    assert pages["all"]["n"] == len(visits) and pages["all"]["p95_s"] > 0
    assert not failed(result)
    summary = describe(result)
    assert summary.startswith(f"2 sessions for 5 s (fixture): {len(visits)} page runs, 0 errors")
    assert "warm-up, each page once: server CPU per page" in summary


# a real multi-session load run against a served dashboard: make test-all
@pytest.mark.slow
def test_a_page_that_fails_is_counted_as_an_error(damaged_db):
    with served(damaged_db) as (url, pid):
        result = measure(url, pid, sessions=2, pace=QUICK, label="damaged")
    pages = result["pages"]
    firsts = [v for v in result["visits"] if v["order"] == 0]
    assert len(firsts) == 2
    assert all(v["page"] == "Public value scorecard" and v["errors"] == ["error_box"]
               for v in firsts)
    assert pages["errors"]["error_box"] >= 2
    assert pages["page_runs_with_errors"] >= 2
    # the methods page reads no indicator: it is drawn without error in the warm-up
    warm = {v["page"]: v["errors"] for v in result["warm_up"]}
    assert warm["Methods"] == [] and warm["Public value scorecard"] == ["error_box"]
    assert failed(result)
    assert "error_box" in describe(result).splitlines()[0]


# --- a stand-in server speaking the protocol ------------------------------------------------

def forward(**fields) -> bytes:
    msg = ForwardMsg(**{k: v for k, v in fields.items() if k != "path"})
    if "path" in fields:
        msg.metadata.delta_path.extend(fields["path"])
    return msg.SerializeToString()


def new_session(page_hash: str) -> bytes:
    msg = ForwardMsg()
    msg.new_session.page_script_hash = page_hash
    return msg.SerializeToString()


def navigation(shown: str) -> bytes:
    msg = ForwardMsg()
    msg.navigation.page_script_hash = shown
    for page_hash, name, path in (("h-home", "Home", ""), ("h-broken", "Broken", "broken")):
        page = msg.navigation.app_pages.add()
        page.page_script_hash, page.page_name, page.url_pathname = page_hash, name, path
    return msg.SerializeToString()


def heading(text: str) -> bytes:
    msg = ForwardMsg()
    msg.delta.new_element.heading.tag = "h1"
    msg.delta.new_element.heading.body = text
    msg.metadata.delta_path.extend([0, 0])
    return msg.SerializeToString()


def cacheable_markdown() -> bytes:
    msg = ForwardMsg()
    msg.hash = "md-1"
    msg.metadata.cacheable = True
    msg.metadata.delta_path.extend([0, 1])
    msg.delta.new_element.markdown.body = "a long paragraph"
    return msg.SerializeToString()


def reference(to: str) -> bytes:
    msg = ForwardMsg()
    msg.ref_hash = to
    msg.metadata.delta_path.extend([0, 1])
    return msg.SerializeToString()


def exception_box() -> bytes:
    msg = ForwardMsg()
    msg.delta.new_element.exception.type = "KeyError"
    msg.metadata.delta_path.extend([0, 2])
    return msg.SerializeToString()


def finished() -> bytes:
    msg = ForwardMsg()
    msg.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    return msg.SerializeToString()


async def scripted_server(answers: list[list[bytes] | None], requests: list[BackMsg]):
    """A server that answers the n-th rerun request with answers[n]: the messages, or
    None to close the connection; past the list it never answers."""

    async def handler(socket):
        async for frame in socket:
            request = BackMsg()
            request.ParseFromString(frame)
            requests.append(request)
            n = len(requests) - 1
            if n >= len(answers):
                continue
            if answers[n] is None:
                await socket.close()
                return
            for message in answers[n]:
                await socket.send(message)

    return await websockets.serve(handler, "127.0.0.1", 0, subprotocols=["streamlit"])


def test_the_session_sends_what_a_browser_sends_and_counts_each_error():
    requests: list[BackMsg] = []
    answers = [
        [new_session("h-home"), navigation("h-home"), heading("Home"), cacheable_markdown(),
         finished()],
        [new_session("h-broken"), navigation("h-broken"), heading("Broken"),
         reference("md-1"), exception_box(), finished()],
        None,  # the third request: the server closes the connection
    ]

    async def scenario():
        server = await scripted_server(answers, requests)
        port = server.sockets[0].getsockname()[1]
        try:
            session = StreamlitSession(f"http://127.0.0.1:{port}", page_timeout_s=5)
            await session.connect()
            home = await session.open()
            broken = await session.follow(Page("h-broken", "Broken", "broken"))
            lost = await session.follow(Page("h-home", "Home", ""))
            await session.close()
            return home, broken, lost
        finally:
            server.close()
            await server.wait_closed()

    home, broken, lost = asyncio.run(scenario())
    assert home.errors == [] and home.title == "Home" and home.page.name == "Home"
    assert broken.errors == ["exception"] and broken.title == "Broken"
    # the cached message came back by reference and was found in the session's cache
    assert broken.elements == 3
    assert lost.errors == ["disconnected"]
    first, second = requests[0].rerun_script, requests[1].rerun_script
    # opening the address: no page hash, the path; following a link: the hash, no path
    assert (first.page_script_hash, first.page_name) == ("", "")
    assert (second.page_script_hash, second.page_name) == ("h-broken", "")
    assert list(first.cached_message_hashes) == []
    assert list(second.cached_message_hashes) == ["md-1"]


def test_a_page_with_no_answer_times_out_and_a_wrong_title_is_an_error():
    requests: list[BackMsg] = []
    answers = [[new_session("h-home"), navigation("h-home"), heading("Not home"), finished()]]

    async def scenario():
        server = await scripted_server(answers, requests)
        port = server.sockets[0].getsockname()[1]
        try:
            async with StreamlitSession(f"http://127.0.0.1:{port}",
                                        page_timeout_s=0.5) as session:
                wrong = await session.open()
                silent = await session.follow(Page("h-broken", "Broken", "broken"))
            return wrong, silent
        finally:
            server.close()
            await server.wait_closed()

    wrong, silent = asyncio.run(scenario())
    assert wrong.errors == ["title_mismatch"]
    assert silent.errors == ["timeout"] and 0.5 <= silent.seconds < 5


def test_only_loopback_addresses_are_loaded(capsys):
    assert main(["--url", "http://192.0.2.1:8501"]) == 2
    assert "only connects to loopback" in capsys.readouterr().err
    with pytest.raises(ValueError, match="loopback"):
        StreamlitSession("http://example.org")


def test_bad_arguments_are_refused_in_one_line(capsys, tmp_path):
    assert main(["--db", str(tmp_path / "none.duckdb")]) == 2
    assert main(["--url", "http://127.0.0.1:1", "--read", "9", "3"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [f"hubvalue loadgen: error: --db: no warehouse file at "
                     f"{tmp_path / 'none.duckdb'}",
                     "hubvalue loadgen: error: --read: LOW HIGH must satisfy 0 <= LOW <= HIGH"]


def test_percentiles_and_overlap_are_worked_out_by_hand():
    def visit(person, order, at, seconds, errors=()):
        run = PageRun(requested="h", query_string="", seconds=seconds, errors=list(errors))
        return Visit(person, order, at, run)

    # nearest rank: p95 of 1..20 is the 19th smallest, p50 of 1..4 the 2nd
    assert percentile([float(n) for n in range(20, 0, -1)], 0.95) == 19.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.0
    a = visit(0, 0, at=0.0, seconds=1.0)  # overlaps b (0.5-1.5)
    b = visit(1, 0, at=0.5, seconds=1.0)
    c = visit(0, 1, at=3.0, seconds=0.5)  # alone
    d = visit(1, 1, at=4.0, seconds=60.0, errors=["timeout"])  # no time: an error
    figures = page_figures([a, b, c, d], ["connect_failed"])
    assert figures["alone"]["n"] == 1 and figures["alone"]["p95_s"] == 0.5
    assert figures["overlapping"]["n"] == 2 and figures["overlapping"]["max_s"] == 1.0
    assert figures["all"]["n"] == 3 and figures["page_runs"] == 4
    assert figures["first_page"]["n"] == 2 and figures["moves"]["n"] == 1
    assert figures["errors"] == {"connect_failed": 1, "timeout": 1}
    assert figures["error_count"] == 2 and figures["page_runs_with_errors"] == 1


def test_the_chromium_check_compares_titles_headings_and_error_boxes(monkeypatch, tmp_path):
    def visit(name, title, headings, query=""):
        run = PageRun(requested="h", query_string=query, seconds=0.2, title=title,
                      headings=headings, page=Page(f"h-{name}", name, name.lower()))
        return Visit(0, 0, 0.0, run)

    visits = [visit("Home", "Home", ["Home", "Figures"]),
              visit("Home", "Home", ["Home"], query="months=2026-01"),  # other filters
              visit("Data", "Data", ["Data", "Checks"])]
    same = [BrowserPage("Home", 1.0, "Home", ["Home", "Figures"]),
            BrowserPage("Data", 1.0, "Data", ["Data", "Checks"])]
    check = compare(same, visits)
    assert check["all_titles_match"] and check["browser_errors"] == 0
    # headings are compared only with the runs on the default filters
    assert [p["headings_match"] for p in check["pages"]] == [True, True]
    differs = [BrowserPage("Home", 1.0, "Home", ["Home"], exceptions=1),
               BrowserPage("Data", 1.0, "Data (old)", ["Data (old)"], error_boxes=2)]
    check = compare(differs, visits)
    assert not check["all_titles_match"] and check["browser_errors"] == 3
    assert [p["headings_match"] for p in check["pages"]] == [False, False]
    assert [p["title_matches"] for p in check["pages"]] == [True, False]
    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    assert browser.unavailable() == f"no Chromium at {tmp_path / 'no-chromium'}"


# --- the measurement -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_hub(tmp_path_factory) -> Path:
    """A 20,000-referral hub over 36 months (the documented demo)."""
    from metrics.build import build
    from metrics.generate import generate

    folder = tmp_path_factory.mktemp("demo")
    generate(folder / "extract", referrals=20_000, seed=7, months=36, end="2026-11",
             quiet=True)
    return build(folder / "extract", folder / "warehouse.duckdb",
                 as_of="2026-11-30").db_path


@pytest.mark.slow
@pytest.mark.parametrize("sessions", [10, 25, 50])
def test_many_people_at_a_persons_pace(demo_hub, sessions):
    """10, 25 and 50 people for 90 s each, reading 5-15 s per page, with one Chromium
    session alongside when it is installed. The targets: no error at any count, and for
    10 people the server's page time p95 under 1 s. The figures go to artifacts/load/,
    with the machine's load: on a machine busy with other work the p95 target fails
    (docs/scaling.md, "Many people at once")."""
    pace = Pace(duration_s=90, arrive_within_s=15, read_s=(5, 15), filter_share=0.25,
                page_timeout_s=60, seed=7)
    with served(demo_hub) as (url, pid):
        result = measure(url, pid, sessions, pace, label="demo20k", with_browser=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"loadgen_slow_{sessions}.json").write_text(json.dumps(result, indent=2))
    pages = result["pages"]
    print(f"\n{sessions} people: p50 {pages['all']['p50_s']:.3f} s, p95 "
          f"{pages['all']['p95_s']:.3f} s, errors {pages['errors']}, RSS peak "
          f"{result['server']['rss_peak_mb']:.0f} MB, load {result['machine']['loadavg_after']}")
    assert pages["people"] == sessions
    assert pages["error_count"] == 0 and pages["warm_up_errors"] == {}
    check = result["browser"]
    if "skipped" not in check:
        assert check["all_titles_match"] and check["browser_errors"] == 0
        assert check["browser_failures"] == []
    if sessions == 10:
        assert pages["all"]["p95_s"] < 1.0


def test_a_warehouse_named_relative_to_the_callers_folder_is_served(tmp_path, monkeypatch):
    """The server runs in the project folder: `--db w.duckdb` given in another folder must
    reach it as that folder's file (it opened the app's 'no warehouse' page, every page
    run then read as no_navigation)."""
    import subprocess

    from metrics.loadgen import server

    (tmp_path / "w.duckdb").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    seen = {}

    class Stop(Exception):
        pass

    def popen(command, **kwargs):
        seen["db"] = command[command.index("--db") + 1]
        raise Stop

    monkeypatch.setattr(subprocess, "Popen", popen)
    with pytest.raises(Stop), server.served(Path("w.duckdb")):
        pass
    assert seen["db"] == str(tmp_path / "w.duckdb")


def test_the_browser_route_of_an_app_with_no_pages_is_empty():
    """With no navigation there is no page to follow: the route is empty (it looped for
    ever, at full CPU)."""
    from metrics.loadgen.measure import browser_route

    assert browser_route([], seed=1, length=5) == []
    assert browser_route(["Scorecard"], seed=1, length=3) == ["Scorecard"] * 3
