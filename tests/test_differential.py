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
import tempfile
from pathlib import Path

import duckdb
import numpy as np
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
from tests.support import examples, load_raw

DIFFERENTIAL_SETTINGS = settings(
    max_examples=examples(12),  # 12 in make test, 200 in make test-all
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


def _same_numbers(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Element by element: both missing, or within 1e-9 (relative to the larger, or absolute),
    as ``math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)``."""
    x = pd.to_numeric(a).to_numpy(dtype=float, na_value=np.nan)
    y = pd.to_numeric(b).to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        close = np.abs(x - y) <= np.maximum(1e-9 * np.maximum(np.abs(x), np.abs(y)), 1e-9)
    return (np.isnan(x) & np.isnan(y)) | close


def disagreements(sql: pd.DataFrame, ref: pd.DataFrame) -> list[str]:
    problems = []
    missing = ref.index.difference(sql.index)
    extra = sql.index.difference(ref.index)
    if len(missing):
        problems.append(f"rows missing from the mart: {list(missing)[:5]}")
    if len(extra):
        problems.append(f"rows only in the mart: {list(extra)[:5]}")
    keys = ref.index.intersection(sql.index)
    got, want = sql.loc[keys], ref.loc[keys]
    same_status = got["status"].to_numpy() == want["status"].to_numpy()
    for key, a, b in zip(keys[~same_status], got["status"][~same_status],
                         want["status"][~same_status], strict=True):
        problems.append(f"{key}: status sql={a} reference={b}")
    for column in COMPARED[1:]:
        differs = same_status & ~_same_numbers(got[column], want[column])
        for key, a, b in zip(keys[differs], got[column][differs], want[column][differs],
                             strict=True):
            problems.append(f"{key}: {column} sql={a} reference={b}")
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
        [("satisfaction", pd.Timestamp("2026-01-01")), ("satisfaction", pd.Timestamp("2026-02-01")),
         ("coped", pd.Timestamp("2026-01-01"))], names=["indicator_id", "month"]
    )
    ref = pd.DataFrame({"status": ["ok", "not_yet_measurable", "ok"],
                        "numerator": [1.0, None, 0.0], "denominator": [3.0, None, 2.0],
                        "value": [1 / 3, None, 0.0]}, index)
    assert disagreements(ref, ref.copy()) == []
    noise = ref.copy()
    noise["value"] = [1 / 3 * (1 + 1e-12), None, 1e-12]
    assert disagreements(noise, ref) == []
    other = ref.copy()
    other["value"] = [0.34, None, 0.0]
    assert disagreements(other, ref) == [
        "('satisfaction', Timestamp('2026-01-01 00:00:00')): value sql=0.34 "
        "reference=0.3333333333333333"]
    other["numerator"] = [1.0, 0.0, 0.0]  # 0 where the reference has no figure
    assert len(disagreements(other, ref)) == 2
    other["status"] = ["empty_base", "not_yet_measurable", "ok"]
    assert [p.split(": ")[1] for p in disagreements(other, ref)] == [
        "status sql=empty_base reference=ok", "numerator sql=0.0 reference=nan"]
    assert "rows missing" in disagreements(ref.iloc[:2], ref)[0]


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
