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
import numpy as np
import pandas as pd

from metrics import queries
from metrics.disclosure.rules import UNKNOWN
from metrics.published import codes
from metrics.report import data

PERIOD_START = "quarter_start"
REFERRED_OUTCOMES = tuple(
    i for i, (_, _, month) in data.REFERRAL_OUTCOMES.items() if month == "referral_month"
)
OTHER_OUTCOMES = tuple(i for i in data.PERSON_OUTCOMES if i not in REFERRED_OUTCOMES)
AREA = "area"
_FACTS = "select * from marts.fct_referrals"
# with an area column, a blank area is not recorded
_FACTS_WITH_AREA = "select * replace (nullif(trim(area), '') as area) from marts.fct_referrals"


def _classifiers(con: duckdb.DuckDBPyConnection) -> tuple[tuple[str, ...], str]:
    """What the referred frame classifies people by: the report's demographics and, where
    the referral facts have it, the area on their record (evidence.md, Place), each the
    latest recorded (`unknown` if none); and the SQL the frames read the facts with."""
    if AREA in queries.table_columns(con, "marts", "fct_referrals"):
        return (*data.DEMOGRAPHICS, AREA), _FACTS_WITH_AREA
    return tuple(data.DEMOGRAPHICS), _FACTS

_QUARTER = "cast(date_trunc('quarter', {month}) as date)"


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> pd.DataFrame:
    cur = queries.cursor(con)
    try:
        return cur.execute(sql, params).df()
    finally:
        cur.close()


def _flag(column: str) -> str:
    return "true" if column == "true" else f"coalesce({column}, false)"


def _distinct_values(
    con: duckdb.DuckDBPyConnection, quarters: Sequence[dt.date], columns: Sequence[str],
    complete: Sequence[str] = (), facts: str = _FACTS,
) -> tuple[dict[str, list[str]], bool]:
    """The values (not null) each column takes among the quarters' referrals, sorted; and
    whether every referral has a value in each of the `complete` columns."""
    lists = ",\n                ".join(
        f"list(distinct {c}) filter (where {c} is not null) as {c}" for c in columns
    )
    missing = " or ".join(f"{c} is null" for c in complete) or "false"
    sql = f"""
        with

        referrals as (

            {facts}

        ),

        final as (

            select
                {lists},
                count(*) filter (where {missing}) as missing
            from referrals
            where list_contains($quarters, {_QUARTER.format(month="referral_month")})

        )

        select * from final
    """
    cur = queries.cursor(con)
    try:
        *row, missing_rows = cur.execute(sql, {"quarters": list(quarters)}).fetchone()
    finally:
        cur.close()
    values = {
        c: sorted(str(v) for v in (found or [])) for c, found in zip(columns, row, strict=True)
    }
    return values, not missing_rows


def _referred_flags() -> list[tuple[str, str]]:
    """(column, SQL flag) for the stage flags, then each referral-month outcome's base and
    met, in the order of their bits."""
    flags = [(f"stage:{stage}", _flag(flag)) for stage, flag in data.STAGES.items()]
    for indicator in REFERRED_OUTCOMES:
        base, success, _ = data.REFERRAL_OUTCOMES[indicator]
        flags.append((f"{indicator}_base", _flag(base)))
        flags.append((f"{indicator}_met", f"({_flag(base)} and {_flag(success)})"))
    return flags


