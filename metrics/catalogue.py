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

Call ``load_catalogue(con)`` after the reference tables and before the models.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "data" / "indicator_catalogue.csv"
# the monetised indicators (projected £, or £ per £ of funding), hub-wide only
MONEY_INDICATORS = (
    "wellbeing_social_value_gbp",
    "nhs_cost_avoided_gbp",
    "crime_cost_avoided_gbp",
    "public_value_total_gbp",
    "value_per_pound",
)

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
}
# the catalogue's cohort_month -> the month column of a record in the marts
COHORT_COLUMNS = {
    "closed": "closed_month",
    "survey": "survey_month",
    "referral": "referral_month",
    "target_hardening": "target_hardening_month",
    "sent": "sent_month",
}
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
    """Read and check the catalogue; returns one typed row per indicator."""
    path = Path(path) if path is not None else CATALOGUE_PATH
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(frame.columns) != list(COLUMN_TYPES):
        raise CatalogueError(f"{path.name}: header must be {','.join(COLUMN_TYPES)}")
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
