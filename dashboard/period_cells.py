"""The dashboard's side of `metrics.period_figures`: the cells of the chosen period for the
scorecard and the theme pages, the change a card may draw with an arrow, and the columns
the downloads carry (latest measurable cohort, matures on, change and its verdict)."""

from __future__ import annotations

import pandas as pd

from metrics import change as changes
from metrics import period_figures as pf
from metrics.maturity import matures_on
from metrics.period import add_months, month_range, period_starting

VERDICT_WORDS = {
    changes.BEYOND_NOISE: "beyond noise",
    changes.NO_CLEAR_CHANGE: "no clear change",
    changes.NOT_COMPARABLE: "not comparable",
    changes.NOT_TESTED: "not tested for noise",
}


def setting(view, trend: pd.DataFrame | None) -> pf.Setting:
    first = trend["period_start"].min() if trend is not None and len(trend) else None
    return pf.Setting.from_build(dict(getattr(view, "build", ()) or ()), first)


def for_view(catalogue: pd.DataFrame, trend: pd.DataFrame | None, view,
             summary: pd.DataFrame | None = None, latest: pd.DataFrame | None = None
             ) -> dict[str, pf.PeriodCell]:
    """Every indicator's cell for the view's period, from the monthly rows the page loaded
    (`indicator_trend`). The public view has published quarters, not months: its cells
    hold the quarter and its change on the quarter before (from `indicator_summary`),
    and, where a cohort indicator's quarter is not yet measurable, the latest published
    quarter that is and when the quarter matures (`latest`: the `latest_cohorts` query)."""
    if getattr(view, "audience", "manager") == "public":
        return _published_cells(catalogue, summary, view.period, latest)
    if trend is None or trend.empty:
        return {}
    return pf.cells(catalogue, trend, view.period, setting(view, trend))


def _pooled(row: dict, first, last) -> pf.Pooled:
    def number(column):
        value = row.get(column)
        return None if value is None or pd.isna(value) else float(value)

    months_ok = row.get("months_ok")
    return pf.Pooled(first, last, str(row.get("status")),
                     0 if months_ok is None or pd.isna(months_ok) else int(months_ok),
                     number("numerator"), number("denominator"), number("value"))


def _latest_quarters(latest: pd.DataFrame | None) -> dict[str, dict]:
    if latest is None or latest.empty:
        return {}
    return {r["indicator_id"]: r for r in latest.to_dict("records")}


def _published_cohort(found: dict | None) -> dict:
    """The PeriodCell fields of a quarter not yet measurable: the latest published quarter
    that is (its figure as published: `[c]` has no value) and the date it matures."""
    if found is None:
        return {}
    def day(column):
        value = found.get(column)
        return None if value is None or pd.isna(value) else pd.Timestamp(value).date()

    out = {"matures": day("matures_on"), "maturity": str(found.get("maturity") or "")}
    first, last = day("latest_first"), day("latest_last")
    if first is not None and last is not None:
        met = found.get("latest_met")
        out["cohort"] = _pooled({
            "status": found["latest_status"], "months_ok": month_range(first, last).months,
            "numerator": found.get("latest_value") if met is None or pd.isna(met) else met,
            "denominator": found.get("latest_base"), "value": found.get("latest_value"),
        }, first, last)
    return out


def _published_cells(catalogue: pd.DataFrame, summary: pd.DataFrame | None, period,
                     latest: pd.DataFrame | None = None) -> dict[str, pf.PeriodCell]:
    if summary is None or summary.empty:
        return {}
    cohorts = _latest_quarters(latest)
    rows = {(r["indicator_id"], r["bucket"]): r for r in summary.to_dict("records")}
    before = period.previous()
    out = {}
    for entry in catalogue.to_dict("records"):
        rule = pf.Rule.from_entry(entry)
        current = rows.get((rule.indicator_id, "current"))
        if current is None:
            continue
        figure = _pooled(current, period.first, period.last)
        earlier = rows.get((rule.indicator_id, "previous"))
        comparison = None
        if earlier is not None and figure.shown:
            earlier_figure = _pooled(earlier, before.first, before.last)
            if earlier_figure.shown:
                comparison = pf.compare(rule, figure, earlier_figure)
        out[rule.indicator_id] = pf.PeriodCell(rule, period, figure, previous=comparison,
                                               **_published_cohort(cohorts.get(rule.indicator_id)))
    return out


def published_quarter(cell: pf.PeriodCell):
    """The public's latest measurable published quarter a cell stands in with (a Period)."""
    return period_starting("quarter", cell.cohort.first)


def delta(cell: pf.PeriodCell | None) -> tuple[str | None, str]:
    """(the change a metric shows with an arrow, the words after it); (None, '') unless
    the change is beyond noise."""
    if cell is None or cell.previous is None or not cell.previous.arrow:
        return None, ""
    comparison = cell.previous
    return comparison.difference_text, f"on {comparison.earlier.words()}, beyond noise"


def change_note(cell: pf.PeriodCell | None, fallback: str | None = None) -> str:
    """The change in words where it gets no arrow ('' where it does). `fallback`: the
    figure's own change for a median, which the cell does not recompute."""
    if cell is None or cell.previous is None or cell.previous.arrow:
        return ""
    comparison = cell.previous
    if (comparison.change.verdict == changes.NOT_TESTED and not comparison.difference_text
            and fallback):
        return f"{fallback} on the period before, not tested for noise"
    return comparison.text()


