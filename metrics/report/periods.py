"""Report periods: a month (`2026-10`), a financial quarter (`2026/27-Q2`) or a financial
year (`2026/27`), as indicators.md "Periods" defines them.

The financial year runs April to March; Q1 is April to June, Q2 July to September, Q3
October to December and Q4 January to March. A period is held as its first and last
month (first days of months). A report may not cover a month after the warehouse's
as-of month: its figures would be partly invented by absence.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

KINDS = ("month", "quarter", "year")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})/(\d{2})-Q([1-4])$")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class PeriodError(ValueError):
    """A period that is malformed or cannot be reported (the message says why)."""


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_name(month: dt.date) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def financial_year_of(month: dt.date) -> int:
    """The calendar year in which the month's financial year starts."""
    return month.year if month.month >= 4 else month.year - 1


def _year_label(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


@dataclass(frozen=True)
class Period:
    kind: str
    label: str
    first: dt.date
    last: dt.date

    @property
    def months(self) -> list[dt.date]:
        out, month = [], self.first
        while month <= self.last:
            out.append(month)
            month = add_months(month, 1)
        return out

    @property
    def length(self) -> int:
        return len(self.months)

    def title(self) -> str:
        """Words for headings: 'October 2026', 'July to September 2026 (2026/27 Q2)'."""
        if self.kind == "month":
            return month_name(self.first)
        span = f"{MONTH_NAMES[self.first.month - 1]} {self.first.year} to {month_name(self.last)}"
        if self.first.year == self.last.year:
            span = f"{MONTH_NAMES[self.first.month - 1]} to {month_name(self.last)}"
        if self.kind == "quarter":
            year, quarter = self.label.split("-")
            return f"{span} ({year} {quarter})"
        return f"{span} (financial year {self.label})"

    def shifted(self, months: int) -> Period:
        """The period of the same kind `months` later (negative: earlier)."""
        first = add_months(self.first, months)
        return period_starting(self.kind, first)

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        return self.shifted(-self.length)

    def year_before(self) -> Period:
        return self.shifted(-12)


def period_starting(kind: str, first: dt.date) -> Period:
    if kind == "month":
        return Period("month", first.strftime("%Y-%m"), first, first)
    start = financial_year_of(first)
    if kind == "year":
        if first.month != 4:
            raise PeriodError("a financial year starts in April")
        return Period("year", _year_label(start), first, add_months(first, 11))
    if kind == "quarter":
        if first.month not in (1, 4, 7, 10):
            raise PeriodError("a financial quarter starts in April, July, October or January")
        quarter = ((first.month - 4) % 12) // 3 + 1
        return Period("quarter", f"{_year_label(start)}-Q{quarter}", first, add_months(first, 2))
    raise PeriodError(f"unknown kind of period (use one of {', '.join(KINDS)})")


def _check_year_pair(start: str, end: str) -> int:
    first_year = int(start)
    if (first_year + 1) % 100 != int(end):
        raise PeriodError(
            "a financial year is written as its first year and the next one's last two "
            "digits, for example 2026/27"
        )
    return first_year


def parse_period(text: str) -> Period:
    """Read `2026-10`, `2026/27-Q2` or `2026/27`."""
    text = (text or "").strip()
    if match := _MONTH.match(text):
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise PeriodError("a month is written YYYY-MM with MM from 01 to 12")
        return period_starting("month", dt.date(int(match.group(1)), month, 1))
    if match := _QUARTER.match(text):
        start = _check_year_pair(match.group(1), match.group(2))
        quarter = int(match.group(3))
        first = add_months(dt.date(start, 4, 1), 3 * (quarter - 1))
        return period_starting("quarter", first)
    if match := _YEAR.match(text):
        start = _check_year_pair(match.group(1), match.group(2))
        return period_starting("year", dt.date(start, 4, 1))
    raise PeriodError(
        "a period is a month (2026-10), a financial quarter (2026/27-Q2, Q1 = April to "
        "June) or a financial year (2026/27)"
    )


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
    """The public report is quarterly or yearly only (spec: disclosure, audiences)."""
    if period.kind not in AUDIENCE_KINDS[audience]:
        raise PeriodError(
            f"the {audience} report covers a financial quarter (such as 2026/27-Q2) or a "
            "financial year (such as 2026/27), not a month: monthly figures are not "
            "published"
        )
