"""People frames for the public release: distinct victims per financial quarter.

Two kinds of frame, each counted in one named query over the marts
(`sql/queries/people_groups.sql`, as the reports' people frames) for every quarter asked
for:

* the *referred* frame: the people referred in the quarter, with what the report's
  referral tables cut them by (`metrics.report.data.people_frame` with `referred=True`):
  the demographics of their latest referral up to the end of the quarter (`unknown` when
  not recorded), the stages their referrals of the quarter reached, the crime types of
  those referrals, and the base and success flags of the outcomes whose cohort is the
  referral month (every such person is referred in the quarter);
* one *outcome* frame per other person-level outcome (cohort: the month support ended,
  the survey month, the target hardening month, or the month an agency referral was sent):
  the people in its base for a cohort month in the quarter, split by whether they met it
  (marts.person_outcomes).

Every row is a group of people with the same values and a `count` of distinct victims.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd

from metrics.report import data

PERIOD_START = "quarter_start"
QUARTER_MONTHS = 3
REFERRED_OUTCOMES = tuple(
    i for i, (_, _, month) in data.REFERRAL_OUTCOMES.items() if month == "referral_month"
)
OTHER_OUTCOMES = tuple(i for i in data.PERSON_OUTCOMES if i not in REFERRED_OUTCOMES)
# the area on the victim's record (evidence.md, Place): the release's table by area
AREA = "area"


def referred_frame(
    con: duckdb.DuckDBPyConnection, quarters: Sequence[dt.date]
) -> pd.DataFrame:
    """People referred in each quarter (first months given), grouped; columns
    quarter_start, the demographics, area, stage (in the order of `data.STAGES`) and
    crime_type (sorted) as tuples, `<id>_base` and `<id>_met` for each referral-month
    outcome, and count, in quarter order.

    The demographics are the victim's own (marts.fct_referrals takes them from the
    victim): those of the latest referral up to the end of the quarters, as in the
    reports (the latest with the value recorded; `unknown` when none has it)."""
    outcomes = list(REFERRED_OUTCOMES)
    grouped = data.people_groups(con, list(quarters), QUARTER_MONTHS, outcomes,
                                 demographics=True, referred=True, agency_for=None,
                                 area=True, coded=True)
    # people_columns orders the rows within each run of equal period and classifiers
    # only, so each row's quarter is the grouped row's in the same place
    out = data.people_columns(grouped, outcomes, demographics=True, referred=True,
                              agency_for=None, stage_order=data.STAGES, area=True)
    for d in (*data.DEMOGRAPHICS, AREA):
        out[d] = out[d].astype("str")
    for column in ("stage", "crime_type"):
        out[column] = out[column].astype(object)
    out.insert(0, PERIOD_START, _dates(grouped["period_start"].reset_index(drop=True))
               if len(grouped) else pd.Series([], dtype=object))
    return out


def split_by_quarter(
    frame: pd.DataFrame, quarters: Sequence[dt.date]
) -> dict[dt.date, pd.DataFrame]:
    """Each quarter's rows of a frame with a quarter_start column (no rows for a quarter
    it does not have), taking the rows once (none if the frame is in quarter order)."""
    quarter_of, uniques = pd.factorize(frame[PERIOD_START])
    if len(quarter_of) and np.any(quarter_of[1:] < quarter_of[:-1]):
        order = np.argsort(quarter_of, kind="stable")
        frame, quarter_of = frame.take(order), quarter_of[order]
    bounds = np.searchsorted(quarter_of, np.arange(len(uniques) + 1))
    found = {
        uniques[k]: frame.iloc[bounds[k] : bounds[k + 1]] for k in range(len(uniques))
    }
    return {q: found.get(q, frame.iloc[0:0]) for q in quarters}


def _dates(values: pd.Series) -> np.ndarray:
    """Dates from a column of dates or timestamps, converting each distinct value once."""
    which, uniques = pd.factorize(values)
    days = np.empty(len(uniques), dtype=object)
    days[:] = [pd.Timestamp(u).date() for u in uniques]
    return days[which]


def outcome_frames(
    con: duckdb.DuckDBPyConnection, quarters: Sequence[dt.date], outcomes: Sequence[str]
) -> pd.DataFrame:
    """People in the base of each outcome for a cohort month in each quarter: columns
    indicator, quarter_start, met (bool) and count (distinct victims), in that order,
    sorted by indicator, quarter and met."""
    columns = ["indicator", PERIOD_START, "met", "count"]
    outcomes = list(outcomes)
    if any(i not in data.PERSON_OUTCOMES for i in outcomes):
        raise ValueError("not a person-level outcome")
    if not outcomes:
        return pd.DataFrame(columns=columns)
    grouped = data.people_groups(con, list(quarters), QUARTER_MONTHS, outcomes,
                                 demographics=False, referred=False, agency_for=None)
    starts = _dates(grouped["period_start"]) if len(grouped) else []
    totals: dict[tuple[str, dt.date, bool], int] = {}
    for start, in_base, met, count in zip(starts, grouped["in_base"], grouped["met"],
                                          grouped["count"], strict=True):
        met = set(met)
        for indicator in in_base:
            key = (indicator, start, indicator in met)
            totals[key] = totals.get(key, 0) + int(count)
    keys = sorted(totals)
    return pd.DataFrame(
        {
            "indicator": [k[0] for k in keys],
            PERIOD_START: pd.Series([k[1] for k in keys], dtype=object),
            "met": pd.Series([k[2] for k in keys], dtype=bool),
            "count": pd.Series([totals[k] for k in keys], dtype=np.int64),
        },
        columns=columns,
    )
