"""What a report may cover: the checks on a period before a report is built.

The periods themselves (months, financial quarters and years, their labels, titles and
arithmetic) are in `metrics.period`. A report covers a month, a quarter or a financial
year, never a custom range; it may not cover a month after the warehouse's as-of month
(its figures would be partly invented by absence) nor one before the warehouse's first.
"""

from __future__ import annotations

import datetime as dt

from metrics.period import Period, PeriodError, month_name
from metrics.period import parse as parse_period

__all__ = ["AUDIENCE_KINDS", "Period", "PeriodError", "check_audience", "check_covered",
           "check_reportable", "parse_period"]


def check_reportable(period: Period, as_of: dt.date) -> None:
    """Refuse a period that ends after the as-of month of the warehouse."""
    as_of_month = as_of.replace(day=1)
    if period.last > as_of_month:
        raise PeriodError(
            f"the period {period.label} ends in {month_name(period.last)}, after the "
            f"warehouse's as-of month ({month_name(as_of_month)}); report a period that "
            "has ended by the as-of date, or build the warehouse from a later extract"
        )


def check_covered(period: Period, first_month: dt.date | None) -> None:
    """Refuse a period that starts before the first month the warehouse holds: its
    figures would read as 0 where the records simply do not reach."""
    if first_month is None or period.first < first_month:
        start = (
            "holds no months" if first_month is None else (f"starts in {month_name(first_month)}")
        )
        raise PeriodError(
            f"the period {period.label} starts in {month_name(period.first)}, but the "
            f"warehouse {start}; report a period the extract covers in full"
        )


AUDIENCE_KINDS = {
    "manager": ("month", "quarter", "year"),
    "pcc": ("month", "quarter", "year"),
    "public": ("quarter", "year"),
}


def check_audience(period: Period, audience: str) -> None:
    """The public report is quarterly or yearly only (spec: disclosure, audiences); no
    report covers a custom range of months."""
    if period.kind in AUDIENCE_KINDS[audience]:
        return
    if audience == "public" and period.kind == "month":
        raise PeriodError(
            f"the {audience} report covers a financial quarter (such as 2026/27-Q2) or a "
            "financial year (such as 2026/27), not a month: monthly figures are not "
            "published"
        )
    kinds = {"month": "a month (2026-10)", "quarter": "a financial quarter (2026/27-Q2)",
             "year": "a financial year (2026/27)"}
    allowed = [kinds[k] for k in AUDIENCE_KINDS[audience]]
    listed = ", ".join(allowed[:-1]) + " or " + allowed[-1] if len(allowed) > 1 else allowed[0]
    raise PeriodError(f"the {audience} report covers {listed}, not a range of months")
