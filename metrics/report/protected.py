"""The disclosure-controlled tables of the PCC review's sensitive cuts.

The public report has no protection of its own: it prints the published release
(`metrics.published`), protected and audited when the warehouse was built, so a report
and the public dashboard show the same figures. The PCC review is made on demand for its
own audience: every table here counts distinct victims (`data.people_frame`), is built
with `metrics.disclosure.release_from_people`, protected with `publish` and checked with
`audit(...).raise_if_failed()` before the report is rendered. A release that cannot be
protected, or fails its audit, raises `DisclosureError` and nothing is written. The
table names, the sensitive outcomes and rule 6's pre-decision are those of the public
release (`metrics.published.specs`).

`protector` is the function that protects a release (`publish` in every real run);
tests pass an under-protecting one to prove that the audit stops it.
"""

from __future__ import annotations

from collections.abc import Callable

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
from metrics.period import Period
from metrics.published.names import (
    COUNT_ONLY,
    PERIOD,
    REFERRED_WHERE,
    SENSITIVE_OUTCOMES,
    base_table,
    met_table,
    one_group_holds_everyone,
)
from metrics.report import data

__all__ = ["agency_release", "base_table", "characteristic_release", "met_table"]

Protector = Callable[..., ProtectedRelease]


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


def _protect(
    people: pd.DataFrame, specs: list[TableSpec], audience: str, protector: Protector
) -> ProtectedRelease:
    release: Release = release_from_people(people, specs)
    protected = protector(release, audience=audience)
    audit(protected).raise_if_failed()
    return protected


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
        if one_group_holds_everyone(people, dim, REFERRED_WHERE):
            dropped.add(name)
            continue
        specs.append(
            TableSpec(
                name,
                [PERIOD, dim],
                totals=[dim],
                where=REFERRED_WHERE,
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
