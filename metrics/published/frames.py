"""People frames for the public release: distinct victims per financial quarter.

Two kinds of frame, each counted in one pass over the marts for every quarter asked for:

* the *referred* frame: the people referred in the quarter, with what the report's
  referral tables cut them by (`metrics.report.data.people_frame` with `referred=True`):
  the demographics of their latest referral up to the end of the quarter (`unknown` when
  not recorded), the stages their referrals of the quarter reached, the crime types of
  those referrals, and the base and success flags of the outcomes whose cohort is the
  referral month (every such person is referred in the quarter);
* one *outcome* frame per other person-level outcome (cohort: the month support ended,
  the survey month, the target hardening month, or the month an agency referral was sent):
  the people in its base for a cohort month in the quarter, split by whether they met it.

Every row is a group of people with the same values and a `count` of distinct victims.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import pandas as pd

from metrics import queries
from metrics.report import data

PERIOD_START = "quarter_start"
REFERRED_OUTCOMES = tuple(
    i for i, (_, _, month) in data.REFERRAL_OUTCOMES.items() if month == "referral_month"
)
OTHER_OUTCOMES = tuple(i for i in data.PERSON_OUTCOMES if i not in REFERRED_OUTCOMES)

SEPARATOR = "|"  # no stage or crime type code holds it (the contract's codes are snake_case)

_QUARTER = "cast(date_trunc('quarter', {month}) as date)"


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> pd.DataFrame:
    cur = queries.cursor(con)
    try:
        return cur.execute(sql, params).df()
    finally:
        cur.close()


def _flag(column: str) -> str:
    return "true" if column == "true" else f"coalesce({column}, false)"


def referred_frame(
    con: duckdb.DuckDBPyConnection, quarters: Sequence[dt.date]
) -> pd.DataFrame:
    """People referred in each quarter (first months given), grouped; columns
    quarter_start, the demographics, stage and crime_type (tuples), `<id>_base` and
    `<id>_met` for each referral-month outcome, and count.

    The demographics are those of the person's latest referral in the quarter: in the
    models they are the victim's own (marts.fct_referrals takes them from the victim), so
    this is the latest referral up to the end of the quarter, as in the reports.
    """
    demographics = ",\n                ".join(
        f"coalesce(arg_max({d}, referral_date), 'unknown') as {d}" for d in data.DEMOGRAPHICS
    )
    stages = ", ".join(
        f"case when bool_or({_flag(flag)}) then '{stage}' end"
        for stage, flag in data.STAGES.items()
    )
    flags = []
    for indicator in REFERRED_OUTCOMES:
        base, success, _ = data.REFERRAL_OUTCOMES[indicator]
        flags.append(f"bool_or({_flag(base)}) as {indicator}_base")
        flags.append(f"bool_or({_flag(base)} and {_flag(success)}) as {indicator}_met")
    flag_sql = ",\n                ".join(flags)
    sql = f"""
        with

        referrals as (

            select * from marts.fct_referrals

        ),

        in_quarters as (

            select
                *,
                {_QUARTER.format(month="referral_month")} as quarter_start
            from referrals
            where list_contains($quarters, {_QUARTER.format(month="referral_month")})

        ),

        people as (

            select
                quarter_start,
                victim_id,
                {demographics},
                concat_ws('{SEPARATOR}', {stages}) as stage,
                coalesce(array_to_string(list_sort(list_distinct(
                    list(crime_type) filter (where crime_type is not null)
                )), '{SEPARATOR}'), '') as crime_type,
                {flag_sql}
            from in_quarters
            group by quarter_start, victim_id

        ),

        final as (

            select * exclude (victim_id), count(*) as count
            from people
            group by all

        )

        select * from final
    """
    out = _frame(con, sql, {"quarters": list(quarters)})
    for column in ("stage", "crime_type"):
        out[column] = _as_tuples(out[column])
    out[PERIOD_START] = _dates(out[PERIOD_START])
    return out


def _dates(values: pd.Series) -> list[dt.date]:
    """Dates from a column of dates or timestamps, converting each distinct value once."""
    codes, uniques = pd.factorize(values)
    days = [pd.Timestamp(u).date() for u in uniques]
    return [days[c] for c in codes]


def _as_tuples(joined: pd.Series) -> list[tuple[str, ...]]:
    """'a|b' -> ('a', 'b'), '' -> (), splitting each distinct text once."""
    codes, uniques = pd.factorize(joined.fillna(""))
    split = [tuple(u.split(SEPARATOR)) if u else () for u in uniques]
    return [split[c] for c in codes]


def outcome_frames(
    con: duckdb.DuckDBPyConnection, quarters: Sequence[dt.date], outcomes: Sequence[str]
) -> pd.DataFrame:
    """People in the base of each outcome for a cohort month in each quarter: columns
    indicator, quarter_start, met (bool) and count (distinct victims)."""
    parts = []
    for indicator in outcomes:
        if indicator in data.REFERRAL_OUTCOMES:
            base, success, month = data.REFERRAL_OUTCOMES[indicator]
            source = "referrals"
        elif indicator in data.AGENCY_REFERRAL_OUTCOMES:
            base, success, month = data.AGENCY_REFERRAL_OUTCOMES[indicator]
            source = "agency_referrals"
        else:
            raise ValueError("not a person-level outcome")
        quarter = _QUARTER.format(month=month)
        parts.append(
            f"""
            select
                '{indicator}' as indicator,
                {quarter} as quarter_start,
                victim_id,
                bool_or({_flag(base)} and {_flag(success)}) as met
            from {source}
            where {_flag(base)} and list_contains($quarters, {quarter})
            group by all"""
        )
    if not parts:
        return pd.DataFrame(columns=["indicator", PERIOD_START, "met", "count"])
    union = "\n            union all".join(parts)
    imports = []
    if any(i in data.REFERRAL_OUTCOMES for i in outcomes):
        imports.append("referrals as (\n\n            select * from marts.fct_referrals\n\n        )")
    if any(i in data.AGENCY_REFERRAL_OUTCOMES for i in outcomes):
        imports.append(
            "agency_referrals as (\n\n"
            "            select * from intermediate.int_core_agency_referrals\n\n        )"
        )
    import_sql = ",\n\n        ".join(imports)
    sql = f"""
        with

        {import_sql},

        people as ({union}

        ),

        final as (

            select indicator, quarter_start, met, count(*) as count
            from people
            group by all

        )

        select * from final
        order by indicator, quarter_start, met
    """
    out = _frame(con, sql, {"quarters": list(quarters)})
    out[PERIOD_START] = _dates(out[PERIOD_START])
    out["met"] = out["met"].astype(bool)
    return out
