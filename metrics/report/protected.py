"""The disclosure-controlled tables of the public and PCC reports.

Every table counts distinct victims (`data.people_frame`), is built with
`metrics.disclosure.release_from_people`, protected with `publish` and checked with
`audit(...).raise_if_failed()` before the report is rendered. A release that cannot be
protected, or fails its audit, raises `DisclosureError` and nothing is written.

`protector` is the function that protects a release (`publish` in every real run);
tests pass an under-protecting one to prove that the audit stops it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pandas as pd

from metrics.contract import AGENCIES, CHARACTERISTICS, CRIME_TYPES
from metrics.disclosure import (
    ProtectedRelease,
    Release,
    TableSpec,
    audit,
    publish,
    release_from_people,
)
from metrics.disclosure.rules import SPECIAL_CATEGORY, UNKNOWN
from metrics.period import Period
from metrics.report import data

Protector = Callable[..., ProtectedRelease]
PERIOD = "period"
# outcomes about a sensitive group whose labels do not say so (rule 2: 1 to 9)
SENSITIVE_OUTCOMES = frozenset({"mental_health_seen_10wd"})
COUNT_ONLY = frozenset({"homes_made_safer"})


def base_table(indicator: str, suffix: str = "") -> str:
    return f"{indicator}_base{suffix}"


def met_table(indicator: str, suffix: str = "") -> str:
    return f"{indicator}_met{suffix}"


def _outcome_specs(
    indicator: str,
    dims: list[str],
    totals: list[str],
    suffix: str = "",
    categories: dict | None = None,
) -> list[TableSpec]:
    sensitive = indicator in SENSITIVE_OUTCOMES
    base = {f"{indicator}_base": True}
    specs = [
        TableSpec(
            base_table(indicator, suffix),
            dims,
            totals=totals,
            where=base,
            sensitive=sensitive,
            categories=categories or {},
        )
    ]
    if indicator not in COUNT_ONLY:
        specs.append(
            TableSpec(
                met_table(indicator, suffix),
                dims,
                totals=totals,
                where={**base, f"{indicator}_met": True},
                sensitive=sensitive,
                categories=categories or {},
            )
        )
    return specs


def _matches(people: pd.DataFrame, where: dict) -> pd.Series:
    mask = pd.Series(True, index=people.index)
    for column, value in where.items():
        values = people[column]
        mask &= values.map(
            lambda v, value=value: value in v if isinstance(v, tuple) else v == value
        )
    return mask


def one_group_holds_everyone(people: pd.DataFrame, dim: str, where: dict) -> bool:
    """Rule 6, decided before publishing: in a breakdown by a special-category
    characteristic, exactly one recorded group holds everyone. Such a table is dropped
    (the library would otherwise refuse the whole release, since a group with nobody in
    it is known to be empty)."""
    if dim not in SPECIAL_CATEGORY:
        return False
    rows = people[_matches(people, where) & (people[dim] != UNKNOWN)]
    sizes = rows.groupby(dim)["count"].sum()
    return int((sizes > 0).sum()) == 1


def _protect(
    people: pd.DataFrame, specs: list[TableSpec], audience: str, protector: Protector
) -> ProtectedRelease:
    release: Release = release_from_people(people, specs)
    protected = protector(release, audience=audience)
    audit(protected).raise_if_failed()
    return protected


@dataclass(frozen=True)
class PublicRelease:
    """The public report's one release: who was referred, the referral stages and every
    measurable person-level outcome, all cutting the same people."""

    protected: ProtectedRelease
    period: Period
    outcomes: tuple[str, ...]
    dropped: frozenset[str] = frozenset()

    def table(self, name: str) -> pd.DataFrame:
        return self.protected.table(name)

    def rate(self, indicator: str) -> dict:
        """base, met (published counts or None), rate and rate_status for an outcome."""
        if indicator in COUNT_ONLY:
            row = self.protected.table(base_table(indicator)).iloc[0]
            value = None if pd.isna(row["count"]) else int(row["count"])
            return {
                "base": value,
                "met": None,
                "rate": None,
                "rate_status": "published" if value is not None else "withheld",
            }
        row = self.protected.rates(met_table(indicator), base_table(indicator)).iloc[0]
        return {
            "base": None if pd.isna(row["denominator"]) else int(row["denominator"]),
            "met": None if pd.isna(row["numerator"]) else int(row["numerator"]),
            "rate": None if pd.isna(row["rate"]) else float(row["rate"]),
            "rate_status": row["rate_status"],
        }


def _categories(period: Period, dim: str | None = None) -> dict:
    """Every code of a dimension is a row, so a group with nobody in it shows 0 and a
    breakdown where one group holds everyone is seen (and dropped) as such."""
    out = {PERIOD: [period.label]}
    if dim in CHARACTERISTICS:
        out[dim] = list(CHARACTERISTICS[dim])
    elif dim == "crime_type":
        out[dim] = list(CRIME_TYPES)
    elif dim == "agency":
        out[dim] = list(AGENCIES)
    return out


def public_specs(
    period: Period, outcomes: list[str], people: pd.DataFrame
) -> tuple[list[TableSpec], set[str]]:
    """The public tables, and the names of those dropped under rule 6."""
    categories = {PERIOD: [period.label]}
    referred = {"stage": "referred"}
    specs, dropped = [], set()
    for dim in data.DEMOGRAPHICS:
        name = f"referred_by_{dim}"
        if one_group_holds_everyone(people, dim, referred):
            dropped.add(name)
            continue
        specs.append(
            TableSpec(
                name,
                [PERIOD, dim],
                totals=[dim],
                where=referred,
                categories=_categories(period, dim),
            )
        )
    specs.append(
        TableSpec(
            "referred_by_crime_type",
            [PERIOD, "crime_type"],
            totals=["crime_type"],
            where=referred,
            categories=_categories(period, "crime_type"),
        )
    )
    specs.append(
        TableSpec(
            "stages", [PERIOD, "stage"], categories={**categories, "stage": list(data.STAGES)}
        )
    )
    for indicator in outcomes:
        specs += _outcome_specs(indicator, [PERIOD], [], categories=categories)
    return specs, dropped


def public_release(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    outcomes: list[str],
    protector: Protector = publish,
) -> PublicRelease:
    """Protect and audit the public tables; raises DisclosureError if they cannot be."""
    people = data.people_frame(con, period.first, period.last, outcomes)
    people[PERIOD] = period.label
    specs, dropped = public_specs(period, outcomes, people)
    protected = _protect(people, specs, "public", protector)
    return PublicRelease(protected, period, tuple(outcomes), frozenset(dropped))


# --- the PCC review's sensitive cuts -----------------------------------------------------------


def agency_release(
    con: duckdb.DuckDBPyConnection, period: Period, indicator: str, protector: Protector = publish
) -> ProtectedRelease:
    """An outcome by agency involved (people), for the pcc audience: the cells of the
    sensitive agencies are protected, the others are exact."""
    people = data.people_frame(
        con,
        period.first,
        period.last,
        [indicator],
        demographics=False,
        referred=False,
        agency_for=indicator,
    )
    people[PERIOD] = period.label
    specs = _outcome_specs(
        indicator, [PERIOD, "agency"], ["agency"], categories=_categories(period, "agency")
    )
    return _protect(people, specs, "pcc", protector)


def characteristic_release(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    outcomes: list[str],
    protector: Protector = publish,
) -> tuple[ProtectedRelease, frozenset[str]]:
    """People referred, and some outcomes, by each characteristic, for the pcc audience;
    with the names of the tables dropped under rule 6."""
    people = data.people_frame(con, period.first, period.last, outcomes)
    people[PERIOD] = period.label
    specs, dropped = [], set()
    for dim in data.DEMOGRAPHICS:
        name = f"referred_by_{dim}"
        if one_group_holds_everyone(people, dim, {"stage": "referred"}):
            dropped.add(name)
            continue
        specs.append(
            TableSpec(
                name,
                [PERIOD, dim],
                totals=[dim],
                where={"stage": "referred"},
                categories=_categories(period, dim),
            )
        )
    for indicator in outcomes:
        for dim in data.DEMOGRAPHICS:
            suffix = f"_by_{dim}"
            base = {f"{indicator}_base": True}
            if one_group_holds_everyone(people, dim, base) or one_group_holds_everyone(
                people, dim, {**base, f"{indicator}_met": True}
            ):
                dropped.add(base_table(indicator, suffix))
                continue
            specs += _outcome_specs(
                indicator, [PERIOD, dim], [dim], suffix=suffix, categories=_categories(period, dim)
            )
    return _protect(people, specs, "pcc", protector), frozenset(dropped)
