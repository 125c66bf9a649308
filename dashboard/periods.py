"""Reporting periods: a month range, a financial quarter or a financial year.

Labels follow indicators.md "Periods": `2026-10` is a month, `2026/27` the
financial year April 2026 to March 2027, `2026/27-Q2` its second quarter (July
to September 2026; Q1 is April to June). A period is held as its first and last
month (both the first day of the month).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

KINDS = ("months", "quarter", "year")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})/(\d{2})-Q([1-4])$")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> int:
    """How many months from `first` to `last`, both included (0 if last is before first)."""
    return max(0, (last.year - first.year) * 12 + last.month - first.month + 1)


def month_label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def month_name(month: dt.date) -> str:
    return month.strftime("%b %Y")


def parse_month(text: str) -> dt.date:
    match = _MONTH.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError("a month is written YYYY-MM")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def financial_year_start(month: dt.date) -> int:
    return month.year if month.month >= 4 else month.year - 1


def financial_year_label(month: dt.date) -> str:
    start = financial_year_start(month)
    return f"{start}/{(start + 1) % 100:02d}"


def quarter_label(month: dt.date) -> str:
    start = financial_year_start(month)
    quarter = (months_between(dt.date(start, 4, 1), month_start(month)) - 1) // 3 + 1
    return f"{financial_year_label(month)}-Q{quarter}"


@dataclass(frozen=True)
class Period:
    """A reporting period: its kind, its label and its first and last month."""

    kind: str
    label: str
    first: dt.date
    last: dt.date

    @property
    def months(self) -> int:
        return months_between(self.first, self.last)

    def title(self) -> str:
        if self.kind == "months":
            if self.first == self.last:
                return month_name(self.first)
            return f"{month_name(self.first)} to {month_name(self.last)}"
        if self.kind == "quarter":
            fy, quarter = self.label.split("-")
            return f"{fy} {quarter} ({month_name(self.first)} to {month_name(self.last)})"
        return f"financial year {self.label}"

    def previous(self) -> Period:
        """The period of the same kind and length just before this one."""
        last = add_months(self.first, -1)
        first = add_months(self.first, -self.months)
        if self.kind == "quarter":
            return quarter(quarter_label(first))
        if self.kind == "year":
            return financial_year(financial_year_label(first))
        return month_range(first, last)


def month_range(first: dt.date, last: dt.date) -> Period:
    first, last = month_start(first), month_start(last)
    if last < first:
        first, last = last, first
    label = month_label(first) if first == last else f"{month_label(first)}..{month_label(last)}"
    return Period("months", label, first, last)


def financial_year(label: str) -> Period:
    match = _YEAR.match(label)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError("a financial year is written like 2026/27")
    start = int(match.group(1))
    return Period("year", label, dt.date(start, 4, 1), dt.date(start + 1, 3, 1))


def quarter(label: str) -> Period:
    match = _QUARTER.match(label)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError("a financial quarter is written like 2026/27-Q2")
    first = add_months(dt.date(int(match.group(1)), 4, 1), 3 * (int(match.group(3)) - 1))
    return Period("quarter", label, first, add_months(first, 2))


def parse(label: str) -> Period:
    """Read `2026-10`, `2026-04..2026-09`, `2026/27-Q2` or `2026/27`."""
    text = label.strip()
    if _QUARTER.match(text):
        return quarter(text)
    if _YEAR.match(text):
        return financial_year(text)
    if ".." in text:
        first, last = text.split("..", 1)
        return month_range(parse_month(first), parse_month(last))
    month = parse_month(text)
    return month_range(month, month)


def month_options(first: dt.date, last: dt.date) -> list[str]:
    """Every month label from `first` to `last`."""
    return [month_label(add_months(first, i)) for i in range(months_between(first, last))]


def quarter_options(first: dt.date, last: dt.date) -> list[str]:
    """Financial quarters that overlap the months from `first` to `last`, latest first."""
    labels = {quarter_label(add_months(first, i)) for i in range(months_between(first, last))}
    return sorted(labels, key=lambda q: quarter(q).first, reverse=True)


def year_options(first: dt.date, last: dt.date) -> list[str]:
    count = months_between(first, last)
    labels = {financial_year_label(add_months(first, i)) for i in range(count)}
    return sorted(labels, reverse=True)


def complete_quarters(first: dt.date, last: dt.date) -> list[str]:
    """Quarters whose three months all lie from `first` to `last`, latest first."""
    return [q for q in quarter_options(first, last)
            if quarter(q).first >= first and quarter(q).last <= last]