def referred_frame(
    con: duckdb.DuckDBPyConnection, quarters: Sequence[dt.date]
) -> pd.DataFrame:
    """People referred in each quarter (first months given), grouped; columns
    quarter_start, the demographics, area (where marts.fct_referrals has it), stage and
    crime_type (tuples), `<id>_base` and
    `<id>_met` for each referral-month outcome, and count.

    The demographics are those of the person's latest referral in the quarter: in the
    models they are the victim's own (marts.fct_referrals takes them from the victim), so
    this is the latest referral up to the end of the quarter, as in the reports (the
    latest with the value recorded; `unknown` when none has it).

    The grouping is done on integer codes (`metrics.published.codes`): each demographic
    as its position among the values seen, the crime types and the stages and flags as
    bitmasks; each distinct code is turned back into values once. When every referral of
    the quarters has all the demographics recorded, the latest referral's are read in one
    aggregate (their positions packed into one integer) rather than one per demographic.
    """
    classifiers, facts = _classifiers(con)
    values, complete = _distinct_values(
        con, quarters, [*classifiers, "crime_type"], classifiers, facts
    )
    for d in classifiers:
        if UNKNOWN not in values[d]:
            values[d].append(UNKNOWN)
    crime_types = values["crime_type"]
    flags = _referred_flags()
    widths = codes.field_widths([len(values[d]) for d in classifiers]) if complete else None
    positions_sql = [f"list_position(${d}, {d})" for d in classifiers]
    unknown = [values[d].index(UNKNOWN) + 1 for d in classifiers]
    if widths is None:  # each demographic's latest recorded value
        positions = ",\n                ".join(
            f"{p} as {d}" for p, d in zip(positions_sql, classifiers, strict=True)
        )
        demographics = ",\n                ".join(
            f"coalesce(arg_max({d}, referral_date), {u}) as {d}"
            for d, u in zip(classifiers, unknown, strict=True)
        )
    else:  # every referral has them all: those of the latest referral, in one aggregate
        positions = f"{codes.pack_sql(positions_sql, widths)} as demographics"
        demographics = (
            f"coalesce(arg_max(demographics, referral_date), {codes.pack(unknown, widths)}) "
            "as demographics"
        )
    crime_words = ",\n                ".join(
        f"{sql} as crime_type_{w}"
        for w, sql in enumerate(codes.set_words_sql("crime_position", len(crime_types)))
    )
    sql = f"""
        with

        referrals as (

            {facts}

        ),

        in_quarters as (

            select
                {_QUARTER.format(month="referral_month")} as quarter_start,
                victim_id,
                referral_date,
                {positions},
                list_position($crime_types, crime_type) as crime_position,
                {", ".join(f"{sql} as flag_{k}" for k, (_, sql) in enumerate(flags))}
            from referrals
            where list_contains($quarters, {_QUARTER.format(month="referral_month")})

        ),

        people as (

            select
                quarter_start,
                victim_id,
                {demographics},
                {crime_words},
                {codes.flags_word_sql([f"flag_{k}" for k in range(len(flags))])} as flags
            from in_quarters
            group by quarter_start, victim_id

        ),

        final as (

            select * exclude (victim_id), count(*) as count
            from people
            group by all

        )

        select * from final
        order by quarter_start
    """
    params = {
        "quarters": list(quarters),
        "crime_types": crime_types,
        **{d: values[d] for d in classifiers},
    }
    grouped = _frame(con, sql, params)
    if widths is not None:
        for k, d in enumerate(classifiers):
            grouped[d] = codes.unpack(grouped["demographics"].to_numpy(), widths, k)
    return _decode_referred(grouped, values, flags, classifiers)


def _decode_referred(
    grouped: pd.DataFrame, values: dict[str, list[str]], flags: list[tuple[str, str]],
    classifiers: Sequence[str],
) -> pd.DataFrame:
    """The referred frame from its coded groups."""
    word = grouped["flags"].to_numpy(dtype=np.int64)
    stage_bits = [k for k, (name, _) in enumerate(flags) if name.startswith("stage:")]
    # the stages come first in `flags`: they are the lowest bits, in the order of STAGES
    stages = codes.decode_sets([word & ((1 << len(stage_bits)) - 1)], list(data.STAGES))
    crime_words = [
        grouped[c].to_numpy(dtype=np.int64)
        for c in grouped.columns
        if c.startswith("crime_type_")
    ]
    out = pd.DataFrame({PERIOD_START: _dates(grouped[PERIOD_START])})
    for d in classifiers:
        out[d] = codes.decode_values(grouped[d].to_numpy(dtype=np.int64), values[d])
    out["stage"] = stages
    out["crime_type"] = codes.decode_sets(crime_words, values["crime_type"])
    for k, (name, _) in enumerate(flags):
        if k not in stage_bits:
            out[name] = codes.flag(word, k)
    out["count"] = grouped["count"].to_numpy(dtype=np.int64)
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


