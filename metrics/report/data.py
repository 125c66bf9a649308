"""Every read the reports make from the warehouse.

The warehouse is opened read-only with DuckDB's external access off
(`metrics.queries.connect`). The fixed reads are named queries (`sql/queries`, run by
`metrics.read`); the people frames assemble their SQL over the marts, with column names
only from the allow-lists below, never from a caller's text. Dates are bound as
parameters everywhere.

People frames (`people_frame`) count distinct victims, not referrals: one row per
group of victims with the same classifying values and a `count` column, the input
`metrics.disclosure.release_from_people` expects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from metrics import queries, read
from metrics.cohorts import (  # noqa: F401 (PERSON_OUTCOMES: read as data.PERSON_OUTCOMES)
    AGENCY_REFERRAL_OUTCOMES,
    PERSON_OUTCOMES,
    REFERRAL_OUTCOMES,
)
from metrics.contract import AGENCIES
from metrics.period import month_end

DEMOGRAPHICS = ("gender", "age_band", "ethnic_group", "disability", "lgbt")
STAGES = {  # stage of a referral -> its flag in marts.fct_referrals
    "referred": "true",
    "contacted": "is_contacted",
    "assessed": "is_assessed",
    "supported": "is_supported",
    "completed": "is_completed",
}

# The reports read the rows as the manager view does; the pcc and public packs protect
# what they show (metrics.report.protected, metrics.published).
READER = "manager"


@dataclass(frozen=True)
class BuildInfo:
    build_id: str
    as_of: dt.date
    price_base_year: str
    source_system: str
    coverage_repeat_crimes: dt.date | None
    coverage_health_use: dt.date | None
    assumptions_file: str = ""  # a hub's own register (build --assumptions), if any
    assumptions_sha256: str = ""


def open_warehouse(path: str | Path) -> duckdb.DuckDBPyConnection:
    """The warehouse, read-only, external access off (raises queries.WarehouseMissing)."""
    return queries.connect(path)


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pd.DataFrame:
    cur = queries.cursor(con)
    try:
        return cur.execute(sql, params or {}).df()
    finally:
        cur.close()


def _date(value) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def build_info(con: duckdb.DuckDBPyConnection) -> BuildInfo:
    """meta.build's row; the price base year defaults to the register's base year."""
    row = read.run(con, "build_info", READER).iloc[0]
    base_year = row.get("price_base_year")
    if base_year is None or pd.isna(base_year) or not str(base_year):
        years = read.run(con, "price_base_year", READER)["base_year"]
        base_year = years.iloc[0] if len(years) and not pd.isna(years.iloc[0]) else ""
    return BuildInfo(
        build_id=str(row["build_id"]),
        as_of=_date(row["as_of"]),
        price_base_year=str(base_year or ""),
        source_system=str(row.get("source_system") or ""),
        coverage_repeat_crimes=_date(row.get("coverage_repeat_crimes")),
        coverage_health_use=_date(row.get("coverage_health_use")),
        assumptions_file=_text(row.get("assumptions_file")),
        assumptions_sha256=_text(row.get("assumptions_sha256")),
    )


def _text(value) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def first_month(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The first month of the indicator tables (the first referral month)."""
    found = read.run(con, "first_month", READER)
    return _date(found["first_month"].iloc[0])


