"""Build a warehouse from a few hand-written rows, for tests of the SQL models.

``warehouse_from_rows`` loads typed rows straight into the ``raw`` schema the
ingestion step writes, adds the ``meta`` and ``ref`` tables, and runs every
model. A table left out of ``tables`` is absent from the extract; a column no
row mentions is absent from its file.
"""

from __future__ import annotations

import datetime as dt
import uuid

import duckdb
import pandas as pd

from metrics import contract
from metrics.catalogue import load_catalogue
from metrics.models import run_models
from metrics.reference_data import write_reference


def write_model_sql(sql_dir, layer: str, name: str, sql: str) -> None:
    """A toy model's SQL file, ``<sql_dir>/<layer>/<name>.sql``, for tests of the runner."""
    (sql_dir / layer).mkdir(parents=True, exist_ok=True)
    (sql_dir / layer / f"{name}.sql").write_text(sql)


def holds_secret(data: bytes) -> bool:
    """Whether bytes hold ``SECRET-`` in any case (ASCII), as ``re.search(b"secret-", data,
    re.IGNORECASE)`` would say, five times as fast on a warehouse file of 19 MB."""
    return b"secret-" in data.lower()


def examples(default_run: int) -> int:
    """How many examples Hypothesis draws for a costly property: ``default_run`` under the
    default profile (`make test`, kept short), the loaded profile's number otherwise (``ci``
    in `make test-all`: 200; ``long``: 2,000)."""
    from hypothesis import settings

    if settings.get_current_profile_name() == "default":
        return default_run
    return settings().max_examples


def _as_date(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def load_raw(
    con: duckdb.DuckDBPyConnection,
    tables: dict[str, list[dict]],
    as_of: str | dt.date,
    coverage: dict[str, str] | None = None,
    period: str | None = None,
) -> None:
    as_of = _as_date(as_of)
    coverage = coverage or {}
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists meta")
    source_tables = []
    source_columns = []
    for table in contract.TABLES:
        rows = tables.get(table.name)
        present = rows is not None
        rows = rows or []
        unknown = {k for row in rows for k in row} - set(table.column_names)
        if unknown:
            raise ValueError(f"{table.name}: not contract columns: {sorted(unknown)}")
        mentioned = {k for row in rows for k in row}
        columns = ", ".join(f'"{c.name}" {contract.DUCKDB_TYPES[c.type]}' for c in table.columns)
        con.execute(f"create or replace table raw.{table.name} ({columns})")
        if rows:
            frame = pd.DataFrame([{c: row.get(c) for c in table.column_names} for row in rows])
            for column in table.columns:
                if column.type == "date":
                    frame[column.name] = pd.to_datetime(frame[column.name]).dt.date
            con.register("_rows", frame)
            casts = ", ".join(
                f'cast("{c.name}" as {contract.DUCKDB_TYPES[c.type]})' for c in table.columns
            )
            con.execute(f"insert into raw.{table.name} select {casts} from _rows")
            con.unregister("_rows")
        source_tables.append((table.name, present, len(rows)))
        for column in table.columns:
            in_file = present and (column.name in mentioned or not column.optional_column)
            has_values = any(row.get(column.name) is not None for row in rows)
            source_columns.append((table.name, column.name, in_file, has_values))
    con.execute(
        "create or replace table meta.source_tables "
        "(table_name varchar, present boolean, rows_loaded bigint)"
    )
    con.executemany("insert into meta.source_tables values (?, ?, ?)", source_tables)
    con.execute(
        "create or replace table meta.source_columns "
        "(table_name varchar, column_name varchar, in_file boolean, has_values boolean)"
    )
    con.executemany("insert into meta.source_columns values (?, ?, ?, ?)", source_columns)
    con.execute(
        """
        create or replace table meta.build as select
            ?::varchar as build_id,
            ?::date as as_of,
            ?::varchar as period,
            'test fixture'::varchar as source_system,
            ?::date as coverage_repeat_crimes,
            ?::date as coverage_health_use,
            now()::timestamp as built_at
        """,
        [
            uuid.uuid4().hex[:12],
            as_of,
            period or as_of.strftime("%Y-%m"),
            _as_date(coverage.get("repeat_crimes")),
            _as_date(coverage.get("health_use")),
        ],
    )


def warehouse_from_rows(
    tables: dict[str, list[dict]],
    as_of: str | dt.date,
    coverage: dict[str, str] | None = None,
    overrides: dict | None = None,
) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    load_raw(con, tables, as_of, coverage)
    write_reference(con, _as_date(as_of), overrides=overrides)
    load_catalogue(con)
    run_models(con)
    return con


def indicator(con: duckdb.DuckDBPyConnection, indicator_id: str, month: str, agency: str = "all"):
    """One row of marts.indicator_monthly as a dict (None if absent)."""
    cur = con.cursor()
    result = cur.execute(
        "select * from marts.indicator_monthly where indicator_id = ? and month = ? and agency = ?",
        [indicator_id, _as_date(month), agency],
    )
    names = [d[0] for d in result.description]
    row = result.fetchone()
    return None if row is None else dict(zip(names, row, strict=True))


def victim(victim_id: str) -> dict:
    """A victims row with ordinary, non-sensitive demographics."""
    return {
        "victim_id": victim_id,
        "age_band": "25-34",
        "gender": "female",
        "ethnic_group": "white",
        "disability": "no",
        "lgbt": "no",
    }


def referral(referral_id: str, victim_id: str, referral_date: str, **fields) -> dict:
    """A self-referred theft with no flags; ``fields`` override or add columns."""
    row = {
        "referral_id": referral_id,
        "victim_id": victim_id,
        "crime_type": "theft",
        "hate_crime": False,
        "domestic_abuse": False,
        "enhanced_rights": False,
        "source": "self",
        "referral_date": referral_date,
    }
    row.update(fields)
    return row


def accepted_agency_referral(agency_referral_id: str, referral_id: str, agency: str,
                             sent_date: str, outcome_date: str) -> dict:
    """An agency_referrals row: sent on ``sent_date``, accepted on ``outcome_date``, no
    first contact recorded."""
    return {"agency_referral_id": agency_referral_id, "referral_id": referral_id,
            "agency": agency, "sent_date": sent_date, "outcome": "accepted",
            "outcome_date": outcome_date, "first_contact_date": None}
