"""Working days in England and Wales: Monday to Friday less the bank holidays.

The calendar is written into the warehouse as ``ref.calendar`` so the SQL models
can count working days with two joins and no Python loops:

* ``working_day_number``: how many working days fall on or before the date.
* The N-th working day after D is the working day whose number is
  ``working_day_number(D) + N`` (days strictly after D are counted, whether or
  not D itself is a working day).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
import pandas as pd

FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2045, 12, 31)


def bank_holidays(first_year: int, last_year: int) -> dict[dt.date, str]:
    """Bank holidays of England and Wales (one list for both nations)."""
    days = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return dict(sorted(days.items()))


def calendar_frame(first_day: dt.date = FIRST_DAY, last_day: dt.date = LAST_DAY) -> pd.DataFrame:
    """One row per date with its working-day flag and running working-day number (a copy
    to change freely: the frame of each range is made once per process)."""
    return _calendar(first_day, last_day).copy()


@lru_cache(maxsize=4)
def _calendar(first_day: dt.date, last_day: dt.date) -> pd.DataFrame:
    dates = pd.date_range(first_day, last_day, freq="D")
    holiday_dates = set(bank_holidays(first_day.year, last_day.year))
    is_bank_holiday = [d.date() in holiday_dates for d in dates]
    is_weekday = dates.day_of_week < 5
    frame = pd.DataFrame(
        {
            "calendar_date": dates.date,
            "is_bank_holiday": is_bank_holiday,
        }
    )
    frame["is_working_day"] = is_weekday & ~frame["is_bank_holiday"]
    frame["working_day_number"] = frame["is_working_day"].cumsum().astype("int32")
    return frame


def nth_working_day_after(start: dt.date, n: int, frame: pd.DataFrame | None = None) -> dt.date:
    """The N-th working day strictly after ``start`` (a readable reference for tests)."""
    day = start
    holiday_dates = set(bank_holidays(start.year, start.year + 1))
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in holiday_dates:
            counted += 1
    return day
