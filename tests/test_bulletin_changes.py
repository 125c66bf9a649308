"""The public bulletin's change lines and eight-quarter trend, from the published release
only (issue 13, item 5).

A hand-made release of three quarters: 2025/26-Q2 (July to September 2025), 2026/27-Q1
and 2026/27-Q2; 2025/26-Q3 and Q4 are not in it (say refused by their audit). The
figures, all as published (rounded to 5):

| quarter    | people referred | first contacted within 2 working days (met / base) |
| 2025/26-Q2 | 100             | 75 / 100                                           |
| 2026/27-Q1 | 195             | 60 / 100                                           |
| 2026/27-Q2 | 200             | 80 / 100                                           |

Rates, 2026/27-Q2 against 2026/27-Q1: 80% against 60%. Wilson 95% limits: 80/100 ->
0.7112 to 0.8666; 60/100 -> 0.5020 to 0.6906. Newcombe's interval for the difference
0.2: lower 0.2 - sqrt((0.8 - 0.7112)^2 + (0.6906 - 0.6)^2) = 0.2 - 0.1269 = 0.0731,
above 0: beyond noise, a rise of 20.0 points. Against 2025/26-Q2 (75/100: 0.6570 to
0.8245): lower 0.05 - sqrt(0.0888^2 + 0.0745^2) = 0.05 - 0.1159 = -0.0660, below 0: no
clear change.
Counts: 200 against 195, the exact conditional test gives p = 0.84: no clear change;
200 against 100, p = 8e-9: beyond noise, a rise of 100 people.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import public_changes
from metrics import queries as q
from metrics.build import build
from metrics.change import BEYOND_NOISE, NO_CLEAR_CHANGE
from metrics.generate import generate
from metrics.period import quarter
from metrics.published import changes
from metrics.published.schema import write_schema
from metrics.report import build_report, bulletin_changes, data
from metrics.report.public import MAIN_POINTS, WORDS
from metrics.report.render import Figure, Table

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
RATE = "first_contact_2wd"
QUARTERS = {  # label: (first month, people referred, met, base)
    "2025/26-Q2": (dt.date(2025, 7, 1), 100, 75, 100),
    "2026/27-Q1": (dt.date(2026, 4, 1), 195, 60, 100),
    "2026/27-Q2": (dt.date(2026, 7, 1), 200, 80, 100),
}


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    connection.execute("create schema meta")
    connection.execute("create table meta.build as select 'b1'::varchar as build_id, "
                       "date '2026-11-30' as as_of")
    periods, cells = [], []
    for label, (first, referred, met, base) in QUARTERS.items():
        periods.append({"period": label, "first_month": first,
                        "last_month": first.replace(month=first.month + 2),
                        "status": "published", "releases": 1, "first_build_id": "b1",
                        "last_kind": "first", "audit": "passed"})
        for table, dimension, category, count in (
            ("stages", "stage", "referred", referred),
            (f"{RATE}_base", "", "all", base),
            (f"{RATE}_met", "", "all", met),
        ):
            cells.append({"period": label, "table_name": table, "dimension": dimension,
                          "category": category, "count": count, "display": f"{count:,}",
                          "legend": ""})
    release = pd.DataFrame([{"build_id": "b1", "as_of": dt.date(2026, 11, 30),
                             "status": "published"}])
    frames = {"periods": pd.DataFrame(periods), "tables": pd.DataFrame(cells),
              "release": release.reindex(columns=[
                  "build_id", "as_of", "released_at", "status", "quarters", "refused",
                  "audit", "tables", "cells", "hidden", "archive", "rules", "methods",
                  "parameters_note"])}
    write_schema(connection, frames)
    yield connection
    connection.close()


def _texts(table: Table) -> list[list[str]]:
    return [[c.text for c in row] for row in table.rows]


def test_change_lines_from_the_rounded_published_figures(con):
    quarters = changes.Quarters(con)
    current, on_previous, on_year = changes.change_lines(quarters, quarter("2026/27-Q2"), RATE)
    assert (current.met, current.base, current.rate) == (80, 100, 0.8)
    assert on_previous.change.verdict == BEYOND_NOISE
    assert on_previous.change.interval[0] == pytest.approx(0.0731, abs=1e-4)
    assert on_previous.direction == 1
    assert on_year.change.verdict == NO_CLEAR_CHANGE
    assert on_year.change.interval[0] == pytest.approx(-0.0660, abs=1e-4)
    assert on_year.direction == 0
    people, on_previous, on_year = changes.change_lines(
        quarters, quarter("2026/27-Q2"), changes.PEOPLE_REFERRED)
    assert people.count == 200
    assert on_previous.change.verdict == NO_CLEAR_CHANGE
    assert on_previous.change.p_value == pytest.approx(0.8405, abs=1e-4)
    assert on_year.change.verdict == BEYOND_NOISE
    assert on_year.direction == 1


def test_only_a_change_beyond_noise_rises_or_falls_in_the_bulletin(con):
    section = bulletin_changes.section(
        changes.Quarters(con), quarter("2026/27-Q2"), [(RATE, "First contacted")],
        [(RATE, "First contacted")], "source")
    table = section.blocks[0]
    assert table.headers == ["Measure", "2026/27-Q2", "2026/27-Q1",
                             "Change on the previous quarter", "2025/26-Q2",
                             "Change on a year earlier"]
    assert _texts(table) == [
        ["People referred", "200", "195", "no clear change", "100", "▲ rose by 100 people"],
        ["First contacted", "80.0%", "60.0%", "▲ rose 20.0 points", "75.0%",
         "no clear change"],
    ]
    kinds = [[c.kind for c in row] for row in table.rows]
    assert kinds[0][3] == "text" and kinds[0][5] == "moved"  # neither good nor bad
    assert kinds[1][3] == "better" and kinds[1][5] == "text"  # higher is better: green
    # "no clear change" carries no arrow, no colour and no "rose" or "fell"
    for row in table.rows:
        for cell in row:
            if cell.text == "no clear change":
                assert cell.kind == "text"


def test_a_quarter_missing_from_the_release_is_not_comparable(con):
    # 2026/27-Q1 against 2025/26-Q4 (not published) and 2025/26-Q1 (not published)
    section = bulletin_changes.section(
        changes.Quarters(con), quarter("2026/27-Q1"), [(RATE, "First contacted")],
        [(RATE, "First contacted")], "source")
    rows = _texts(section.blocks[0])
    assert rows[1] == ["First contacted", "60.0%", "Not published",
                       "not comparable: 2025/26-Q4: not in the published release",
                       "Not published",
                       "not comparable: 2025/26-Q1: not in the published release"]


def test_the_trend_shows_the_quarters_there_are_and_says_so(con):
    section = bulletin_changes.section(
        changes.Quarters(con), quarter("2026/27-Q2"), [], [(RATE, "First contacted")],
        "source")
    figure = section.blocks[1]
    assert isinstance(figure, Figure)
    # eight quarters back from 2026/27-Q2 would start at 2024/25-Q3; the release starts
    # at 2025/26-Q2, so five quarters, two of them not published
    assert _texts(figure.table) == [
        ["2025/26-Q2", "100", "75.0%"],
        ["2025/26-Q3", "Not published", "Not published"],
        ["2025/26-Q4", "Not published", "Not published"],
        ["2026/27-Q1", "195", "60.0%"],
        ["2026/27-Q2", "200", "80.0%"],
    ]
    assert "the five quarters published so far (fewer than eight exist" in figure.title
    assert "2025/26-Q2" in figure.title
    assert str(figure.chart).count("<rect") >= 5


# --- a generated hub: every figure printed is a published one ---------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("changes")
    generate(root / "extract", referrals=300, seed=5, end="2026-11", months=15, quiet=True)
    db = root / "w.duckdb"
    build(root / "extract", db)
    return db


def _published_cells(db) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select period, table_name, category, count "
                           "from published.tables").df()
    finally:
        con.close()


def test_the_bulletin_prints_only_published_figures(generated):
    con = data.open_warehouse(generated)
    try:
        quarters = sorted(r[0] for r in con.execute(
            "select period from published.periods where status = 'published'").fetchall())
        report = build_report(con, "public", quarters[-1])
    finally:
        con.close()
    cells = _published_cells(generated)
    counts = {}  # (period, table) -> published total
    for r in cells[cells["category"].isin(["all", "referred"])].itertuples():
        if r.category == "all" or r.table_name == "stages":
            counts[(r.period, r.table_name)] = None if pd.isna(r.count) else int(r.count)
    section = next(s for s in report.sections if s.key == "changes")
    table, figure = section.blocks
    # the change table: each quarter's column holds its published count or the rate of
    # its published rounded parts
    for row in table.rows:
        label = row[0].text
        indicator = (changes.PEOPLE_REFERRED if label == "People referred" else next(
            i for i, (words, _) in WORDS.items() if words == label))
        for column in (1, 2, 4):
            period = table.headers[column]
            _check(row[column].text, period, indicator, counts)
        for column in (3, 5):
            text = row[column].text
            assert text == "no clear change" or text.startswith(
                ("▲ rose", "▼ fell", "not comparable: "))
    # the trend table: quarter, people referred, then the main rates
    assert figure.table.headers[1] == "People referred"
    assert len(figure.table.rows) < changes.TREND_QUARTERS  # 15 months: fewer quarters
    assert "published so far (fewer than eight exist" in figure.title
    printed = [c.text for row in [*table.rows, *figure.table.rows] for c in row[1:]]
    assert sum(bool(re.search(r"\d", t)) for t in printed) >= 10  # figures were checked
    for row in figure.table.rows:
        period = row[0].text
        _check(row[1].text, period, changes.PEOPLE_REFERRED, counts)
        for cell, (indicator, _) in zip(row[2:], MAIN_POINTS, strict=True):
            _check(cell.text, period, indicator, counts)


def _check(text: str, period: str, indicator: str, counts: dict) -> None:
    """A printed figure is the published count, or the rate of the published rounded
    parts, of that quarter (or a word: hidden, not published, a status)."""
    if not re.search(r"\d", text):
        return
    if indicator == changes.PEOPLE_REFERRED:
        assert int(text.replace(",", "")) == counts[(period, "stages")]
        return
    met, base = counts[(period, f"{indicator}_met")], counts[(period, f"{indicator}_base")]
    assert text == f"{met / base * 100:.1f}%"
    assert met % 5 == 0 and base % 5 == 0


def test_the_public_dashboard_shows_the_bulletins_change_lines(generated, monkeypatch):
    con = data.open_warehouse(generated)
    try:
        latest = con.execute("select period, first_month, last_month from published.periods "
                             "where status = 'published' order by first_month desc "
                             "limit 1").fetchone()
        report = build_report(con, "public", latest[0])
        lines = q.QUERIES["change_lines"].function(
            con, "public", q.Filters(latest[1], latest[2]))
    finally:
        con.close()
    table = next(s for s in report.sections if s.key == "changes").blocks[0]
    assert lines[public_changes.SHOWN].values.tolist() == _texts(table)
    assert list(lines[["period", "previous_period", "year_earlier_period"]].iloc[0]) == \
        table.headers[1:3] + [table.headers[4]]
    # the page draws them for the public, and only for the public
    monkeypatch.setenv("HUBVALUE_DB", str(generated))
    monkeypatch.setenv("HUBVALUE_AUDIENCE", "public")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    drawn = [d.value for d in at.dataframe if "change_on_previous" in d.value.columns]
    assert len(drawn) == 1
    assert drawn[0].values.tolist() == _texts(table)
    con = data.open_warehouse(generated)
    try:
        with pytest.raises(q.NotPermitted):
            q.QUERIES["change_lines"].function(con, "manager", q.Filters())
    finally:
        con.close()
