"""When a cohort matures, and the latest measurable cohort (spec: evidence.md, section 2).

A cohort month of an indicator with a censoring window is `not_yet_measurable` until its
window has closed by the as-of date and, where the catalogue names a coverage table, by
that table's coverage date (`sql/intermediate/int_assembly_indicator_status.sql`):

    window end = the month's last day + censor_days days, or
                 the month's last day + censor_months calendar months

(calendar months as DuckDB adds them: a day past the end of the target month is clamped
to its last day, so 28 Feb + 6 months = 28 Aug and 31 Aug + 6 months = 28 Feb).

**Matures on** is the first as-of date at which the month stops being
`not_yet_measurable`: the window end itself. It is the status rule's date, so the date a
reader is given and the day the figure appears never disagree. (evidence.md words the
NHS case as "the last day of the sixth month after it"; for months of 31 days that is the
same date, otherwise the status rule of indicators.md, "last day + 6 months", is up to 3
days earlier, and that rule decides: see docs/decisions.md.)

**Latest measurable cohort** of length N (1, 3 or 12 months, or a custom range's number
of calendar months): the N-month window ending at the latest month, up to the selected
period's end, in which every month is `ok` or `empty_base` and at least one is `ok`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from metrics.formatting import month_words, short_date
from metrics.period import add_months, month_end, month_range, shift_by_months
from metrics.queries import wilson_interval

MEASURED = frozenset({"ok", "empty_base"})

# how the people of a cohort are described, by the catalogue's cohort_month
COHORT_WORDS = {
    "closed": "people who closed",
    "referral": "people referred",
    "survey": "people surveyed",
    "sent": "agency referrals sent",
    "target_hardening": "homes made safer",
    "redirect": "agency referrals redirected",
}


def matures_on(month: dt.date, censor_days: int | None = None,
               censor_months: int | None = None) -> dt.date | None:
    """The first as-of date at which the cohort month is measurable (None: no window)."""
    end = month_end(month)
    if censor_days:
        return end + dt.timedelta(days=int(censor_days))
    if censor_months:
        return shift_by_months(end, int(censor_months))
    return None


def maturity_text(month: dt.date, censor_days: int | None, censor_months: int | None,
                  coverage_table: str | None = None,
                  coverage_date: dt.date | None = None) -> str:
    """'matures on 30 Nov 2026', with 'once health_use data reach it (now 15 Oct 2026)'
    where the manifest's coverage date has not reached that date."""
    date = matures_on(month, censor_days, censor_months)
    if date is None:
        return ""
    text = f"matures on {short_date(date)}"
    if coverage_table and coverage_date is not None and coverage_date < date:
        text += f" once {coverage_table} data reach it (now {short_date(coverage_date)})"
    return text


@dataclass(frozen=True)
class MonthFigure:
    """One month of an indicator: its status and parts (indicator_monthly)."""

    status: str
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class Cohort:
    first: dt.date
    last: dt.date
    value: float
    numerator: float
    denominator: float | None
    interval: tuple[float, float] | None

    def words(self, cohort_month: str) -> str:
        who = COHORT_WORDS.get(cohort_month, "people counted")
        return f"{who} {month_words(month_range(self.first, self.last).month_list)}"


def latest_measurable_cohort(months: Mapping[dt.date, MonthFigure], length: int,
                             period_last: dt.date, kind: str) -> Cohort | None:
    """The latest window of `length` consecutive months ending no later than
    `period_last` in which every month is ok or empty_base and at least one is ok; its
    figure pooled over the ok months (a rate: sum of numerators over sum of
    denominators, with a Wilson interval; otherwise the sum)."""
    if length < 1:
        raise ValueError("a cohort has at least one month")
    candidates = sorted(m for m in months if m <= period_last)
    for last in reversed(candidates):
        window = [add_months(last, -i) for i in range(length - 1, -1, -1)]
        figures = [months.get(m) for m in window]
        if any(f is None or f.status not in MEASURED for f in figures):
            continue
        ok = [f for f in figures if f.status == "ok"]
        if not ok:
            continue
        numerator = sum(f.numerator or 0.0 for f in ok)
        if kind == "rate":
            denominator = sum(f.denominator or 0.0 for f in ok)
            if not denominator:
                continue
            return Cohort(window[0], window[-1], numerator / denominator, numerator,
                          denominator, wilson_interval(numerator, denominator))
        return Cohort(window[0], window[-1], numerator, numerator, None, None)
    return None


def first_window_matures(first_month: dt.date, length: int, censor_days: int | None = None,
                         censor_months: int | None = None) -> dt.date | None:
    """Where no measurable cohort exists yet: the date on which the window of `length`
    months starting at the hub's first referral month matures."""
    return matures_on(add_months(first_month, length - 1), censor_days, censor_months)
