"""Issue 12 case 2: the public bulletin prints the published release, the same figures the
public dashboard reads, and a published quarter changes only in a named, audited revision
(`hubvalue publish --revise`).

The warehouse: a generated hub built twice into the same file. The first build's
extract lacks a third of the referrals of April to June 2026 (2026/27-Q1), which arrive
late, in the second build's extract. 2026/27-Q1 was published by the first build and is
frozen: the second build keeps its figures, which are no longer what the warehouse's
records would give. The bulletin must print the frozen figures, as the dashboard does.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil

import duckdb
import pandas as pd
import pytest

from metrics import queries as q
from metrics.build import build
from metrics.cli import main
from metrics.generate import generate
from metrics.published import ReleaseArchive, archive_path_for
from metrics.published.revisions import read_revisions
from metrics.report import build_report, data, render
from metrics.report import text as fmt
from metrics.report.periods import parse_period
from tests.report_support import html_tables

LATE = "2026/27-Q1"
REVISED = "2025/26-Q4"  # no late records: its revision passes its audit


def _drop_late_referrals(folder) -> None:
    path = folder / "referrals.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    date = header.index("referral_date")
    kept = [r for i, r in enumerate(body)
            if not ("2026-04-01" <= r[date] <= "2026-06-30" and i % 3 == 0)]
    assert len(kept) < len(body)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *kept])


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("bulletin")
    full = root / "full"
    generate(full, referrals=400, seed=3, end="2026-11", months=24, quiet=True)
    early = root / "early"
    shutil.copytree(full, early)
    _drop_late_referrals(early)
    db = root / "w.duckdb"
    build(early, db)
    first = _published_counts(db, LATE)
    build(full, db)
    return db, first


def _published_counts(db, period: str) -> dict[tuple[str, str], str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select table_name, category, display from published.tables where period = ?",
            [period],
        ).fetchall()
    finally:
        con.close()
    return {(t, c): d for t, c, d in rows}


def _quarters(db) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [r[0] for r in con.execute(
            "select period from published.periods where status = 'published' "
            "order by first_month").fetchall()]
    finally:
        con.close()


def _shown(display: str) -> str:
    return display if display == "[c]" else f"{int(display):,}"


def _bulletin(db, period: str) -> dict[str, list[list[str]]]:
    con = data.open_warehouse(db)
    try:
        return html_tables(render.html(build_report(con, "public", period)))
    finally:
        con.close()


def _column(table: list[list[str]], index: int = 1) -> list[str]:
    return [row[index] for row in table[1:]]


def test_the_late_records_changed_the_warehouse_but_not_the_frozen_quarter(warehouse):
    db, first = warehouse
    now = _published_counts(db, LATE)
    # every figure first published stays (an outcome measurable since may be added)
    assert {key: now[key] for key in first} == first
    # the referral facts of the quarter now hold more people than its published total
    con = duckdb.connect(str(db), read_only=True)
    try:
        people = con.execute(
            "select count(distinct victim_id) from marts.fct_referrals where referral_month "
            "between date '2026-04-01' and date '2026-06-01'").fetchone()[0]
    finally:
        con.close()
    published = int(first[("stages", "referred")])
    assert abs(people - published) > 2


def test_every_published_quarter_of_the_bulletin_equals_what_the_dashboard_reads(warehouse):
    db, _ = warehouse
    quarters = _quarters(db)
    assert LATE in quarters and len(quarters) >= 6
    dash = q.connect(db)
    try:
        for label in quarters:
            period = parse_period(label)
            published = _published_counts(db, label)
            tables = _bulletin(db, label)
            filters = q.Filters(period.first, period.last)
            # people referred by each characteristic: known groups in order, then not
            # recorded, then everyone
            for dim in data.DEMOGRAPHICS:
                name = f"referred_by_{dim}"
                cells = {c: d for (t, c), d in published.items() if t == name}
                if not cells:
                    assert name not in tables
                    continue
                known = [c for c in cells if c not in ("unknown", "all")]
                expected = [_shown(cells[c]) for c in known] + [
                    _shown(cells[c]) for c in ("unknown", "all") if c in cells]
                assert _column(tables[name]) == expected, (label, name)
            crimes = {c: d for (t, c), d in published.items() if t == "referred_by_crime_type"}
            assert sorted(_column(tables["referred_by_crime_type"])) == sorted(
                _shown(d) for d in crimes.values()), label
            assert _column(tables["stages"]) == [
                _shown(published[("stages", s)]) for s in data.STAGES], label
            # outcomes: base, met and rate as the dashboard's public indicator rows
            summary = q.QUERIES["indicator_summary"].function(dash, "public", filters)
            summary = summary[summary["bucket"] == "current"].set_index("indicator_id")
            for key in ("timeliness", "wellbeing", "prevention", "nhs_demand"):
                for row in tables[f"outcomes_{key}"][1:]:
                    indicator = _indicator_of(row[0])
                    figure = summary.loc[indicator]
                    if figure["status"] == "ok":
                        assert row[1:] == [
                            fmt.count(figure["denominator"]), fmt.count(figure["numerator"]),
                            f"{figure['value'] * 100:.1f}%"], (label, indicator)
                    elif figure["status"] == "suppressed":
                        assert row[3] == "[c]", (label, indicator)
                    else:
                        assert row[3] == fmt.status_word(figure["status"]), (label, indicator)
            # money as the dashboard shows it
            money = {r[0]: r[1:] for r in tables["value_for_money"][1:]}
            total = summary.loc["public_value_total_gbp"]
            if total["status"] == "ok":
                assert money["Total public value"] == [
                    fmt.gbp(total["value_low"]), fmt.gbp(total["value"]),
                    fmt.gbp(total["value_high"])]
            # reach: the ratio the dashboard's public equity page shows
            reach = q.QUERIES["equity_reach"].function(dash, "public", filters)
            for dim in data.DEMOGRAPHICS:
                name = f"referred_by_{dim}"
                rows = reach[reach["characteristic"] == dim]
                if name not in tables or rows.empty or len(tables[name][0]) < 4:
                    continue
                rows = rows[rows["basis"] == sorted(rows["basis"])[0]]
                by_label = {fmt.readable(r["category"]): r for r in rows.to_dict("records")}
                for row in tables[name][1:]:
                    if row[0] in ("Not recorded", "All people referred"):
                        continue
                    figure = by_label[row[0]]
                    expected = (
                        f"{figure['reach_ratio']:.2f}" if not pd.isna(figure["reach_ratio"])
                        else "[c]" if figure["status"] == "suppressed" else "–")
                    assert row[3] == expected, (label, dim, row[0])
    finally:
        dash.close()


def _indicator_of(label: str) -> str:
    from metrics.report.public import WORDS

    [found] = [i for i, (words, _) in WORDS.items() if words == label]
    return found


def _copy(db, folder):
    folder.mkdir()
    copy = folder / "w.duckdb"
    shutil.copy(db, copy)
    shutil.copy(archive_path_for(db), archive_path_for(copy))
    return copy


def test_a_revision_that_fails_its_audit_changes_nothing(warehouse, tmp_path, capsys):
    # Revising the late quarter would let its first release be differenced against the
    # new figures (a third more people referred; small cells such as agency acceptance
    # cannot be kept hidden in both): the audit refuses it, exit 3, nothing changes.
    db, _ = warehouse
    copy = _copy(db, tmp_path / "late")
    before, archive_before = copy.read_bytes(), archive_path_for(copy).read_bytes()
    assert main(["publish", "--db", str(copy), "--revise", LATE, "--reason",
                 "Late records from the lead agency"]) == 3
    err = capsys.readouterr().err
    assert "the revision failed disclosure control and was not written" in err
    assert f"{LATE}: cannot protect" in err
    assert copy.read_bytes() == before
    assert len(ReleaseArchive(archive_path_for(copy)).releases([LATE])[LATE]) == len(
        ReleaseArchive(archive_path_for(db)).releases([LATE])[LATE])
    assert read_revisions(archive_path_for(copy)).empty
    assert archive_path_for(copy).read_bytes() == archive_before


def test_a_revision_is_named_audited_recorded_and_printed(warehouse, tmp_path, capsys):
    db, _ = warehouse
    copy = _copy(db, tmp_path / "revise")
    before = copy.read_bytes()
    # refused: a reason with figures in it, a quarter with no release, a year
    for argv in (["--revise", REVISED, "--reason", "3 late records"],
                 ["--revise", "2027/28-Q1", "--reason", "Late records"],
                 ["--revise", "2025/26", "--reason", "Late records"]):
        assert main(["publish", "--db", str(copy), *argv]) == 2
        err = capsys.readouterr().err
        assert err.startswith("hubvalue publish: --") and err.count("\n") == 1
    assert copy.read_bytes() == before
    first = _published_counts(copy, REVISED)
    assert main(["publish", "--db", str(copy), "--revise", REVISED, "--reason",
                 "Corrected crime types from the lead agency"]) == 0
    capsys.readouterr()
    # every table protected again from the warehouse and audited with the first release,
    # which the archive keeps
    kept = ReleaseArchive(archive_path_for(copy)).releases([REVISED])[REVISED]
    assert [(r.kind, r.audit) for r in kept][-1] == ("revision", "passed")
    assert kept[0].kind == "first"
    revised = _published_counts(copy, REVISED)
    assert set(revised) == set(first)
    con = duckdb.connect(str(copy), read_only=True)
    try:
        assert con.execute(
            "select releases, last_kind from published.periods where period = ?", [REVISED]
        ).fetchone() == (len(kept), "revision")
        build_id = con.execute("select build_id from meta.build").fetchone()[0]
    finally:
        con.close()
    # recorded in the archive: quarter, release, reason, time, build
    [record] = read_revisions(archive_path_for(copy)).to_dict("records")
    assert (record["period"], record["sequence"], record["reason"], record["build_id"]) == (
        REVISED, len(kept), "Corrected crime types from the lead agency", build_id)
    assert abs(pd.Timestamp(record["revised_at"]) - pd.Timestamp(dt.datetime.now())) < (
        pd.Timedelta(minutes=10))
    # the bulletin prints the revised figures and lists the revision; the other
    # quarters list none
    tables = _bulletin(copy, REVISED)
    assert _column(tables["stages"]) == [
        _shown(revised[("stages", s)]) for s in data.STAGES]
    assert tables["revisions"][1][1:] == ["Corrected crime types from the lead agency",
                                          build_id]
    assert "revisions" not in _bulletin(copy, LATE)
    # the published schema holds the record
    con = duckdb.connect(str(copy), read_only=True)
    try:
        assert con.execute("select count(*) from published.revisions").fetchone()[0] == 1
    finally:
        con.close()


def test_the_public_tables_and_rule_6_are_defined_once():
    from metrics.published import specs
    from metrics.report import protected, public

    assert not hasattr(protected, "public_release")
    assert not hasattr(protected, "public_specs")
    assert protected.one_group_holds_everyone is specs.one_group_holds_everyone
    assert not hasattr(public, "protected")
