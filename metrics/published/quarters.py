"""Which financial quarters the public release may hold.

A quarter is published once it has ended by the extract's cover date and the hub has
data for it:

* **ended and covered**: its last day is on or before the as-of date and on or before the
  end of the extract's period (`meta.build.period`, `YYYY-MM`; the build refuses an as-of
  date the extract does not cover, `metrics.as_of`). A month after the extract is not a
  month of zeros;
* **from the hub's first month**, not from its earliest stray date. The hub's data start
  at the first month of its latest run of months with referrals not broken by
  `GAP_MONTHS` (12) or more months without any: a referral dated decades before the rest
  (a typing error such as 1900) starts nothing. Within that run, the first month holding
  at least a quarter of the run's median month (at least 1, at most 8 referrals) is the
  start, so a stray date or two just before a busy hub opened does not open a quarter of
  its own either.
  The first quarter published is the first that starts on or after that month.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import statistics

import duckdb
import pandas as pd

from metrics import read
from metrics.disclosure.rules import THRESHOLD
from metrics.period import Period, add_months, period_starting

READER = "manager"  # the release is worked out from the rows the manager sees
GAP_MONTHS = 12
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def first_month(counts: dict[dt.date, int]) -> dt.date | None:
    """The hub's first month, from the number of referrals in each month (first days)."""
    months = sorted(m for m, n in counts.items() if n > 0)
    if not months:
        return None
    start = len(months) - 1
    while start > 0 and _months_between(months[start - 1], months[start]) <= GAP_MONTHS:
        start -= 1
    run = months[start:]
    enough = min(THRESHOLD, max(1, math.ceil(statistics.median(counts[m] for m in run) / 4)))
    return next(m for m in run if counts[m] >= enough)


def _months_between(earlier: dt.date, later: dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def referral_months(con: duckdb.DuckDBPyConnection) -> dict[dt.date, int]:
    """Referrals per month, from the referral facts."""
    frame = read.run(con, "referral_months", READER)
    return {pd.Timestamp(m).date(): int(n) for m, n in zip(frame["month"], frame["n"],
                                                          strict=True)}


def cover_date(as_of: dt.date, period: object) -> dt.date:
    """The last day the extract covers: the as-of date, or the end of the extract's
    period if that is earlier."""
    match = _PERIOD.match(str(period or ""))
    if not match or not 1 <= int(match.group(2)) <= 12:
        return as_of
    period_end = add_months(dt.date(int(match.group(1)), int(match.group(2)), 1), 1)
    return min(as_of, period_end - dt.timedelta(days=1))


def quarters_between(start: dt.date | None, cover: dt.date) -> list[Period]:
    """Every financial quarter starting on or after `start`'s month that has ended by
    `cover`."""
    if start is None:
        return []
    start = start.replace(day=1)
    while start.month not in (1, 4, 7, 10):
        start = add_months(start, 1)
    out = []
    while True:
        quarter = period_starting("quarter", start)
        if add_months(quarter.last, 1) - dt.timedelta(days=1) > cover:
            return out
        out.append(quarter)
        start = add_months(start, 3)


def publishable_quarters(con: duckdb.DuckDBPyConnection) -> list[Period]:
    """The quarters the warehouse open on `con` may publish (it has marts.fct_referrals)."""
    build = read.run(con, "build_info", READER).iloc[0]
    as_of = pd.Timestamp(build["as_of"]).date()
    cover = cover_date(as_of, build.get("period"))
    return quarters_between(first_month(referral_months(con)), cover)
