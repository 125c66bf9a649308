"""Every read the reports make from the warehouse.

The warehouse is opened read-only with DuckDB's external access off
(`metrics.queries.connect`). Every read is a named query (`sql/queries`, run by
`metrics.read`) with its values bound as parameters; the people frames are
`people_groups.sql` over marts.fct_referrals and marts.person_outcomes.

People frames (`people_frame`) count distinct victims, not referrals: one row per
group of victims with the same classifying values and a `count` column, the input
`metrics.disclosure.release_from_people` expects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from metrics import queries, read
from metrics.cohorts import (  # noqa: F401 (read as data.REFERRAL_OUTCOMES, ...)
    AGENCY_REFERRAL_OUTCOMES,
    PERSON_OUTCOMES,
    REFERRAL_OUTCOMES,
)
from metrics.contract import AGENCIES  # noqa: F401 (read as data.AGENCIES)
from metrics.period import months_between
from metrics.report import coded_groups

DEMOGRAPHICS = ("gender", "age_band", "ethnic_group", "disability", "lgbt")
# the stages a referral reaches, in order (the flag of each: sql/queries/people_groups.sql)
STAGES = ("referred", "contacted", "assessed", "supported", "completed")

# The reports read the rows as the manager view does; the pcc and public packs protect
# what they show (metrics.report.protected, metrics.published).
READER = "manager"
# people_groups gathers a victim's outcomes as the bits of a 64-bit integer
MAX_OUTCOMES = 63


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
    Columns: kind, case_id (pseudonymous), agency (each agency the case is for),
    responsible_agency (whose standard is missed), deadline_date,
    working_days_past_deadline.
    """
    return read.run(con, "overdue", READER)


def comparison_shares(con: duckdb.DuckDBPyConnection, month: dt.date) -> pd.DataFrame:
    """The comparison population's share of each category (equity_reach, the latest month
    on or before `month`): characteristic, category, basis_label, comparison_share."""
    return read.run(con, "comparison_shares", READER, month=month)


# --- people frames for disclosure control ----------------------------------------------------


def people_groups(
    con: duckdb.DuckDBPyConnection,
    firsts: list[dt.date],
    months: int,
    outcomes: list[str],
    *,
    demographics: bool,
    referred: bool,
    agency_for: str | None,
    area: bool = False,
    coded: bool = False,
) -> pd.DataFrame:
    """Distinct victims grouped per period (periods of `months` months from each of
    `firsts`, month starts on one grid: each a whole number of periods after the
    earliest): the rows of sql/queries/people_groups.sql, with the outcomes in `in_base`
    and `met` as lists; `coded`: the sets as bits and JSON text instead of lists (read by
    `people_columns`; much cheaper to bring into Python), the rows in the order of
    their codes."""
    unknown = [i for i in outcomes if i not in PERSON_OUTCOMES]
    if unknown:
        raise ValueError("not a person-level indicator")
    if not referred and not outcomes:
        raise ValueError("a people frame needs referrals or outcomes")
    if len(set(outcomes)) > MAX_OUTCOMES:
        raise ValueError(f"a people frame counts at most {MAX_OUTCOMES} outcomes at once")
    off_grid = [f for f in firsts if f.day != 1
                or months >= 1 and (months_between(min(firsts), f) - 1) % months]
    if off_grid:
        raise ValueError(f"the periods' first months are not {months} months apart")
    return read.run(con, "people_groups", READER, firsts=list(firsts), months=months,
                    outcomes=list(outcomes), agency_for=agency_for or "", referred=referred,
                    demographics=demographics, area=area, coded=coded)


def people_columns(grouped: pd.DataFrame, outcomes: list[str], *, demographics: bool,
                   referred: bool, agency_for: str | None,
                   stage_order: tuple[str, ...] | None = None,
                   area: bool = False) -> pd.DataFrame:
    """The people frame's columns from coded grouped rows (`people_groups(...,
    coded=True)`), in the order of the rows' lists (as `people_groups` without `coded`
    orders them): the demographics, `stage` and `crime_type` as tuples (the stages in
    `stage_order` if given, else sorted), `<id>_base` and `<id>_met` for each outcome,
    `agency` (a tuple) and `count`; with `area`, the area after the demographics."""
    classifiers = (*(DEMOGRAPHICS if demographics else ()), *(("area",) if area else ()))
    counts = grouped["count"].to_numpy(dtype=np.int64)
    in_base = coded_groups.integers(grouped["in_base_bits"])
    met = coded_groups.integers(grouped["met_bits"])
    lists = {}
    if referred:
        lists["stage"] = coded_groups.stage_codes(coded_groups.integers(grouped["stage_bits"]))
        lists["crime_type"] = coded_groups.json_codes(grouped["crime_type_json"])
    lists["in_base"] = coded_groups.outcome_lists(in_base, outcomes)
    lists["met"] = coded_groups.outcome_lists(met, outcomes)
    if agency_for is not None:
        lists["agency"] = coded_groups.json_codes(grouped["agency_json"])
    leading = [grouped[c] for c in ("period_start", *DEMOGRAPHICS, "area")]
    order = coded_groups.list_order(leading, list(lists.values()), counts)
    out = grouped[list(classifiers)].take(order).reset_index(drop=True)
    for column in ("stage", "crime_type") if referred else ():
        codes, uniques = lists[column]
        if column == "stage" and stage_order is not None:
            uniques = [tuple(s for s in stage_order if s in v) for v in uniques]
        out[column] = coded_groups.decoded(codes[order], uniques)
    base_flags = coded_groups.outcome_flags(in_base[order], outcomes)
    met_flags = coded_groups.outcome_flags(met[order], outcomes)
    for indicator in outcomes:
        out[f"{indicator}_base"] = base_flags[indicator]
        out[f"{indicator}_met"] = met_flags[indicator]
    if agency_for is not None:
        codes, uniques = lists["agency"]
        out["agency"] = coded_groups.decoded(codes[order], uniques)
    out["count"] = counts[order]
    return out


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
    grouped = people_groups(con, [first], months_between(first, last), outcomes,
                            demographics=demographics, referred=referred,
                            agency_for=agency_for, coded=True)
    return people_columns(grouped, outcomes, demographics=demographics, referred=referred,
                          agency_for=agency_for)


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
