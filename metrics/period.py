"""Reporting periods and month arithmetic: the one place they are written.

A period is a month (`2026-10`), a financial quarter (`2026/27-Q2`), a financial year
(`2026/27`) or a custom range of whole months (`2026-04..2026-09`), as indicators.md
"Periods" defines them. The financial year runs April to March; Q1 is April to June,
Q2 July to September, Q3 October to December and Q4 January to March.

A period is held as its first and last month, both the first day of the month.
`Period.months` is the number of calendar months it covers, both ends included (1, 3,
12, or a range's length); `Period.month_list` is those months. The dashboard, the
reports, the published release and the queries all use this module.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

KINDS = ("month", "quarter", "year", "range")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})/(\d{2})-Q([1-4])$")
QUARTER_FIRST_MONTHS = (4, 7, 10, 1)  # Q1..Q4 of a financial year
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


class PeriodError(ValueError):
    """A period that is malformed or cannot be used (the message says why)."""


# --- months ---------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    """The first day of the month `n` months after `month`'s (negative: before)."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def shift_by_months(day: dt.date, n: int) -> dt.date:
    """`day` moved `n` calendar months, as DuckDB adds an interval of months: a day past
    the end of the target month is clamped to its last day (31 Aug + 6 months = 28 Feb)."""
    target = add_months(month_start(day), n)
    return target.replace(day=min(day.day, month_end(target).day))


def months_between(first: dt.date, last: dt.date) -> int:
    """How many months from `first` to `last`, both included (0 if last is before first)."""
    return max(0, (last.year - first.year) * 12 + last.month - first.month + 1)


def month_end(month: dt.date) -> dt.date:
    """The last day of the month."""
    return add_months(month_start(month), 1) - dt.timedelta(days=1)


