"""The three reports on a small hand-written hub (tests/report_support.py says what is
in it). Every expected figure is worked out by hand in the comments."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import duckdb
import pytest

from metrics.published import write_public_release
from metrics.report import ReleaseBlocked, data, main, render, scan, write_report
from tests.report_support import (
    AS_OF,
    html_tables,
    publish_exact,
    row_of,
    small_hub_file,
    small_hub_tables,
)
from tests.support import indicator, warehouse_from_rows


@pytest.fixture(scope="module")
def hub(tmp_path_factory) -> Path:
    path = small_hub_file(tmp_path_factory.mktemp("hub") / "hub.duckdb")
    # the public report prints the published release, made as the build makes it
    con = duckdb.connect(str(path))
    try:
        write_public_release(con)
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def manager_html(hub, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("manager") / "pack.html"
    write_report(hub, "manager", "2026-10", "html", out)
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def public_out(hub, tmp_path_factory):
    out = tmp_path_factory.mktemp("public") / "public-2026-27-Q2.html"
    return write_report(hub, "public", "2026/27-Q2", "html", out)


def args(hub: Path, out: Path, audience: str, period: str, fmt: str = "html"):
    return argparse.Namespace(
        db=str(hub), audience=audience, period=period, format=fmt, out=str(out)
    )


# --- manager --------------------------------------------------------------------------------


def test_the_fixture_warehouse_holds_the_hand_worked_figures():
    # The same numbers the pack must show, read from marts.indicator_monthly.
    con = warehouse_from_rows(small_hub_tables(), AS_OF)
    assert indicator(con, "referrals_received", "2026-10-01")["numerator"] == 4
    row = indicator(con, "first_contact_2wd", "2026-10-01")
    assert (row["numerator"], row["denominator"]) == (2, 4)


def test_manager_pack_shows_the_month_against_last_month_and_last_year(manager_html):
    tables = html_tables(manager_html)
    hub = tables["glance_all_operations"]
    # Referrals received: October 2026 R1..R4 = 4; September R5, R6 = 2; October 2025 R7 = 1.
    received = row_of(hub, "Referrals received")
    # 4 against 2 and 4 against 1: far within noise (exact Poisson p 0.69 and 0.38)
    assert received[1:] == ["4", "", "", "2", "no clear change on Sep 2026 (+2)", "1",
                            "no clear change on Oct 2025 (+3)"]
    # First contact within 2 working days, October 2026: R1 and R3 on time, R2 late, R4
    # never contacted but past its deadline: 2 of 4 = 50.0%. Wilson, n = 4, p = 0.5, z =
    # 1.96: centre (0.5 + 0.4802) / 1.9604 = 0.5, half-width 1.96 x sqrt(0.0625 + 0.0600)
    # / 1.9604 = 0.350, so 15.0% to 85.0%. September 2 of 2 and October 2025 1 of 1: 100%.
    first = row_of(hub, "Victims first contacted within 2 working days of referral")
    assert first[1:] == [
        "50.0%",
        "4",
        "15.0–85.0%",
        "100.0%",
        "no clear change on Sep 2026 (-50.0 points)",  # Newcombe: about -0.85 to 0.25
        "100.0%",
        "no clear change on Oct 2025 (-50.0 points)",
    ]
    # No referral came from the police with a report date: the column is absent (no data),
    # which the pack says in words, never as 0.
    police = row_of(hub, "Police referrals passed to the hub within 2 working days")
    assert police[1] == "No data"


def test_manager_pack_puts_exceptions_first(manager_html):
    assert manager_html.index('id="exceptions"') < manager_html.index('id="hub"')
    tables = html_tables(manager_html)
    # Service standard missed: 4 in the base - 2 on time = 2.
    standard = row_of(
        tables["standards"], "Victims first contacted within 2 working days of referral"
    )
    assert standard[1:4] == ["50.0%", "4", "2"]
    # R4: never contacted, not closed, deadline Wed 28 Oct, as-of Sat 31 Oct: 2 working
    # days past (Thu 29 and Fri 30), the lead agency's standard.
    overdue = row_of(tables["overdue_summary"], "First contact overdue")
    assert overdue[1:] == ["1", "2 working days"]
    assert tables["overdue_list_first_contact"][1] == [
        "R4", "Victim Support (lead agency)", "Victim Support (lead agency)", "28 Oct 2026", "2"]


def test_manager_pack_goes_agency_by_agency(manager_html):
    tables = html_tables(manager_html)
    # Agency rows need involvement data (services or agency referrals, docs/decisions.md);
    # the fixture has neither, so the lead agency has no value in any period: its section
    # lists the indicators as without a value, and shows no 0.
    section = manager_html[manager_html.index('id="agency_victim_support"') :]
    assert "Without a value in any of the three periods" in section.split("</section>")[0]
    assert "Referrals received" in section.split("</section>")[0]
    assert "glance_victim_support_operations" not in tables


# --- public -----------------------------------------------------------------------------------


def test_public_report_figures_are_protected_by_hand(public_out):
    tables = html_tables(public_out.report.read_text(encoding="utf-8"))
    gender = tables["referred_by_gender"]
    # People referred in July-September 2026: W01..W23 (August) and V5, V6 (September).
    # Female: W01..W20, V5, V6 = 22, rounded to 20. Non-binary: 3, fewer than 10 in a
    # sensitive cut: [c]. All: 25. Female's share of those recorded: 20 / 25 = 80%.
    assert row_of(gender, "Female")[1:3] == ["20", "80%"]
    assert row_of(gender, "Non-binary")[1] == "[c]"
    assert row_of(gender, "All people referred")[1] == "25"
    # First contact: base 23 + 2 = 25; on time W01..W18 and V5, V6 = 20; 20 / 25 = 80%.
    first = row_of(tables["outcomes_timeliness"], "First contacted within 2 working days")
    assert first[1:] == ["25", "20", "80.0%"]  # a rate: one decimal, as the dashboard
    # Everyone's ethnic group, disability and LGBT+ answer is the same: rule 6 drops the
    # breakdown instead of showing one group holding 100%.
    assert "referred_by_ethnic_group" not in tables
    assert (
        "People referred by ethnic group: not shown for this period"
        in public_out.report.read_text(encoding="utf-8")
    )
    # No assessments at all: "No data", while nobody assessed in the period is a 0.
    wellbeing = row_of(
        tables["outcomes_wellbeing"], "Wellbeing rose meaningfully by the end of support"
    )
    assert wellbeing[-1] == "No data"
    assert row_of(tables["stages"], "Assessed")[1] == "0"


def test_public_release_passes_its_audit(hub):
    # The report prints the published release; its audit ran when it was made.
    con = duckdb.connect(str(hub), read_only=True)
    try:
        assert con.execute(
            "select status, audit from published.periods where period = '2026/27-Q2'"
        ).fetchone() == ("published", "passed")
    finally:
        con.close()


def test_public_outputs_pass_the_scan_and_every_count_is_safe(public_out):
    assert public_out.tables.is_dir() and public_out.files
    assert scan.scan_public_output([public_out.report, public_out.tables]) == []
    html = public_out.report.read_text(encoding="utf-8")
    counts = re.findall(r'data-kind="count">([^<]*)<', html)
    assert counts
    for text in counts:
        assert text == "[c]" or (
            int(text.replace(",", "")) % 5 == 0 and int(text.replace(",", "")) not in range(1, 8)
        ), text
    for path in public_out.files:
        for cell in re.split(r"[,\n]", path.read_text(encoding="utf-8")):
            if cell.strip().isdigit():
                number = int(cell)
                assert number % 5 == 0 and number not in range(1, 8), (path.name, cell)


def _copy_of(hub: Path, folder: Path) -> Path:
    folder.mkdir()
    copy = folder / "hub.duckdb"
    copy.write_bytes(hub.read_bytes())
    return copy


def test_a_release_that_fails_the_audit_writes_nothing(hub, tmp_path, capsys):
    # A release made with exact counts fails its audit when the warehouse is built and
    # is not written; the public report then has no figures to print for the quarter:
    # exit 2, a message naming the period, and no file of any kind.
    copy = _copy_of(hub, tmp_path / "db")
    con = duckdb.connect(str(copy))
    try:
        result = write_public_release(con, protector=publish_exact)
    finally:
        con.close()
    assert not result.passed
    out = tmp_path / "out" / "public.html"
    assert main(args(copy, out, "public", "2026/27-Q2")) == 2
    message = capsys.readouterr().err
    assert "2026/27-Q2 is not in the published release" in message
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_the_scan_stops_an_unaudited_under_protected_release(hub, tmp_path):
    # Tamper with the published tables (test only) so they hold exact counts: the scan is
    # the last guard. Female 22 and non-binary 3, as the quarter's true counts.
    copy = _copy_of(hub, tmp_path / "db")
    con = duckdb.connect(str(copy))
    try:
        for category, count in (("female", 22), ("non_binary", 3)):
            con.execute(
                "update published.tables set count = ?, display = ? where period = "
                "'2026/27-Q2' and table_name = 'referred_by_gender' and category = ?",
                [count, str(count), category],
            )
    finally:
        con.close()
    out = tmp_path / "out" / "public.html"
    out.parent.mkdir()
    with pytest.raises(ReleaseBlocked):
        write_report(copy, "public", "2026/27-Q2", "html", out)
    assert list(out.parent.iterdir()) == []
    # The same release rendered by hand: the scan finds the non-binary 3 and the 22 women.
    con = data.open_warehouse(copy)
    try:
        from metrics.report import build_report

        report = build_report(con, "public", "2026/27-Q2")
    finally:
        con.close()
    page = tmp_path / "unsafe.html"
    page.write_text(render.html(report), encoding="utf-8")
    found = {(f.rule, f.value) for f in scan.scan_public_output([page])}
    assert ("count_small", "3") in found
    assert ("count_not_rounded", "22") in found


def test_public_refuses_a_month_and_any_period_after_the_as_of(hub, tmp_path, capsys):
    out = tmp_path / "public.html"
    assert main(args(hub, out, "public", "2026-09")) == 2
    assert "not a month" in capsys.readouterr().err
    # As-of 31 October 2026: 2026/27-Q3 (October to December) has not ended.
    assert main(args(hub, out, "manager", "2026/27-Q3")) == 2
    assert "after the warehouse's as-of month (October 2026)" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# --- pcc ----------------------------------------------------------------------------------------


def test_pcc_review_controls_the_sensitive_cuts(hub, tmp_path):
    out = tmp_path / "pcc.html"
    write_report(hub, "pcc", "2026/27-Q2", "html", out)
    html = out.read_text(encoding="utf-8")
    tables = html_tables(html)
    gender = tables["referred_by_gender"]
    # Non-binary 3 is a sensitive cut: [c]. Female 22 and All 25 are not sensitive, so the
    # pcc audience sees them exact, unless they give the 3 away: 25 - 22 - 0 (male, other,
    # unknown) = 3. So at least one of them must be hidden too.
    assert row_of(gender, "Non-binary")[1] == "[c]"
    assert "[c]" in (row_of(gender, "Female")[1], row_of(gender, "All")[1])
    # The value-for-money section says "projected", the price base year and the sources.
    assert "projected" in html.lower()
    assert "Price base year" in html
    assert row_of(tables["parameters"], "wellby_value_gbp")[-1].startswith("HM Treasury")
    # The scorecard has the three themes x three horizons.
    assert len(tables["scorecard"]) == 1 + 9


def test_the_html_is_self_contained(manager_html, public_out):
    # No scripts, no links, no images or styles fetched: charts are inline SVG.
    for html in (manager_html, public_out.report.read_text(encoding="utf-8")):
        lowered = html.lower()
        for fetch in ("<script", "<link", "src=", "href=", "@import", "url(http"):
            assert fetch not in lowered, fetch
        assert "<svg" in lowered
