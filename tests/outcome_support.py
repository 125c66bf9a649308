"""Shared builders for the outcome-family tests (no tests here).

``outcome_warehouse`` loads hand-written rows, writes the reference tables and runs only
the models the outcome indicators need (staging, int_referral_agencies, the int_outcome_*
helpers and the four outcome families); ``referral``, ``assessment`` and ``extract`` write
the rows. Used by tests/test_models_wellbeing.py, _prevention, _nhs and _value.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb

from metrics.catalogue import load_catalogue
from metrics.models import run_models
from metrics.reference_data import write_reference
from tests.support import load_raw

ROOT = Path(__file__).resolve().parents[1]
OUTCOME_MODELS = (
    "int_referral_agencies.sql",
    "int_outcome_*.sql",
    "int_referral_base.sql",  # the operations flags, counted with the outcome flags
    "int_referral_deadlines.sql",
    "int_operations_referral_flags.sql",
    "int_family_flag_counts.sql",
    "int_family_wellbeing.sql",
    "int_family_prevention*.sql",  # the family and its units
    "int_family_nhs*.sql",
    "int_family_unit_counts.sql",
    "int_family_value.sql",
)


def outcome_warehouse(
    tmp_path: Path,
    tables: dict[str, list[dict]],
    as_of: str,
    overrides: dict | None = None,
    coverage: dict[str, str] | None = None,
    before_models: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Load rows, write the reference tables and run only the outcome models.

    before_models(con) runs after the reference tables are written (to edit them).
    """
    sql_dir = tmp_path / "sql"
    shutil.copytree(ROOT / "sql" / "staging", sql_dir / "staging")
    (sql_dir / "intermediate").mkdir()
    (sql_dir / "marts").mkdir()
    for pattern in OUTCOME_MODELS:
        for path in (ROOT / "sql" / "intermediate").rglob(pattern):
            shutil.copy(path, sql_dir / "intermediate" / path.name)
    con = duckdb.connect()
    load_raw(con, tables, as_of, coverage)
    write_reference(con, dt.date.fromisoformat(as_of), overrides=overrides)
    load_catalogue(con)  # the family models pick their indicators from the catalogue
    if before_models is not None:
        before_models(con)
    run_models(con, sql_dir=sql_dir)
    return con


def family_rows(con, indicator_id: str, family: str = "wellbeing") -> dict[tuple[str, str], dict]:
    """{(month 'YYYY-MM', agency): row} of one indicator in intermediate.int_family_<family>."""
    result = con.execute(
        f"select * from intermediate.int_family_{family} where indicator_id = ?", [indicator_id]
    )
    names = [d[0] for d in result.description]
    rows = [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    return {(row["month"].strftime("%Y-%m"), row["agency"]): row for row in rows}


def referral_flags(con, referral_id: str, *columns: str) -> tuple:
    return con.execute(
        f"select {', '.join(columns)} from intermediate.int_outcome_referrals "
        "where referral_id = ?",
        [referral_id],
    ).fetchone()


def victim(victim_id: str) -> dict:
    return {
        "victim_id": victim_id,
        "age_band": "25-34",
        "gender": "female",
        "ethnic_group": "white",
        "disability": "no",
        "lgbt": "no",
    }


def referral(
    referral_id: str,
    closed_date: str | None = "2026-03-20",
    closure_reason: str | None = "support_completed",
    victim_id: str | None = None,
    referral_date: str = "2026-01-05",
) -> dict:
    return {
        "referral_id": referral_id,
        "victim_id": victim_id or f"v_{referral_id}",
        "crime_type": "theft",
        "hate_crime": False,
        "domestic_abuse": False,
        "enhanced_rights": False,
        "source": "police",
        "referral_date": referral_date,
        "closed_date": closed_date,
        "closure_reason": closure_reason if closed_date else None,
    }


def assessment(referral_id: str, stage: str, assessment_date: str, **measures) -> dict:
    return {
        "assessment_id": f"{referral_id}_{stage}_{assessment_date}",
        "referral_id": referral_id,
        "stage": stage,
        "assessment_date": assessment_date,
        **measures,
    }


def extract(referrals: list[dict], **tables: list[dict]) -> dict[str, list[dict]]:
    victims = sorted({r["victim_id"] for r in referrals})
    return {"victims": [victim(v) for v in victims], "referrals": referrals, **tables}