def month_label(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def month_name(month: dt.date) -> str:
    """'October 2026'."""
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def parse_month(text: str) -> dt.date:
    match = _MONTH.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PeriodError("a month is written YYYY-MM with MM from 01 to 12")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


# --- financial years and quarters -------------------------------------------------------------


def financial_year_of(day: dt.date) -> int:
    """The calendar year in which the day's financial year starts."""
    return day.year if day.month >= 4 else day.year - 1


def year_label(start: int) -> str:
    """'2026/27' for the financial year starting in April 2026."""
    return f"{start}/{(start + 1) % 100:02d}"


def financial_year_label(day: dt.date) -> str:
    return year_label(financial_year_of(day))


def quarter_number(day: dt.date) -> int:
    """1 for April to June ... 4 for January to March."""
    return (day.month - 4) % 12 // 3 + 1


def quarter_label(day: dt.date) -> str:
    return f"{financial_year_label(day)}-Q{quarter_number(day)}"


# --- periods --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A reporting period: its kind (one of KINDS), its label and its first and last month."""

    kind: str
    label: str
    first: dt.date
    last: dt.date

    @property
    def months(self) -> int:
        """The number of calendar months covered, both ends included."""
        return months_between(self.first, self.last)

    @property
    def month_list(self) -> list[dt.date]:
        """The first day of each month covered, in order."""
        return [add_months(self.first, i) for i in range(self.months)]

    @property
    def end_date(self) -> dt.date:
        """The period's last day."""
        return month_end(self.last)

    def title(self) -> str:
        """Words for headings: 'October 2026', 'July to September 2026 (2026/27 Q2)',
        'April 2026 to March 2027 (financial year 2026/27)', 'April to September 2026'."""
        if self.first == self.last:
            return month_name(self.first)
        start = MONTH_NAMES[self.first.month - 1]
        if self.first.year != self.last.year:
            start = month_name(self.first)
        span = f"{start} to {month_name(self.last)}"
        if self.kind == "quarter":
            year, quarter = self.label.split("-")
            return f"{span} ({year} {quarter})"
        if self.kind == "year":
            return f"{span} (financial year {self.label})"
        return span

    def shifted(self, months: int) -> Period:
        """The period of the same kind and length `months` later (negative: earlier)."""
        if self.kind == "range":
            return month_range(add_months(self.first, months), add_months(self.last, months))
        return period_starting(self.kind, add_months(self.first, months))

    def previous(self) -> Period:
        """The period of the same kind and length just before this one."""
        return self.shifted(-self.months)

    def year_before(self) -> Period:
        """The same period twelve months earlier."""
        return self.shifted(-12)


def period_starting(kind: str, first: dt.date) -> Period:
    """The month, quarter or financial year that starts with the month `first`."""
    first = month_start(first)
    if kind == "month":
        return Period("month", month_label(first), first, first)
    if kind == "quarter":
        if first.month not in QUARTER_FIRST_MONTHS:
            raise PeriodError("a financial quarter starts in April, July, October or January")
        return Period("quarter", quarter_label(first), first, add_months(first, 2))
    if kind == "year":
        if first.month != 4:
            raise PeriodError("a financial year starts in April")
        return Period("year", financial_year_label(first), first, add_months(first, 11))
    raise PeriodError(f"unknown kind of period (use one of {', '.join(KINDS[:3])})")


def month_range(first: dt.date, last: dt.date) -> Period:
    """The months from `first` to `last` (either order); one month is a `month`."""
    first, last = sorted((month_start(first), month_start(last)))
    if first == last:
        return period_starting("month", first)
    return Period("range", f"{month_label(first)}..{month_label(last)}", first, last)


def _year_start(start: str, end: str) -> int:
    if (int(start) + 1) % 100 != int(end):
        raise PeriodError(
            "a financial year is written as its first year and the next one's last two "
            "digits, for example 2026/27"
        )
    return int(start)


def financial_year(label: str) -> Period:
    match = _YEAR.match((label or "").strip())
    if not match:
        raise PeriodError("a financial year is written like 2026/27")
    return period_starting("year", dt.date(_year_start(*match.groups()), 4, 1))


def quarter(label: str) -> Period:
    match = _QUARTER.match((label or "").strip())
    if not match:
        raise PeriodError("a financial quarter is written like 2026/27-Q2")
    start = _year_start(match.group(1), match.group(2))
    first = add_months(dt.date(start, 4, 1), 3 * (int(match.group(3)) - 1))
    return period_starting("quarter", first)


def parse(text: str) -> Period:
    """Read `2026-10`, `2026/27-Q2`, `2026/27` or `2026-04..2026-09`."""
    text = (text or "").strip()
    if _QUARTER.match(text):
        return quarter(text)
    if _YEAR.match(text):
        return financial_year(text)
    if ".." in text:
        first, last = text.split("..", 1)
        return month_range(parse_month(first), parse_month(last))
    if _MONTH.match(text):
        return period_starting("month", parse_month(text))
    raise PeriodError(
        "a period is a month (2026-10), a financial quarter (2026/27-Q2, Q1 = April to "
        "June), a financial year (2026/27) or a range of months (2026-04..2026-09)"
    )


def trailing(last: dt.date, months: int) -> Period:
    """The `months` months ending with the month of `last`."""
    end = month_start(last)
    return month_range(add_months(end, 1 - months), end)


# --- choices for a picker -------------------------------------------------------------------


def _months_from(first: dt.date, last: dt.date) -> list[dt.date]:
    return [add_months(month_start(first), i) for i in range(months_between(first, last))]


def month_options(first: dt.date, last: dt.date) -> list[str]:
    """Every month label from `first` to `last` (none if last is before first)."""
    return [month_label(m) for m in _months_from(first, last)]


def quarter_options(first: dt.date, last: dt.date) -> list[str]:
    """Financial quarters that overlap the months from `first` to `last`, latest first."""
    labels = {quarter_label(m) for m in _months_from(first, last)}
    return sorted(labels, key=lambda q: quarter(q).first, reverse=True)


def year_options(first: dt.date, last: dt.date) -> list[str]:
    """Financial years that overlap the months from `first` to `last`, latest first."""
    return sorted({financial_year_label(m) for m in _months_from(first, last)},
                  reverse=True)


def complete_quarters(first: dt.date, last: dt.date) -> list[str]:
    """Quarters whose three months all lie from `first` to `last`, latest first."""
    return [q for q in quarter_options(first, last)
            if quarter(q).first >= first and quarter(q).last <= last]
