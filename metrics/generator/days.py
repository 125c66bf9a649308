"""Dates as whole days since 1970-01-01 (Arrow's date32), with working-day and month arithmetic.

Every date the generator handles is an int64 day number; a missing date is ``NO_DATE``, far
below any real day, so ``np.maximum`` ignores it and ``> as_of`` never catches it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from metrics import calendar

EPOCH = dt.date(1970, 1, 1)
NO_DATE = np.int64(-(2**40))


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def to_date(number: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(number))


def present(days: np.ndarray) -> np.ndarray:
    return days != NO_DATE


def where_present(mask: np.ndarray, days: np.ndarray) -> np.ndarray:
    """``days`` where ``mask`` holds, else ``NO_DATE``."""
    return np.where(mask, days, NO_DATE)


def censor(days: np.ndarray, last_day: int) -> np.ndarray:
    """Dates after ``last_day`` become missing (not yet happened)."""
    return np.where(days > last_day, NO_DATE, days)


def add_months(days: np.ndarray, months: int) -> np.ndarray:
    """The same day of the month ``months`` later (the month's last day where it is shorter)."""
    as_dates = days.astype("datetime64[D]")
    month = as_dates.astype("datetime64[M]")
    day_of_month = (as_dates - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months
    target_length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    shifted = target.astype("datetime64[D]") + np.minimum(day_of_month, target_length - 1)
    return shifted.astype(np.int64)


def month_index(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 (so ``% 12`` gives the calendar month, 0 = January)."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


class WorkingDays:
    """Vectorised working-day arithmetic over the shared England and Wales calendar."""

    def __init__(self) -> None:
        frame = calendar.calendar_frame()
        self.first = day_number(calendar.FIRST_DAY)
        self.last = day_number(calendar.LAST_DAY)
        self.is_working = frame["is_working_day"].to_numpy(dtype=bool)
        self.number = frame["working_day_number"].to_numpy(dtype=np.int64)
        self.working_days = np.flatnonzero(self.is_working).astype(np.int64) + self.first

    def check_range(self, first_day: int, last_day: int) -> None:
        margin = 400
        if first_day - margin < self.first or last_day + 3 * margin > self.last:
            raise ValueError(
                f"dates must lie between {to_date(self.first + margin)} and "
                f"{to_date(self.last - 3 * margin)}"
            )

    def working(self, days: np.ndarray) -> np.ndarray:
        return self.is_working[days - self.first]

    # A missing day (NO_DATE) stays missing in ``after`` and ``before``.

    def after(self, days: np.ndarray, n: np.ndarray) -> np.ndarray:
        """The n-th working day strictly after each day (the day itself where n is 0)."""
        known = days != NO_DATE
        target = self.number[np.where(known, days, self.first) - self.first] + n
        shifted = self.working_days[np.maximum(target, 1) - 1]
        return np.where(known & (n != 0), shifted, days)

    def before(self, days: np.ndarray, n: np.ndarray) -> np.ndarray:
        """A day D such that ``days`` is the n-th working day after D (itself where n is 0).

        For a day that is not a working day, the answer is one working day further back than
        the strict reading, which only makes a weekend referral a little later than intended.
        """
        known = days != NO_DATE
        target = self.number[np.where(known, days, self.first) - self.first] - n
        shifted = self.working_days[np.maximum(target, 1) - 1]
        return np.where(known & (n != 0), shifted, days)
