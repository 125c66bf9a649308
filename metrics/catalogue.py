"""The indicator catalogue: `data/indicator_catalogue.csv` → `ref.indicator_catalogue`.

The catalogue holds the published description of every indicator (title, theme,
horizon, dimension, unit, direction, definition, source) and the rules the SQL
assembly of `marts.indicator_monthly` reads:

* ``family``: the model that emits the indicator (`int_family_<family>`).
* ``has_agency_rows``: whether the indicator has a row per agency besides `all`.
* ``kind``: rate, count, money, ratio, median or sum (how an empty month reads).
* ``requires``: the measures the indicator needs, ``;``-separated. Each item is
  ``table.column``, present when the table's file is in the extract, the column
  is in the file and at least one loaded row has a value for it; ``a|b`` means
  either will do. A missing measure makes the indicator `no_data`.
* ``agency_requires``: what the agency rows need besides ``requires`` (the
  tables that say which agencies were involved).
* ``cohort_month``: the month a record counts in: ``referral`` (referral_date),
  ``closed`` (the month the case closed), ``survey`` (the exit survey's month), ``sent``
  (the agency referral's sent_date), ``target_hardening`` (the first target-hardening
  service's start), ``month_end`` (a stock at the month's last day), ``redirect`` (a
  redirected agency referral's outcome_date) or ``components`` (value for money: the months
  of its parts). The family models read it (the wellbeing
  family picks each indicator's cohort month from it) and so do the readers.
* ``record_table`` / ``base_flag`` / ``success_flag``: for an outcome counted per record
  (a person-level rate the reports and the public release cut by characteristic), the
  mart it is counted from (``fct_referrals`` or ``agency_referrals``) and its flag
  columns there: in the base, and counted (``true`` for a base of every record).
* ``censor_days`` / ``censor_months`` / ``coverage_table``: a cohort month is
  not yet measurable until its last day plus the window has passed by the
  as-of date (and by the coverage date of ``coverage_table``, if given).
* ``uses_parameters``: value_low and value_high carry the register's scenarios.
* ``public_label`` / ``public_base``: the plain-English title and base of an indicator
  in the public bulletin (empty when the public release does not carry it).
* ``coverage_indicator``: the follow-up coverage indicator shown beside a follow-up
  outcome (how many of the people due a follow-up had one).
* ``benchmark_parameter`` / ``benchmark_note``: the register row drawn as a national
  benchmark beside the indicator, and what that national figure measures.
* ``dimension_why``: one line on why the indicator sits in its Benington dimension
  (shown on Methods); required where ``dimension`` is set.

Where the reports and the read layer show an indicator (the lists they walk, in order):

* ``bulletin_section`` / ``bulletin_order``: the public bulletin's section that shows the
  indicator (``who``, ``timeliness``, ``wellbeing``, ``prevention``, ``nhs_demand``,
  ``value_for_money``) and its place across the bulletin (1 first). A rate goes in its
  section's outcome table, a count (homes made safer) in its own table, money in the
  value-for-money table.
* ``bulletin_point`` / ``bulletin_point_words``: the place of a rate in the bulletin's
  main points and the words after its percentage.
* ``standard`` / ``standard_order``: a timeliness standard (the words of the standard) and
  its place in the timeliness tables of the manager and PCC reports.
* ``pcc_key_point``, ``pcc_by_agency``, ``pcc_by_characteristic``: the place of the
  indicator in the PCC report's key points, its table by agency and its tables by a
  characteristic of the people referred.
* ``manager_trend``: the place of the indicator among the manager pack's 13-month trends.
* ``value_component``: the part of the value for money the indicator is (``wellbeing``,
  ``nhs``, ``prevention``: the monetised components; ``total``; ``per_pound``).
* ``sensitive_outcome``: an outcome about a sensitive service (a cut of it is published
  with the sensitive threshold).
* ``by_area``: the indicator has a breakdown by the victim's area.
* ``by_agency_count``: the indicator is compared between people helped by at most one
  agency and by two or more.

A place column holds 1, 2, ... (each place once) and is empty where the list leaves the
indicator out. A month-end stock is ``cohort_month`` ``month_end``; an outcome counted per
person as a count (no rate) is ``kind`` ``count`` with a ``record_table``.

Call ``load_catalogue(con)`` after the reference tables and before the models.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "data" / "indicator_catalogue.csv"
# the parts of the value for money, in the order the reports list them
VALUE_COMPONENTS = ("wellbeing", "nhs", "prevention", "total", "per_pound")
# the monetised components that add up to the total
MONETISED_COMPONENTS = ("wellbeing", "nhs", "prevention")
BULLETIN_SECTIONS = ("who", "timeliness", "wellbeing", "prevention", "nhs_demand",
                     "value_for_money")
PLACE_COLUMNS = ("bulletin_order", "bulletin_point", "standard_order", "pcc_key_point",
                 "pcc_by_agency", "pcc_by_characteristic", "manager_trend")

COLUMN_TYPES = {
    "indicator_id": "varchar",
    "title": "varchar",
    "theme": "varchar",
    "horizon": "varchar",
    "dimension": "varchar",
    "unit": "varchar",
    "direction": "varchar",
    "definition": "varchar",
    "source": "varchar",
    "family": "varchar",
    "has_agency_rows": "boolean",
    "kind": "varchar",
    "requires": "varchar",
    "agency_requires": "varchar",
    "cohort_month": "varchar",
    "record_table": "varchar",
    "base_flag": "varchar",
    "success_flag": "varchar",
    "censor_days": "integer",
    "censor_months": "integer",
    "coverage_table": "varchar",
    "uses_parameters": "boolean",
    "public_label": "varchar",
    "public_base": "varchar",
    "coverage_indicator": "varchar",
    "benchmark_parameter": "varchar",
    "benchmark_note": "varchar",
    "dimension_why": "varchar",
    "bulletin_section": "varchar",
    "bulletin_order": "integer",
    "bulletin_point": "integer",
    "bulletin_point_words": "varchar",
    "standard": "varchar",
    "standard_order": "integer",
    "pcc_key_point": "integer",
    "pcc_by_agency": "integer",
    "pcc_by_characteristic": "integer",
    "manager_trend": "integer",
    "value_component": "varchar",
    "sensitive_outcome": "boolean",
    "by_area": "boolean",
    "by_agency_count": "boolean",
}
REQUIRED_TEXT = ("indicator_id", "title", "theme", "unit", "direction", "definition", "source",
                 "family", "kind")
ALLOWED = {
    "theme": {"wellbeing", "prevention", "nhs_demand", "operations", "equity", "value_for_money"},
    "horizon": {"", "short", "medium", "long"},
    "dimension": {"", "public_values", "public_sphere"},
    "unit": {"rate", "count", "gbp", "ratio", "median_working_days", "sum_contacts"},
    "direction": {"higher_is_better", "lower_is_better", "neutral"},
    "family": {"operations", "wellbeing", "prevention", "nhs", "value", "value_for_money",
               "equity"},
    "kind": {"rate", "count", "money", "ratio", "median", "sum"},
    "coverage_table": {"", "repeat_crimes", "health_use"},
    "record_table": {"", "fct_referrals", "agency_referrals"},
    "cohort_month": {"", "referral", "closed", "survey", "sent", "target_hardening", "month_end",
                     "components", "redirect"},
    "has_agency_rows": {"true", "false"},
    "uses_parameters": {"true", "false"},
    "bulletin_section": {"", *BULLETIN_SECTIONS},
    "value_component": {"", *VALUE_COMPONENTS},
    "sensitive_outcome": {"true", "false"},
    "by_area": {"true", "false"},
    "by_agency_count": {"true", "false"},
}
# columns that are filled together or not at all
TOGETHER = (("bulletin_section", "bulletin_order"), ("bulletin_point", "bulletin_point_words"),
            ("standard", "standard_order"))
# the catalogue's cohort_month -> the month column of a record in the marts
COHORT_COLUMNS = {
    "closed": "closed_month",
    "survey": "survey_month",
    "referral": "referral_month",
    "target_hardening": "target_hardening_month",
    "sent": "sent_month",
}
# marts.person_outcomes keeps each record's flags that the outcomes counted per record name
# as the bits of a signed 64-bit integer (0 to 62)
MAX_RECORD_FLAGS = 63
_MEASURE = re.compile(r"^[a-z_]+\.[a-z_]+$")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class CatalogueError(ValueError):
    """The catalogue file breaks a rule (the message names the row and the rule)."""


def _check_measures(text: str, line: int, column: str) -> None:
    if not text:
        return
    for item in text.split(";"):
        for alternative in item.split("|"):
            if not _MEASURE.match(alternative):
                raise CatalogueError(
                    f"row {line}: {column} item '{alternative}' is not table.column"
                )


def _check_whole_number(text: str, line: int, column: str) -> None:
    if text and not (text.isdigit() and int(text) > 0):
        raise CatalogueError(f"row {line}: {column} '{text}' is not a positive whole number")


def read_catalogue(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check the catalogue; returns one typed row per indicator (a copy to change
    freely). A file's checked rows are kept per process by its content, so a build reads
    and checks the same catalogue once, and a changed file is read and checked again."""
    path = Path(path) if path is not None else CATALOGUE_PATH
    return _checked(path.name, path.read_bytes()).copy()


