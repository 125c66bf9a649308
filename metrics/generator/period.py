"""The months a synthetic extract covers, its as-of date and its coverage dates (the
month arithmetic is metrics.period's)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from metrics import period
from metrics.period import PeriodError, add_months

REPEAT_CRIMES_COVERAGE_DAY = 15  # the police extract is complete to the 15th of the as-of month


def parse_month(text: str) -> dt.date:
    """First day of a ``YYYY-MM`` month (the generator's --end argument)."""
    try:
        return period.parse_month(text)
    except PeriodError:
        raise ValueError("end must be a month written YYYY-MM") from None


@dataclass(frozen=True)
class ExtractSpan:
    """Referrals are received from ``first_day`` to ``as_of`` (the end month's last day)."""

    end_month: dt.date
    months: int

    @classmethod
    def from_arguments(cls, end: str | None, months: int, today: dt.date | None = None) -> ExtractSpan:
        if months < 1:
            raise ValueError("months must be at least 1")
        if end is None:
            today = today or dt.date.today()
            end_month = add_months(today.replace(day=1), -1)
        else:
            end_month = parse_month(end)
        return cls(end_month, months)

    @property
    def first_month(self) -> dt.date:
        return add_months(self.end_month, -(self.months - 1))

    @property
    def first_day(self) -> dt.date:
        return self.first_month

    @property
    def as_of(self) -> dt.date:
        return period.month_end(self.end_month)

    @property
    def period(self) -> str:
        return f"{self.end_month:%Y-%m}"

    @property
    def repeat_crimes_coverage(self) -> dt.date:
        """Police data lag about two weeks behind the as-of date."""
        return self.end_month.replace(day=REPEAT_CRIMES_COVERAGE_DAY)

    @property
    def health_use_coverage(self) -> dt.date:
        """NHS linked records are complete to the end of the month before."""
        return self.end_month - dt.timedelta(days=1)

    def month_starts(self) -> list[dt.date]:
        return [add_months(self.first_month, i) for i in range(self.months)]
