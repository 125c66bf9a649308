"""The tables of a quarter's public release: the one definition of the public tables
and of rule 6's pre-decision, used by the release step and (for the PCC's sensitive
cuts) by `metrics.report.protected`. Each table is in the namespace of the frame it is
cut from.

* namespace `referred` (the people referred in the quarter): people referred by gender,
  age band, ethnic group, disability and LGBT+ (`referred_by_<dim>`), by crime type and,
  where some victim has an area recorded, by area (`referred_by_area`, every area among
  the hub's victims listed: an area nobody was referred from is a published 0),
  people by stage reached (`stages`), and the base and met tables of the outcomes whose
  cohort is the referral month;
* namespace `outcome:<id>` (the people in that outcome's base): its base and met tables.

A breakdown by ethnic group, disability or LGBT+ in which one recorded group holds
everyone is left out (rule 6); the disclosure library hides the categories of any other
breakdown rule 6 covers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from metrics.contract import CHARACTERISTICS, CRIME_TYPES
from metrics.disclosure import TableSpec
from metrics.disclosure.rules import UNKNOWN
from metrics.published.frames import AREA, REFERRED_OUTCOMES
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

__all__ = [
    "AREA_TABLE",
    "COUNT_ONLY",
    "PERIOD",
    "REFERRED_WHERE",
    "SENSITIVE_OUTCOMES",
    "area_categories",
    "base_table",
    "met_table",
    "one_group_holds_everyone",
    "outcome_specs",
    "quarter_specs",
    "referral_specs",
]

REFERRED = "referred"
AREA_TABLE = "referred_by_area"


def outcome_namespace(indicator: str) -> str:
    return REFERRED if indicator in REFERRED_OUTCOMES else f"outcome:{indicator}"


def outcome_tables(indicator: str) -> tuple[str, ...]:
    base = base_table(indicator)
    return (base,) if indicator in COUNT_ONLY else (base, met_table(indicator))


def indicator_of(table: str) -> str | None:
    """The outcome a base or met table belongs to (None for the referral tables)."""
    for suffix in ("_base", "_met"):
        if table.endswith(suffix) and table[: -len(suffix)] in data.PERSON_OUTCOMES:
            return table[: -len(suffix)]
    return None


def outcome_specs(indicator: str, label: str) -> list[TableSpec]:
    sensitive = indicator in SENSITIVE_OUTCOMES
    base = {f"{indicator}_base": True}
    cats = {PERIOD: [label]}
    specs = [TableSpec(base_table(indicator), [PERIOD], where=base, sensitive=sensitive,
                       categories=cats)]
    if indicator not in COUNT_ONLY:
        specs.append(
            TableSpec(met_table(indicator), [PERIOD], where={**base, f"{indicator}_met": True},
                      sensitive=sensitive, categories=cats)
        )
    return specs


def area_categories(areas: Sequence[str], people: pd.DataFrame) -> list[str]:
    """The categories of the area table: every area among the victims (`areas`, from
    marts.areas) and any other the quarter's people have; none (no table) when no
    victim has an area recorded."""
    seen = list(people[AREA].unique()) if AREA in people.columns else []
    listed = [*areas, *(a for a in seen if a not in areas)]
    return listed if any(a != UNKNOWN for a in listed) else []


def referral_specs(
    label: str, people: pd.DataFrame, areas: Sequence[str] = ()
) -> tuple[list[TableSpec], set[str]]:
    """The referral tables of a quarter, and the names of those left out under rule 6.
    `areas`: every area among the victims (the area table's categories)."""
    specs, dropped = [], set()
    for dim in data.DEMOGRAPHICS:
        name = f"referred_by_{dim}"
        if one_group_holds_everyone(people, dim, REFERRED_WHERE):
            dropped.add(name)
            continue
        specs.append(
            TableSpec(name, [PERIOD, dim], totals=[dim], where=REFERRED_WHERE,
                      categories={PERIOD: [label], dim: list(CHARACTERISTICS[dim])})
        )
    specs.append(
        TableSpec("referred_by_crime_type", [PERIOD, "crime_type"], totals=["crime_type"],
                  where=REFERRED_WHERE,
                  categories={PERIOD: [label], "crime_type": list(CRIME_TYPES)})
    )
    area_list = area_categories(areas, people)
    if area_list:  # an area is not a special category: rule 6 does not apply
        specs.append(
            TableSpec(AREA_TABLE, [PERIOD, AREA], totals=[AREA], where=REFERRED_WHERE,
                      categories={PERIOD: [label], AREA: area_list})
        )
    specs.append(
        TableSpec("stages", [PERIOD, "stage"],
                  categories={PERIOD: [label], "stage": list(data.STAGES)})
    )
    return specs, dropped


def quarter_specs(
    label: str, referred: pd.DataFrame, outcomes: Iterable[str], referral_tables: bool,
    areas: Sequence[str] = (),
) -> tuple[dict[str, list[TableSpec]], set[str]]:
    """Specs by namespace for a quarter: the referral tables (if asked for) and the
    tables of the given outcomes; with the names of the tables left out under rule 6.
    `areas`: every area among the victims (marts.areas)."""
    by_namespace: dict[str, list[TableSpec]] = {}
    dropped: set[str] = set()
    if referral_tables:
        specs, dropped = referral_specs(label, referred, areas)
        by_namespace[REFERRED] = specs
    for indicator in outcomes:
        by_namespace.setdefault(outcome_namespace(indicator), []).extend(
            outcome_specs(indicator, label)
        )
    return by_namespace, dropped