@lru_cache(maxsize=8)
def _checked(file_name: str, content: bytes) -> pd.DataFrame:
    """The checked, typed catalogue of ``content`` (``file_name`` names it in errors)."""
    frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    if list(frame.columns) != list(COLUMN_TYPES):
        raise CatalogueError(f"{file_name}: header must be {','.join(COLUMN_TYPES)}")
    seen: set[str] = set()
    for line, row in enumerate(frame.to_dict("records"), start=2):
        for column in REQUIRED_TEXT:
            if not row[column].strip():
                raise CatalogueError(f"row {line}: {column} is empty")
        indicator_id = row["indicator_id"]
        if not _ID.match(indicator_id):
            raise CatalogueError(f"row {line}: indicator_id '{indicator_id}' is not snake_case")
        if indicator_id in seen:
            raise CatalogueError(f"row {line}: indicator_id '{indicator_id}' appears twice")
        seen.add(indicator_id)
        for column, allowed in ALLOWED.items():
            if row[column] not in allowed:
                raise CatalogueError(f"row {line}: {column} '{row[column]}' is not allowed")
        _check_measures(row["requires"], line, "requires")
        _check_measures(row["agency_requires"], line, "agency_requires")
        flags = (row["record_table"], row["base_flag"], row["success_flag"])
        if any(flags) and not all(flags):
            raise CatalogueError(
                f"row {line}: record_table, base_flag and success_flag go together"
            )
        if row["record_table"] and row["cohort_month"] not in COHORT_COLUMNS:
            raise CatalogueError(
                f"row {line}: an outcome counted per record needs a record cohort_month"
            )
        if row["dimension"] and not row["dimension_why"].strip():
            raise CatalogueError(f"row {line}: dimension_why is empty for a dimension")
        if bool(row["benchmark_parameter"]) != bool(row["benchmark_note"].strip()):
            raise CatalogueError(
                f"row {line}: benchmark_parameter and benchmark_note go together"
            )
        _check_whole_number(row["censor_days"], line, "censor_days")
        _check_whole_number(row["censor_months"], line, "censor_months")
        for pair in TOGETHER:
            if bool(row[pair[0]].strip()) != bool(row[pair[1]].strip()):
                raise CatalogueError(f"row {line}: {' and '.join(pair)} go together")
        for column in PLACE_COLUMNS:
            _check_whole_number(row[column], line, column)
    for column in (*PLACE_COLUMNS, "value_component"):
        filled = [v for v in frame[column] if v]
        if len(filled) != len(set(filled)):
            raise CatalogueError(f"{file_name}: {column} gives a value to two indicators")
    named_flags = {f for c in ("base_flag", "success_flag") for f in frame[c] if f and f != "true"}
    if len(named_flags) > MAX_RECORD_FLAGS:
        raise CatalogueError(
            f"{file_name}: base_flag and success_flag name {len(named_flags)} flags; "
            f"at most {MAX_RECORD_FLAGS} (marts.person_outcomes keeps them as bits)"
        )
    for line, coverage in enumerate(frame["coverage_indicator"], start=2):
        if coverage and coverage not in seen:
            raise CatalogueError(f"row {line}: coverage_indicator '{coverage}' is not an indicator")
    typed = frame.astype(object).where(frame != "", None)
    for column, sql_type in COLUMN_TYPES.items():
        if sql_type == "boolean":
            typed[column] = frame[column] == "true"
        elif sql_type == "integer":
            typed[column] = pd.array(
                [int(v) if v else None for v in frame[column]], dtype="Int32"
            )
    return typed


