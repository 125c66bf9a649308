"""Differential test: the SQL models against the pandas reference.

For small extracts drawn by Hypothesis (tests/strategies.py), build the
warehouse with every SQL model (as tests.support.warehouse_from_rows does, plus
the indicator catalogue) and compare ``marts.indicator_monthly`` (agency
``all``) with ``metrics.reference.compute_core`` for each core indicator and
month: same rows, same status, same numerator, denominator and value.

40 examples under Hypothesis's default profile; any other loaded profile
(``--hypothesis-profile=ci``, registered in a conftest) sets the number.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from metrics import contract
from metrics.models import ModelError, run_models
from metrics.reference import (
    CORE_INDICATORS,
    compute_core,
    load_build_from_warehouse,
    load_tables_from_warehouse,
)
from metrics.reference_data import write_reference
from tests.strategies import extracts
from tests.support import load_raw


def _max_examples() -> int:
    """20 under Hypothesis's default profile (`make test`); a loaded profile (``ci`` in
    `make test-all`, ``long``) decides otherwise."""
    if settings.get_current_profile_name() == "default":
        return 20
    return settings().max_examples


DIFFERENTIAL_SETTINGS = settings(
    max_examples=_max_examples(),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

MART_SQL = Path(__file__).resolve().parent.parent / "sql" / "marts" / "indicator_monthly.sql"
COMPARED = ["status", "numerator", "denominator", "value"]

SMOKE_EXTRACT = {
    "victims": [{"victim_id": "v1"}],
    "referrals": [
        {
            "referral_id": "r1",
            "victim_id": "v1",
            "crime_type": "theft",
            "hate_crime": False,
            "domestic_abuse": False,
            "enhanced_rights": False,
            "source": "police",
            "referral_date": "2026-01-05",
        }
    ],
}


def build_warehouse(tables, as_of, coverage=None) -> duckdb.DuckDBPyConnection:
    """tests.support.warehouse_from_rows, plus the indicator catalogue the marts read."""
    con = duckdb.connect()
    load_raw(con, tables, as_of, coverage)
    write_reference(con, dt.date.fromisoformat(str(as_of)))
    found = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'ref' and table_name = 'indicator_catalogue'"
    ).fetchone()[0]
    if not found:
        from metrics.catalogue import load_catalogue

        load_catalogue(con)
    run_models(con, targets={"marts.indicator_monthly"})  # the mart compared, and what it needs
    return con


def _mart_unavailable_reason() -> str | None:
    """Why marts.indicator_monthly cannot be built yet (None when it can)."""
    if not MART_SQL.is_file():
        return "sql/marts/indicator_monthly.sql does not exist yet"
    try:
        con = build_warehouse(SMOKE_EXTRACT, "2026-01-31")
        con.execute("select count(*) from marts.indicator_monthly").fetchone()
    except (ModelError, ImportError, duckdb.Error) as exc:
        return f"the SQL models do not build yet: {exc}"
    return None


@pytest.fixture(scope="module")
def mart_available() -> None:
    reason = _mart_unavailable_reason()
    if reason is not None:
        pytest.skip(f"marts.indicator_monthly unavailable: {reason}")


def sql_core(con) -> pd.DataFrame:
    ids = ", ".join(f"'{i}'" for i in CORE_INDICATORS)
    frame = con.execute(
        "select indicator_id, month, status, numerator, denominator, value "
        f"from marts.indicator_monthly where agency = 'all' and indicator_id in ({ids})"
    ).df()
    frame["month"] = pd.to_datetime(frame["month"])
    return frame.set_index(["indicator_id", "month"]).sort_index()


def reference_core(con) -> pd.DataFrame:
    as_of, coverage = load_build_from_warehouse(con)
    frame = compute_core(load_tables_from_warehouse(con), as_of, coverage)
    frame["month"] = pd.to_datetime(frame["month"])
    return frame.set_index(["indicator_id", "month"]).sort_index()


def _same_number(a, b) -> bool:
    if pd.isna(a) or pd.isna(b):
        return pd.isna(a) and pd.isna(b)
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def disagreements(sql: pd.DataFrame, ref: pd.DataFrame) -> list[str]:
    """Human-readable differences (indicator ids, months, statuses, aggregate numbers)."""
    problems = []
    missing = ref.index.difference(sql.index)
    extra = sql.index.difference(ref.index)
    if len(missing):
        problems.append(f"rows missing from the mart: {list(missing)[:5]}")
    if len(extra):
        problems.append(f"rows only in the mart: {list(extra)[:5]}")
    for key in ref.index.intersection(sql.index):
        got, want = sql.loc[key], ref.loc[key]
        if got["status"] != want["status"]:
            problems.append(f"{key}: status sql={got['status']} reference={want['status']}")
            continue
        for column in COMPARED[1:]:
            if not _same_number(got[column], want[column]):
                problems.append(f"{key}: {column} sql={got[column]} reference={want[column]}")
    return problems


def check_contract(tables: dict[str, list[dict]], as_of: dt.date) -> None:
    """The drawn rows obey the contract rules the strategies promise."""
    for name, rows in tables.items():
        table = contract.TABLES_BY_NAME[name]
        keys = [tuple(row[k] for k in table.key) for row in rows]
        assert len(keys) == len(set(keys)), f"{name}: duplicate key"
        for row in rows:
            for column in table.columns:
                value = row.get(column.name)
                if column.type == "date" and value is not None:
                    assert value <= as_of, f"{name}.{column.name} after the as-of date"
                    earlier = row.get(column.not_before) if column.not_before else None
                    assert earlier is None or earlier <= value, f"{name}.{column.name} order"
                if column.required:
                    assert value is not None, f"{name}.{column.name} blank"
    referrals = {r["referral_id"]: r for r in tables["referrals"]}
    victims = {v["victim_id"] for v in tables["victims"]}
    assert all(r["victim_id"] in victims for r in referrals.values())
    for r in referrals.values():
        if "closed_date" in r or "closure_reason" in r:
            assert (r["closed_date"] is None) == (r["closure_reason"] is None)
    for name in ("assessments", "health_use", "services", "agency_referrals", "exit_surveys"):
        assert all(row["referral_id"] in referrals for row in tables.get(name, []))
    stages = [(a["referral_id"], a["stage"]) for a in tables.get("assessments", [])]
    assert all(stages.count(s) == 1 for s in stages if s[1] in ("intake", "exit"))
    for row in tables.get("agency_referrals", []):
        assert row["sent_date"] >= referrals[row["referral_id"]]["referral_date"]
        assert (row["outcome"] == "pending") == (row["outcome_date"] is None)


@DIFFERENTIAL_SETTINGS
@given(drawn=extracts())
def test_sql_core_indicators_match_the_pandas_reference(mart_available, drawn):
    tables, as_of, coverage = drawn
    check_contract(tables, as_of)
    con = build_warehouse(tables, as_of, coverage)
    problems = disagreements(sql_core(con), reference_core(con))
    assert not problems, "\n".join(problems[:20])


def test_disagreements_reports_a_changed_status_and_value():
    # The comparison itself must be able to fail.
    index = pd.MultiIndex.from_tuples(
        [("satisfaction", pd.Timestamp("2026-01-01"))], names=["indicator_id", "month"]
    )
    ref = pd.DataFrame(
        {"status": ["ok"], "numerator": [1.0], "denominator": [3.0], "value": [1 / 3]}, index
    )
    assert disagreements(ref, ref.copy()) == []
    other = ref.copy()
    other["value"] = [0.34]
    assert len(disagreements(other, ref)) == 1
    other["status"] = ["empty_base"]
    assert "status" in disagreements(other, ref)[0]


def write_extract(tables: dict[str, list[dict]], folder: Path) -> None:
    """The rows as contract CSV files (ISO dates, true/false, blanks for None)."""
    for name, rows in tables.items():
        table = contract.TABLES_BY_NAME[name]
        header = [c for c in table.column_names if any(c in row for row in rows)]
        header += [c for c in table.header_columns if c not in header]
        header = [c for c in table.column_names if c in header]
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for row in rows:
                writer.writerow([_csv_value(row.get(c)) for c in header])


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extracts())
def test_drawn_extracts_load_without_quarantine(drawn):
    # The strategies promise valid extracts: ingestion must load every row.
    ingest = pytest.importorskip("metrics.ingest")
    snapshot_module = pytest.importorskip("metrics.snapshot")
    tables, as_of, _ = drawn
    check_contract(tables, as_of)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_extract(tables, folder)
        snapshot = snapshot_module.locate(folder, as_of=as_of)
        con = duckdb.connect()
        con.execute("create schema if not exists quarantine")
        result = ingest.ingest(con, snapshot)
        assert result.report.rows_quarantined == 0, result.report.lines()
        loaded = {name: len(rows) for name, rows in tables.items()}
        for name, count in loaded.items():
            assert con.execute(f"select count(*) from raw.{name}").fetchone()[0] == count