def catalogue(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    columns = ["indicator_id", "title", "theme", "horizon", "dimension", "unit", "direction",
               "definition", "source", "family", "kind", "has_agency_rows", "uses_parameters"]
    return read.run(con, "catalogue", READER)[columns]


def indicator_rows(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date) -> pd.DataFrame:
    """marts.indicator_monthly rows of every agency for months first..last (inclusive)."""
    return read.run(con, "indicator_rows", READER, first=first, last=last)


def agency_medians(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date) -> pd.DataFrame:
    """Median working days from assessment to agency referral over the whole period, for
    the hub (`all`) and each receiving agency, with the number of agency referrals and
    of distinct victims behind it."""
    return read.run(con, "agency_medians", READER, first=first, last=last)


def parameters(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return read.run(con, "parameters", READER).drop(columns=["uprate_factor"])


def overdue(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Open work past a service deadline at the as-of date, one row per case and agency.

    kind: first_contact (referral neither contacted nor closed, past the first-contact
    deadline; one row per agency involved), agency_acceptance (agency referral pending
    past the acceptance deadline), mental_health_contact (referral to NHS mental health,
    not declined, withdrawn or redirected, not seen, not ended, past the deadline).
    Columns: kind, case_id (pseudonymous), agency, days_past_deadline (calendar days).
    """
    return read.run(con, "overdue", READER)


def comparison_shares(con: duckdb.DuckDBPyConnection, month: dt.date) -> pd.DataFrame:
    """The comparison population's share of each category (equity_reach, the latest month
    on or before `month`): characteristic, category, basis_label, comparison_share."""
    return read.run(con, "comparison_shares", READER, month=month)


# --- people frames for disclosure control ----------------------------------------------------

_AGENCY_LIST = "list_filter([{}], lambda x: x is not null)".format(
    ", ".join(f"case when involves_{a} then '{a}' end" for a in AGENCIES)
)
_STAGE_LIST = "list_filter([{}], lambda x: x is not null)".format(
    ", ".join(f"case when {flag} then '{stage}' end" for stage, flag in STAGES.items())
)


def _in_period(month_column: str) -> str:
    return f"({month_column} between $first and $last)"


def _outcome_columns(outcomes: list[str], agency_for: str | None) -> tuple[str, str]:
    """Aggregates over a victim's referrals (and agency referrals) for each outcome."""
    referral_parts, agency_parts = [], []
    for indicator in outcomes:
        if indicator in REFERRAL_OUTCOMES:
            base, success, month = REFERRAL_OUTCOMES[indicator]
            in_base = f"(coalesce({base}, false) and {_in_period(month)})"
            met = f"({in_base} and coalesce({success}, false))"
            referral_parts.append(f"bool_or({in_base}) as {indicator}_base")
            referral_parts.append(f"bool_or({met}) as {indicator}_met")
            if agency_for == indicator:
                referral_parts.append(
                    f"list_sort(list_distinct(flatten(list({_AGENCY_LIST}) "
                    f"filter (where {in_base})))) as agency"
                )
        elif indicator in AGENCY_REFERRAL_OUTCOMES:
            base, success, month = AGENCY_REFERRAL_OUTCOMES[indicator]
            in_base = f"(coalesce({base}, false) and {_in_period(month)})"
            met = f"({in_base} and coalesce({success}, false))"
            agency_parts.append(f"bool_or({in_base}) as {indicator}_base")
            agency_parts.append(f"bool_or({met}) as {indicator}_met")
            if agency_for == indicator:
                agency_parts.append(
                    f"list_sort(list_distinct(list(agency) filter (where {in_base}))) as agency"
                )
        else:
            raise ValueError("not a person-level indicator")
    return ", ".join(referral_parts), ", ".join(agency_parts)


def people_frame(
    con: duckdb.DuckDBPyConnection,
    first: dt.date,
    last: dt.date,
    outcomes: list[str] = (),
    *,
    demographics: bool = True,
    referred: bool = True,
    agency_for: str | None = None,
) -> pd.DataFrame:
    """Distinct victims grouped by what the report's tables cut them by.

    Columns (as asked): the demographics (from the victim's latest referral up to the end
    of the period; `unknown` when not recorded); `stage`, a list of the referral stages
    any of their referrals received in the period reached (empty if not referred in it);
    `crime_type`, the crime types of those referrals; for each outcome `<id>_base` (in
    the indicator's base for a cohort month in the period) and `<id>_met`; `agency` (the
    agencies involved in the in-base referrals of `agency_for`); and `count`. Only
    victims in at least one of the frame's groups are kept.
    """
    outcomes = list(outcomes)
    if agency_for is not None and agency_for not in outcomes:
        raise ValueError("agency_for must be one of the outcomes")
    referral_aggs, agency_aggs = _outcome_columns(outcomes, agency_for)
    keep = []
    if referred:
        keep.append("len(referred.stage) > 0")
    keep += [f"outcomes.{i}_base" for i in outcomes if i in REFERRAL_OUTCOMES]
    keep += [f"agency_outcomes.{i}_base" for i in outcomes if i in AGENCY_REFERRAL_OUTCOMES]
    if not keep:
        raise ValueError("a people frame needs referrals or outcomes")
    columns = []
    if demographics:
        columns += [f"coalesce(latest.{d}, 'unknown') as {d}" for d in DEMOGRAPHICS]
    if referred:
        columns += [
            "coalesce(referred.stage, []::varchar[]) as stage",
            "coalesce(referred.crime_type, []::varchar[]) as crime_type",
        ]
    for indicator in outcomes:
        source = "outcomes" if indicator in REFERRAL_OUTCOMES else "agency_outcomes"
        columns.append(f"coalesce({source}.{indicator}_base, false) as {indicator}_base")
        columns.append(f"coalesce({source}.{indicator}_met, false) as {indicator}_met")
    if agency_for is not None:
        source = "outcomes" if agency_for in REFERRAL_OUTCOMES else "agency_outcomes"
        columns.append(f"coalesce({source}.agency, []::varchar[]) as agency")
    demographic_aggs = ", ".join(f"arg_max({d}, referral_date) as {d}" for d in DEMOGRAPHICS)
    sql = f"""
        with

        referrals as (

            select * from marts.fct_referrals

        ),

        agency_referrals as (

            select * from marts.agency_referrals

        ),

        latest as (

            select victim_id, {demographic_aggs}
            from referrals
            where referral_date <= $period_end
            group by victim_id

        ),

        referred as (

            select
                victim_id,
                list_sort(list_distinct(flatten(list({_STAGE_LIST})))) as stage,
                list_sort(list_distinct(list(crime_type))) as crime_type
            from referrals
            where {_in_period("referral_month")}
            group by victim_id

        ),

        outcomes as (

            select victim_id{", " + referral_aggs if referral_aggs else ""}
            from referrals
            group by victim_id

        ),

        agency_outcomes as (

            select victim_id{", " + agency_aggs if agency_aggs else ""}
            from agency_referrals
            group by victim_id

        ),

        people as (

            select {", ".join(columns)}
            from latest
            left join referred
                on latest.victim_id = referred.victim_id
            left join outcomes
                on latest.victim_id = outcomes.victim_id
            left join agency_outcomes
                on latest.victim_id = agency_outcomes.victim_id
            where {" or ".join(f"coalesce({k}, false)" for k in keep)}

        ),

        final as (

            select *, count(*) as count
            from people
            group by all

        )

        select * from final
    """
    out = frame(con, sql, {"first": first, "last": last, "period_end": month_end(last)})
    for column in ("stage", "crime_type", "agency"):
        if column in out.columns:
            out[column] = [tuple(v) for v in out[column]]
    return out


def valuation_inputs(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date
                     ) -> pd.DataFrame:
    """marts.valuation_inputs for months first..last: what the value is recomputed from."""
    return read.run(con, "valuation_inputs", READER, first=first, last=last)


def hub_evidence(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """marts.hub_evidence: the sums the hub's own evidence is estimated from."""
    return read.run(con, "hub_evidence", READER)


def register_overrides(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """A hub's own register (build --assumptions): each override beside the shipped row."""
    return read.run(con, "register_overrides", READER)