@lru_cache(maxsize=1)
def _shipped() -> pd.DataFrame:
    return read_catalogue()


def catalogue() -> pd.DataFrame:
    """The checked catalogue shipped with the code (read once; a copy to change freely)."""
    return _shipped().copy()


def in_place_order(column: str) -> tuple[str, ...]:
    """The indicators with a place in ``column`` (one of PLACE_COLUMNS), first place first."""
    if column not in PLACE_COLUMNS:
        raise ValueError(f"{column} is not a place column")
    frame = _shipped()
    listed = frame[frame[column].notna()].sort_values(column)
    return tuple(listed["indicator_id"])


def flagged(column: str) -> tuple[str, ...]:
    """The indicators whose boolean ``column`` is true, in catalogue order."""
    if COLUMN_TYPES.get(column) != "boolean":
        raise ValueError(f"{column} is not a boolean column")
    frame = _shipped()
    return tuple(frame.loc[frame[column], "indicator_id"])


def value_indicator(component: str) -> str:
    """The indicator that is the value-for-money ``component`` (VALUE_COMPONENTS)."""
    frame = _shipped()
    found = frame.loc[frame["value_component"] == component, "indicator_id"]
    if found.empty:
        raise ValueError(f"no indicator is the value component {component}")
    return str(found.iloc[0])


