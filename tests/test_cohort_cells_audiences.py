"""Issue 13's acceptance rule for every audience, on a generated hub (600 referrals, Dec
2023 to Nov 2026, as of 30 November 2026): "no cohort cell shows only a status where a
measurable cohort of the same length exists".

For the manager and the PCC, over the dashboard's default view (Dec 2025 to Nov 2026),
the last 8 financial quarters and the last 3 financial years: every scorecard card and
every agency of the theme pages' breakdown by agency whose period is not yet measurable
shows the latest measurable cohort of the same length, where one exists; the windows
are enumerated here from the monthly statuses, independently of `metrics.maturity`.

For the public, over the published quarters among those 8: every public scorecard card,
every outcome row of the bulletin (in a note under its table: the row keeps the status the
public dashboard writes) and every row of the change table (bulletin and public dashboard)
whose quarter is not yet measurable gives the latest earlier published quarter in which
the indicator is measurable (found here straight from `published.indicator_quarter`), its
figure as published, and the date the quarter matures (worked out here by hand from the
catalogue's window).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from types import SimpleNamespace

import pandas as pd
import pytest

from dashboard import period_cells, scorecard
from metrics import queries as q
from metrics.build import build
from metrics.generate import generate
from metrics.period import add_months, month_range, parse, quarter_options, year_options
from metrics.report import build_report

pytestmark = pytest.mark.slow

D = dt.date
DEFAULT = month_range(D(2025, 12, 1), D(2026, 11, 1))
QUARTERS = [parse(p) for p in quarter_options(D(2023, 12, 1), D(2026, 11, 1))[:8]]
YEARS = [parse(p) for p in year_options(D(2023, 12, 1), D(2026, 11, 1))[:3]]
PERIODS = [DEFAULT, *QUARTERS, *YEARS]
MEASURED = ("ok", "empty_base")


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cohort_cells")
    generate(folder / "extract", referrals=600, seed=3, end="2026-11", months=36, quiet=True)
    build(folder / "extract", folder / "w.duckdb")
    connection = q.connect(folder / "w.duckdb")
    yield connection
    connection.close()


def _run(con, name, audience, filters):
    return q.QUERIES[name].function(con, audience, filters)


def _is_cohort(entry) -> bool:
    return any(not pd.isna(entry.get(c)) and entry.get(c) for c in ("censor_days",
                                                                      "censor_months"))


def _latest_window(trend: pd.DataFrame, indicator: str, length: int, last: dt.date):
    """Independently: (first, last) of the latest run of `length` months ending on or
    before `last`, each ok or nobody in the base, at least one ok."""
    rows = trend[trend["indicator_id"] == indicator]
    months = {pd.Timestamp(r["period_start"]).date(): r["status"]
              for r in rows.to_dict("records")}
    month = last
    while months and month >= min(months):
        window = [add_months(month, -i) for i in range(length)]
        statuses = [months.get(m) for m in window]
        if all(s in MEASURED for s in statuses) and "ok" in statuses:
            return window[-1], window[0]
        month = add_months(month, -1)
    return None


def _view(con, audience, period, agency="all"):
    filters = q.Filters(period.first, period.last, agency)
    build_row = _run(con, "build_info", audience, filters).iloc[0].to_dict()
    return SimpleNamespace(period=period, audience=audience, filters=filters,
                           build=tuple(build_row.items()))


@pytest.mark.parametrize("audience", ["manager", "pcc"])
def test_scorecard_and_agency_breakdown_stand_in_with_the_latest_cohort(con, audience):
    checked = {"scorecard": 0, "agencies": 0}
    for period in PERIODS:
        view = _view(con, audience, period)
        catalogue = _run(con, "catalogue", audience, view.filters)
        summary = _run(con, "indicator_summary", audience, view.filters)
        trend = _run(con, "indicator_trend", audience, view.filters)
        cards = scorecard.build(catalogue, summary, trend, pd.DataFrame(), view)
        by_id = {c.figure.indicator_id: c for items in cards.values() for c in items}
        cohorts = [e for e in catalogue.to_dict("records") if _is_cohort(e)]
        for entry in cohorts:
            card = by_id.get(entry["indicator_id"])
            if card is None or card.figure.shown:
                continue
            assert card.figure.status == "not_yet_measurable", (period.label, entry)
            found = _latest_window(trend, entry["indicator_id"], period.months, period.last)
            if found is not None:
                checked["scorecard"] += 1
                assert card.cell.stands_in, (audience, period.label, entry["indicator_id"])
                assert (card.cell.cohort.first, card.cell.cohort.last) == found
            else:
                assert card.cell.no_cohort_text(), (period.label, entry["indicator_id"])

        by_agency = _run(con, "indicator_by_agency", audience, view.filters)
        trends = {}

        def trend_of(agency, view=view, trends=trends):
            if agency not in trends:
                trends[agency] = _run(con, "indicator_trend", audience,
                                      replace(view.filters, agency=agency))
            return trends[agency]

        for entry in cohorts:
            if not entry["has_agency_rows"]:
                continue
            rows = by_agency[by_agency["indicator_id"] == entry["indicator_id"]]
            cells = period_cells.for_agencies(entry, rows, view, trend_of)
            waiting = rows[rows["status"] == "not_yet_measurable"]
            assert set(cells) == set(waiting["agency"])
            columns = period_cells.agency_columns(rows["agency"], cells)
            for agency, index in zip(waiting["agency"], waiting.index, strict=True):
                found = _latest_window(trend_of(agency), entry["indicator_id"],
                                       period.months, period.last)
                cell = cells[agency]
                if found is None:
                    assert cell.cohort is None and cell.no_cohort_text()
                    continue
                checked["agencies"] += 1
                assert (cell.cohort.first, cell.cohort.last) == found, (
                    audience, period.label, entry["indicator_id"], agency)
                assert columns.loc[index, "latest_cohort_value"] == cell.cohort.value
                assert columns.loc[index, "latest_cohort_months"].endswith(
                    cell.cohort.words())
    # the hub has cohorts standing in on both surfaces
    assert checked["scorecard"] >= 10 and checked["agencies"] >= 10, checked


def _window_end(last_month: dt.date, entry) -> dt.date:
    """By hand: the quarter's last day plus the window (days, or calendar months with the
    day clamped to the target month's end)."""
    end = add_months(last_month, 1) - dt.timedelta(days=1)
    if not pd.isna(entry["censor_days"]) and entry["censor_days"]:
        return end + dt.timedelta(days=int(entry["censor_days"]))
    target = add_months(last_month, int(entry["censor_months"]))
    target_end = add_months(target, 1) - dt.timedelta(days=1)
    return target.replace(day=min(end.day, target_end.day))


