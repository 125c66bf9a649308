"""Build the warehouse from a snapshot: ingest, reference data, SQL models, checks, swap.

Everything is written into a new file beside the warehouse; only when every
step has passed is it moved over the old one with ``os.replace`` (atomic on
POSIX), so a failed or interrupted build leaves the previous warehouse as it
was. Quarantined rows go to a separate store beside the warehouse
(``<name>.quarantine.duckdb``): the dashboard never opens it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from metrics import __version__, contract
from metrics.ingest import IngestResult, LoadReport, ingest
from metrics.models import run_models
from metrics.reference_data import write_reference
from metrics.snapshot import Snapshot, locate

DEFAULT_DB = Path("data/warehouse.duckdb")
PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass
class BuildResult:
    db_path: Path
    quarantine_path: Path
    build_id: str
    snapshot: Snapshot
    report: LoadReport
    seconds: float
    models: int

    def lines(self) -> list[str]:
        s = self.snapshot
        out = [
            f"extract     {s.folder}",
            f"as-of date  {s.as_of.isoformat()} (from the {s.as_of_source})",
            *self.report.lines(),
            f"built {self.models} models in {self.seconds:.1f} s: {self.db_path} (build {self.build_id})",
        ]
        if self.report.rows_quarantined:
            out.append(
                f"{self.report.rows_quarantined:,} rows quarantined: reasons above; "
                f"rows kept only in {self.quarantine_path.name}"
            )
        return out


def quarantine_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.stem + ".quarantine.duckdb")


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def build_id_for(snapshot: Snapshot, base_year: str | None) -> str:
    """Same snapshot, as-of date, settings and software → same build id."""
    digest = hashlib.sha256()
    inputs = [p for p in (snapshot.folder / "manifest.json", snapshot.code_map) if p and p.exists()]
    inputs += [f.path for f in snapshot.files.values()]
    for path in sorted(inputs):
        digest.update(path.name.encode())
        digest.update(_file_digest(path).encode())
    for path in sorted((PROJECT_DIR / "sql").rglob("*.sql")) + sorted(
        (PROJECT_DIR / "data").glob("*.csv")
    ):
        digest.update(path.name.encode())
        digest.update(_file_digest(path).encode())
    digest.update(f"{snapshot.as_of}|{base_year}|{__version__}".encode())
    return digest.hexdigest()[:12]


def _write_meta(
    con: duckdb.DuckDBPyConnection,
    snapshot: Snapshot,
    build_id: str,
    result: IngestResult,
    base_year: str | None,
) -> None:
    con.execute("create schema if not exists meta")
    con.execute(
        """
        create or replace table meta.build as select
            ?::varchar as build_id,
            ?::date as as_of,
            ?::varchar as as_of_source,
            ?::varchar as period,
            ?::varchar as source_system,
            ?::date as coverage_repeat_crimes,
            ?::date as coverage_health_use,
            ?::varchar as price_base_year,
            ?::varchar as hubvalue_version,
            current_timestamp::timestamp as built_at
        """,
        [
            build_id,
            snapshot.as_of,
            snapshot.as_of_source,
            snapshot.period,
            snapshot.source_system,
            snapshot.coverage.get("repeat_crimes"),
            snapshot.coverage.get("health_use"),
            base_year,
            __version__,
        ],
    )
    con.execute(
        "create or replace table meta.source_tables (table_name varchar, present boolean, rows_loaded bigint)"
    )
    con.execute(
        "create or replace table meta.source_columns "
        "(table_name varchar, column_name varchar, in_file boolean, has_values boolean)"
    )
    for table in contract.TABLES:
        present = result.present_tables[table.name]
        loaded = con.execute(f"select count(*) from raw.{table.name}").fetchone()[0]
        con.execute(
            "insert into meta.source_tables values (?, ?, ?)", [table.name, present, loaded]
        )
        columns = result.columns.get(table.name, [])
        counts = con.execute(
            "select "
            + ", ".join(f'count("{c.name}")' for c in table.columns)
            + f" from raw.{table.name}"
        ).fetchone()
        for column, non_null in zip(table.columns, counts, strict=True):
            con.execute(
                "insert into meta.source_columns values (?, ?, ?, ?)",
                [table.name, column.name, column.name in columns, non_null > 0],
            )
    con.execute(
        """
        create or replace table meta.load_report (
            table_name varchar, file_name varchar, encoding varchar,
            rows_read bigint, rows_loaded bigint, rows_quarantined bigint
        )
        """
    )
    con.execute(
        """
        create or replace table meta.load_issues (
            table_name varchar, file_name varchar, kind varchar, rule varchar,
            column_name varchar, rows bigint
        )
        """
    )
    for f in result.report.files:
        con.execute(
            "insert into meta.load_report values (?, ?, ?, ?, ?, ?)",
            [f.table, f.file_name, f.encoding, f.rows_read, f.rows_loaded, f.rows_quarantined],
        )
        issues = [
            (f.table, f.file_name, "quarantined", rule, col or None, n)
            for (rule, col), n in f.reasons.items()
        ]
        issues += [
            (f.table, f.file_name, "code_unmapped", "code_unmapped", col, n)
            for col, n in f.code_unmapped.items()
        ]
        issues += [
            (f.table, f.file_name, "ignored_column", "ignored_column", col, 0)
            for col in f.ignored_columns
        ]
        issues += [
            (f.table, f.file_name, "absent_column", "absent_column", col, 0)
            for col in f.absent_columns
        ]
        for issue in issues:
            con.execute("insert into meta.load_issues values (?, ?, ?, ?, ?, ?)", list(issue))
    for name in result.report.other_files:
        con.execute(
            "insert into meta.load_issues values (null, ?, 'ignored_file', 'ignored_file', null, 0)",
            [name],
        )


def _remove(*paths: Path) -> None:
    for path in paths:
        for candidate in (path, path.with_name(path.name + ".wal")):
            candidate.unlink(missing_ok=True)


def build(
    input_dir: Path | str,
    db_path: Path | str = DEFAULT_DB,
    as_of: dt.date | str | None = None,
    base_year: str | None = None,
    progress: Callable[[str], None] | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
) -> BuildResult:
    """Build a warehouse from the extract at ``input_dir`` and swap it into ``db_path``."""
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    db_path = Path(db_path)
    quarantine_path = quarantine_path_for(db_path)
    snapshot = locate(input_dir, as_of)
    build_id = build_id_for(snapshot, base_year)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_db = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
    tmp_quarantine = quarantine_path.with_name(f".{quarantine_path.name}.{os.getpid()}.tmp")
    _remove(tmp_db, tmp_quarantine)
    config = {"preserve_insertion_order": True}
    if threads:
        config["threads"] = threads
    if memory_limit:
        config["memory_limit"] = memory_limit
    con = duckdb.connect(str(tmp_db), config=config)
    try:
        con.execute("attach '" + str(tmp_quarantine).replace("'", "''") + "' as quarantine")
        say(f"reading {snapshot.folder} (as of {snapshot.as_of})")
        result = ingest(con, snapshot, progress=say)
        _write_meta(con, snapshot, build_id, result, base_year)
        write_reference(con, snapshot.as_of, base_year=base_year)
        _load_catalogue(con)
        say("running SQL models")
        models = run_models(con)
        con.execute("detach quarantine")
        con.execute("checkpoint")
        con.close()
        os.replace(tmp_quarantine, quarantine_path)
        os.replace(tmp_db, db_path)
    except BaseException:
        con.close()
        _remove(tmp_db, tmp_quarantine)
        raise
    return BuildResult(
        db_path,
        quarantine_path,
        build_id,
        snapshot,
        result.report,
        time.perf_counter() - started,
        len(models),
    )


def _load_catalogue(con: duckdb.DuckDBPyConnection) -> None:
    try:
        from metrics.catalogue import load_catalogue
    except ImportError:  # pragma: no cover - during development only
        return
    load_catalogue(con)