def _outcome_parts(
    outcomes: Sequence[str],
) -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    """The outcomes grouped by source and cohort month (at most `codes.WORD_BITS` to a
    group): (source, month, [(indicator, base flag, met flag), ...]), in first-seen order."""
    groups: dict[tuple[str, str], list[list[tuple[str, str, str]]]] = {}
    for indicator in outcomes:
        if indicator in data.REFERRAL_OUTCOMES:
            base, success, month = data.REFERRAL_OUTCOMES[indicator]
            source = "referrals"
        elif indicator in data.AGENCY_REFERRAL_OUTCOMES:
            base, success, month = data.AGENCY_REFERRAL_OUTCOMES[indicator]
            source = "agency_referrals"
        else:
            raise ValueError("not a person-level outcome")
        chunks = groups.setdefault((source, month), [[]])
        if len(chunks[-1]) == codes.WORD_BITS:
            chunks.append([])
        chunks[-1].append((indicator, _flag(base), f"({_flag(base)} and {_flag(success)})"))
    return [
        (source, month, chunk) for (source, month), chunks in groups.items() for chunk in chunks
    ]


def outcome_frames(
    con: duckdb.DuckDBPyConnection, quarters: Sequence[dt.date], outcomes: Sequence[str]
) -> pd.DataFrame:
    """People in the base of each outcome for a cohort month in each quarter: columns
    indicator, quarter_start, met (bool) and count (distinct victims), in that order.

    One pass per source and cohort month: each person's base and met flags of every
    outcome of that month are packed into two bitmasks (`metrics.published.codes`), the
    people counted by quarter and masks, and each outcome's counts read off its bit."""
    parts = _outcome_parts(outcomes)
    columns = ["indicator", PERIOD_START, "met", "count"]
    if not parts:
        return pd.DataFrame(columns=columns)
    ctes = []
    for number, (source, month, items) in enumerate(parts):
        quarter = _QUARTER.format(month=month)
        ctes.append(
            f"""part_{number} as (

            select
                {quarter} as quarter_start,
                victim_id,
                {codes.flags_word_sql([base for _, base, _ in items])} as base,
                {codes.flags_word_sql([met for _, _, met in items])} as met
            from {source}
            where ({" or ".join(base for _, base, _ in items)})
                and list_contains($quarters, {quarter})
            group by quarter_start, victim_id

        )"""
        )
    imports = []
    if any(source == "referrals" for source, _, _ in parts):
        imports.append("referrals as (\n\n            select * from marts.fct_referrals\n\n        )")
    if any(source == "agency_referrals" for source, _, _ in parts):
        imports.append(
            "agency_referrals as (\n\n"
            "            select * from marts.agency_referrals\n\n        )"
        )
    union = "\n            union all\n".join(
        f"            select {number} as part, quarter_start, base, met from part_{number}"
        for number in range(len(parts))
    )
    between = ",\n\n        "
    sql = f"""
        with

        {between.join(imports)},

        {between.join(ctes)},

        people as (

{union}

        ),

        final as (

            select part, quarter_start, base, met, count(*) as count
            from people
            group by all

        )

        select * from final
    """
    grouped = _frame(con, sql, {"quarters": list(quarters)})
    return _decode_outcomes(grouped, parts, columns)


def _decode_outcomes(
    grouped: pd.DataFrame, parts: list[tuple[str, str, list]], columns: list[str]
) -> pd.DataFrame:
    """Each outcome's people by quarter and met, from the counts by part and masks."""
    part = grouped["part"].to_numpy(dtype=np.int64)
    base = grouped["base"].to_numpy(dtype=np.int64)
    met = grouped["met"].to_numpy(dtype=np.int64)
    count = grouped["count"].to_numpy(dtype=np.int64)
    quarter, starts = pd.factorize(_dates(grouped[PERIOD_START]))
    cells = 2 * len(starts)  # quarter, then met: key = 2 * quarter + met
    totals: dict[tuple[str, dt.date, bool], int] = {}
    for number, (_, _, items) in enumerate(parts):
        for k, (indicator, _, _) in enumerate(items):
            rows = (part == number) & codes.flag(base, k)
            key = 2 * quarter[rows] + codes.flag(met, k)[rows]
            seen = np.bincount(key, minlength=cells)
            people = np.bincount(key, weights=count[rows], minlength=cells)
            for cell in np.flatnonzero(seen).tolist():
                totals[(indicator, starts[cell // 2], bool(cell % 2))] = int(round(people[cell]))
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