def test_public_scorecard_and_bulletin_give_the_latest_published_quarter(con):
    published = con.execute(
        "select i.indicator_id, i.period, i.period_start, i.status, i.numerator, "
        "i.denominator, i.value from published.indicator_quarter as i "
        "inner join published.periods as p on i.period = p.period "
        "where p.status = 'published'").df()
    published["period_start"] = pd.to_datetime(published["period_start"]).dt.date
    labels = set(published["period"])
    checked = {"scorecard": 0, "bulletin": 0, "c": 0, "changes": 0}
    from metrics.report.public import WORDS

    label_of = {words: indicator for indicator, (words, _) in WORDS.items()}
    for period in [p for p in QUARTERS if p.label in labels]:
        view = _view(con, "public", period)
        catalogue = _run(con, "catalogue", "public", view.filters)
        summary = _run(con, "indicator_summary", "public", view.filters)
        trend = _run(con, "indicator_trend", "public", view.filters)
        latest = _run(con, "latest_cohorts", "public", view.filters)
        cards = scorecard.build(catalogue, summary, trend, pd.DataFrame(), view, latest)
        by_id = {c.figure.indicator_id: c for items in cards.values() for c in items}
        report = build_report(con, "public", period.label)
        outcome_tables = [t for t in report.tables() if t.key.startswith("outcomes_")]
        rows = {r[0].text: (r, t.notes) for t in outcome_tables for r in t.rows}
        [change_table] = [t for t in report.tables() if t.key == "changes"]
        lines = _run(con, "change_lines", "public", view.filters).set_index("measure")
        for entry in catalogue.to_dict("records"):
            indicator = entry["indicator_id"]
            card = by_id.get(indicator)
            if not _is_cohort(entry) or card is None or card.figure.status != (
                    "not_yet_measurable"):
                continue
            mine = published[published["indicator_id"] == indicator]
            earlier = mine[(mine["period_start"] < period.first)
                           & mine["status"].isin(["ok", "suppressed"])]
            matures = _window_end(period.last, entry)
            assert card.cell.matures == matures, (period.label, indicator)
            words = [w for w, i in label_of.items() if i == indicator]
            row, notes = rows.get(words[0], (None, [])) if words else (None, [])
            note = ""
            if row is not None:  # the row keeps the status; the note under the table adds
                checked["bulletin"] += 1
                assert row[-1].text == "Not yet measurable"
                [note] = [n for n in notes
                          if n.startswith(f"{words[0]}: Not yet measurable; ")]
                assert note.startswith(f"{words[0]}: Not yet measurable; matures on "
                                       f"{matures.day} {matures:%B %Y}")
            if earlier.empty:
                assert not card.cell.stands_in
                continue
            best = earlier.loc[earlier["period_start"].idxmax()]
            checked["scorecard"] += 1
            assert card.cell.stands_in, (period.label, indicator)
            assert card.cell.cohort.first == best["period_start"]
            if best["status"] == "suppressed":
                checked["c"] += 1
                assert not card.cell.cohort.shown
            elif entry["kind"] == "rate":
                assert card.cell.cohort.value == pytest.approx(
                    best["numerator"] / best["denominator"])
            else:
                assert card.cell.cohort.value == pytest.approx(best["value"])
            measure = WORDS[indicator][0] if indicator in WORDS else None
            if measure in lines.index:  # the change table's row: given under it, on both
                said = lines.loc[measure, "latest_measurable"]
                assert f"latest measurable quarter, {parse(best['period']).title()}: " in said
                assert f"{measure}: {said}." in change_table.notes
                checked["changes"] += 1
            if row is not None:
                quarter = parse(best["period"])
                assert f"latest measurable quarter, {quarter.title()}: " in note
                if best["status"] == "suppressed":
                    assert note.endswith(": [c].")
    assert checked["scorecard"] >= 10 and checked["bulletin"] >= 10, checked
    assert checked["changes"] >= 10, checked