def stock_indicators() -> frozenset[str]:
    """The month-end counts (a period shows its last month): cohort_month month_end."""
    frame = _shipped()
    return frozenset(frame.loc[frame["cohort_month"] == "month_end", "indicator_id"])


def count_only_outcomes() -> frozenset[str]:
    """The outcomes counted per person as a count with no rate (kind count, record_table)."""
    frame = _shipped()
    return frozenset(
        frame.loc[(frame["kind"] == "count") & frame["record_table"].notna(), "indicator_id"]
    )


def load_catalogue(con: duckdb.DuckDBPyConnection, path: str | Path | None = None) -> None:
    """Write the checked catalogue to ``ref.indicator_catalogue`` with explicit types."""
    frame = read_catalogue(path)
    con.execute("create schema if not exists ref")
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in COLUMN_TYPES.items())
    con.execute(f"create or replace table ref.indicator_catalogue ({columns})")
    casts = ", ".join(f"cast({name} as {sql_type})" for name, sql_type in COLUMN_TYPES.items())
    con.register("_catalogue", frame)
    try:
        con.execute(f"insert into ref.indicator_catalogue select {casts} from _catalogue")
    finally:
        con.unregister("_catalogue")


# the monetised indicators (projected £, or £ per £ of funding), hub-wide only
MONEY_INDICATORS = tuple(value_indicator(component) for component in VALUE_COMPONENTS)