def columns(cell: pf.PeriodCell | None) -> dict:
    """What a download carries beside a period figure."""
    empty = {"period_note": "", "latest_cohort_value": None, "latest_cohort_months": "",
             "latest_cohort_numerator": None, "latest_cohort_base": None,
             "latest_cohort_ci_low": None, "latest_cohort_ci_high": None, "matures_on": "",
             "change_on_previous": "", "change_verdict": ""}
    if cell is None:
        return empty
    out = dict(empty)
    out["period_note"] = cell.status_text() or cell.months_note() or cell.no_cohort_text()
    if cell.cohort is not None:
        out.update(latest_cohort_value=cell.cohort.value,
                   latest_cohort_months=cell.cohort_words(),
                   latest_cohort_numerator=cell.cohort.numerator,
                   latest_cohort_base=cell.cohort.denominator)
        if cell.cohort.interval is not None:
            out["latest_cohort_ci_low"], out["latest_cohort_ci_high"] = cell.cohort.interval
    if cell.matures is not None:
        out["matures_on"] = cell.matures.isoformat()
    if cell.previous is not None:
        out["change_on_previous"] = cell.previous.text()
        out["change_verdict"] = VERDICT_WORDS[cell.previous.change.verdict]
    return out


def is_cohort(entry) -> bool:
    """A cohort indicator: the catalogue gives it a censoring window."""
    return pf.Rule.from_entry(entry).is_cohort


def month_matures(entry, months: pd.Series, statuses: pd.Series, months_a_row: int = 1
                  ) -> list[str]:
    """For a trend download: the date each row (a month, or `months_a_row` months from
    its first: the public's quarters) that is not yet measurable matures on, from its last
    month (YYYY-MM-DD; '' for the others)."""
    rule = pf.Rule.from_entry(entry)
    out = []
    for month, status in zip(months, statuses, strict=True):
        last = add_months(pd.Timestamp(month).date(), months_a_row - 1)
        date = (matures_on(last, rule.censor_days, rule.censor_months)
                if status == "not_yet_measurable" else None)
        out.append(date.isoformat() if date is not None else "")
    return out


def for_agencies(entry, statuses: pd.DataFrame, view, trend_of) -> dict[str, pf.PeriodCell]:
    """The agency breakdown's cells: for each agency (`statuses`: the breakdown's rows,
    agency and status) whose period is not yet measurable for a cohort indicator, its cell
    from its own monthly rows (`trend_of(agency)`: `indicator_trend` for that agency), so
    that it holds the agency's latest measurable cohort of the same length."""
    rule = pf.Rule.from_entry(entry)
    if not rule.is_cohort:
        return {}
    out = {}
    for agency in statuses.loc[statuses["status"] == "not_yet_measurable", "agency"]:
        trend = trend_of(agency)
        if trend is None:
            continue
        rows = trend[trend["indicator_id"] == rule.indicator_id]
        out[agency] = pf.period_cell(rule, rows, view.period, setting(view, trend))
    return out


AGENCY_COLUMNS = ["latest_cohort_value", "latest_cohort_numerator", "latest_cohort_base",
                  "latest_cohort_months", "matures_on"]


def agency_columns(agencies: pd.Series, cells: dict[str, pf.PeriodCell]) -> pd.DataFrame:
    """What the agency breakdown's table carries beside each agency's figure: its latest
    measurable cohort (value, people with the outcome, base, months) and when the period
    matures, where the period is not yet measurable."""
    rows = [{c: columns(cells.get(agency))[c] if agency in cells else columns(None)[c]
             for c in AGENCY_COLUMNS} for agency in agencies]
    return pd.DataFrame(rows, columns=AGENCY_COLUMNS, index=agencies.index)


def agency_cohort_lines(cells: dict[str, pf.PeriodCell], name_of) -> list[str]:
    """'Victim support: latest measurable 12 months: 61.2% (87 of 142; ...), people who
    closed ...' for each agency that has one, else when its first cohort matures."""
    lines = []
    for agency, cell in cells.items():
        text = cell.cohort_text() or cell.no_cohort_text()
        if text:
            lines.append(f"{name_of(agency)}: {text}")
    return lines


def stand_in(entry, trend: pd.DataFrame | None, view) -> pf.PeriodCell | None:
    """The whole hub's cell for a cohort indicator whose period is not yet measurable but
    has a latest measurable cohort of the same length (None otherwise): the breakdowns by
    crime type, enhanced rights and area then count that cohort's months."""
    if trend is None or trend.empty or getattr(view, "audience", "manager") == "public":
        return None
    rule = pf.Rule.from_entry(entry)
    if not rule.is_cohort:
        return None
    cell = pf.period_cell(rule, trend[trend["indicator_id"] == rule.indicator_id],
                          view.period, setting(view, trend))
    return cell if cell.stands_in else None


def stand_in_words(cell: pf.PeriodCell, period_title: str) -> str:
    """'the latest measurable 3 months, people who closed Sep 2025 to Nov 2025 (July to
    September 2026 is not yet measurable; matures on 30 Sep 2027)'."""
    length = "month" if cell.period.months == 1 else f"{cell.period.months} months"
    text = (f"the latest measurable {length}, {cell.cohort_words()} ({period_title} is not "
            "yet measurable")
    return text + (f"; {cell.maturity})" if cell.maturity else ")")


def latest_whole_window(indicator: str, trend: pd.DataFrame | None, view):
    """`period_figures.latest_whole_window` for the view's period (manager and PCC only:
    the public reads published quarters)."""
    if trend is None or getattr(view, "audience", "manager") == "public":
        return None
    return pf.latest_whole_window(trend, indicator, view.period.months, view.period.last)
