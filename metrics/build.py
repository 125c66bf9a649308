"""Build the warehouse from a snapshot: ingest, reference data, SQL models, checks, swap.

Everything is written into a new file beside the warehouse; only when every
step has passed is it moved over the old one with ``os.replace`` (atomic on
POSIX), so a failed or interrupted build leaves the previous warehouse as it
was. Quarantined rows go to a separate store beside the warehouse
(``<name>.quarantine.duckdb``): the dashboard never opens it. The release
archive (``<name>.releases.duckdb``) is copied, added to, and moved into place
just after the warehouse: a failed build leaves it as it was too.

One build at a time per warehouse (a lock file beside it, ``metrics.lock``);
a snapshot older than the warehouse is refused unless asked for, and quarters
already published stay published (``metrics.keep_quarters``). Every file a
build writes is owner-only (0600).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from metrics import __version__, archive_commit, contract
from metrics.args import max_threads
from metrics.as_of import check_as_of
from metrics.catalogue import load_catalogue
from metrics.hub_register import HubRegister
from metrics.ingest import IngestResult, LoadReport, ingest
from metrics.keep_quarters import check_not_older, keep_published_quarters
from metrics.lock import DEFAULT_WAIT_SECONDS, build_lock
from metrics.models import Model, run_models
from metrics.published import archive_path_for, write_public_release
from metrics.reference_data import write_reference
from metrics.snapshot import Snapshot, locate

DEFAULT_DB = Path("data/warehouse.duckdb")
# Tables load, and models run, this many at a time: DuckDB writes a table largely on one
# thread, so two side by side keep two cores busy.
WORKERS = 2
# DuckDB's own default is 80 % of the machine's memory; a build shares its machine (the
# dashboard, an analyst's desktop), and spills to a temporary folder beside the warehouse
# past this, so it stays within a laptop's memory even at ten million referrals.
DEFAULT_MEMORY_LIMIT_GB = 5.0


def default_memory_limit() -> str:
    """5 GB, or half the machine's memory when it has less than 10 GB. At 10M referrals
    (8 December 2026) a build then peaks at 7.85 GiB resident, the release's Python frames
    beside DuckDB's 5 GB, in 4 min 22 s; with 7 GB it took 4 min 02 s and peaked at 8.94
    GiB, over the 8 GB a build may use (docs/scaling.md)."""
    total_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{min(DEFAULT_MEMORY_LIMIT_GB, total_gb / 2):.1f}GB"


# An extract this small (every file together) builds on one DuckDB thread: its tables fit
# in one row group, so a second thread has no work to share and only costs the scheduling
# (about 7 % of a tiny build's CPU, the same warehouse). ``--threads`` always wins.
SMALL_EXTRACT_BYTES = 1 << 20


def default_threads(snapshot: Snapshot) -> int | None:
    """1 for an extract under SMALL_EXTRACT_BYTES, else None (DuckDB's default: a thread
    per core)."""
    size = sum(path.stat().st_size for path in {f.path for f in snapshot.files.values()})
    return 1 if size < SMALL_EXTRACT_BYTES else None


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
    # wall seconds of each step: load (read, validate, quarantine), models, public release,
    # write (the final checkpoint and the swap into place)
    phases: dict[str, float] = field(default_factory=dict)
    # wall seconds of each model (qualified name), two running at a time
    model_seconds: dict[str, float] = field(default_factory=dict)

    def slowest_models(self, n: int = 5) -> list[tuple[str, float]]:
        """The ``n`` models that took longest, slowest first."""
        return sorted(self.model_seconds.items(), key=lambda kv: (-kv[1], kv[0]))[:n]

    def _phase_text(self) -> str:
        if not self.phases:
            return ""
        return " (" + ", ".join(f"{k} {v:.1f} s" for k, v in self.phases.items()) + ")"

    def lines(self) -> list[str]:
        s = self.snapshot
        out = [
            f"extract     {s.folder}",
            f"as-of date  {s.as_of.isoformat()} (from the {s.as_of_source})",
            *self.report.lines(),
            f"built {self.models} models in {self.seconds:.1f} s{self._phase_text()}: "
            f"{self.db_path} (build {self.build_id})",
        ]
        if self.model_seconds:
            out.append(
                "slowest models: "
                + ", ".join(f"{name} {sec:.1f} s" for name, sec in self.slowest_models())
            )
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


def build_id_for(snapshot: Snapshot, base_year: str | None, assumptions: str = "") -> str:
    """Same snapshot, as-of date, settings (with a hub's own register, by its hash) and
    software → same build id."""
    digest = hashlib.sha256()
    column_map = snapshot.column_map.path if snapshot.column_map else None
    inputs = [
        p
        for p in (snapshot.folder / "manifest.json", snapshot.code_map, column_map)
        if p and p.exists()
    ]
    inputs += sorted({f.path for f in snapshot.files.values()})
    for path in sorted(inputs):
        digest.update(path.name.encode())
        digest.update(_file_digest(path).encode())
    for path in sorted((PROJECT_DIR / "sql").rglob("*.sql")) + sorted(
        (PROJECT_DIR / "data").glob("*.csv")
    ):
        digest.update(path.name.encode())
        digest.update(_file_digest(path).encode())
    digest.update(f"{snapshot.as_of}|{base_year}|{__version__}".encode())
    if assumptions:
        digest.update(f"|assumptions {assumptions}".encode())
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
    source_tables, source_columns = [], []
    for table in contract.TABLES:
        columns = result.columns.get(table.name, [])
        loaded, *counts = con.execute(
            "select count(*), "
            + ", ".join(f'count("{c.name}")' for c in table.columns)
            + f" from raw.{table.name}"
        ).fetchone()
        source_tables.append((table.name, result.present_tables[table.name], loaded))
        source_columns += [
            (table.name, column.name, column.name in columns, non_null > 0)
            for column, non_null in zip(table.columns, counts, strict=True)
        ]
    _insert_rows(con, "meta.source_tables", source_tables)
    _insert_rows(con, "meta.source_columns", source_columns)
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
    report_rows, issues = [], []
    for f in result.report.files:
        report_rows.append(
            (f.table, f.file_name, f.encoding, f.rows_read, f.rows_loaded, f.rows_quarantined)
        )
        issues += [
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
        if f.empty_rows:
            issues.append((f.table, f.file_name, "empty_rows", "empty_rows", None, f.empty_rows))
    issues += [
        (None, name, "ignored_file", "ignored_file", None, 0) for name in result.report.other_files
    ]
    issues += [
        (None, sheet, "ignored_sheet", "ignored_sheet", None, 0)
        for sheet, _why in result.report.notes
    ]
    _insert_rows(con, "meta.load_report", report_rows)
    _insert_rows(con, "meta.load_issues", issues)


def _insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """One insert statement for all rows (one statement per row costs ~5 ms each)."""
    if not rows:
        return
    placeholders = "(" + ", ".join("?" for _ in rows[0]) + ")"
    con.execute(
        f"insert into {table} values " + ", ".join(placeholders for _ in rows),
        [value for row in rows for value in row],
    )


def _remove(*paths: Path) -> None:
    """Remove temporary files and folders, with DuckDB's ``.wal`` and ``.tmp`` spill folder."""
    for path in paths:
        for candidate in (
            path,
            path.with_name(path.name + ".wal"),
            path.with_name(path.name + ".tmp"),
        ):
            if candidate.is_dir() and not candidate.is_symlink():
                shutil.rmtree(candidate, ignore_errors=True)
            else:
                candidate.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_temporaries(*live_paths: Path) -> None:
    """Remove what a killed build left beside ``live_paths``: ``.<name>.<pid>.tmp`` (and its
    ``.wal`` and spill folder) and ``.<name>.<pid>.work``, when process ``<pid>`` is gone."""
    for live in live_paths:
        pattern = re.compile(rf"^\.{re.escape(live.name)}\.(\d+)\.(tmp|work)(\.wal|\.tmp)?$")
        for candidate in live.parent.glob(f".{glob.escape(live.name)}.*"):
            match = pattern.match(candidate.name)
            if match and not _pid_alive(int(match.group(1))):
                _remove(candidate)


def record_assumptions(con: duckdb.DuckDBPyConnection, hub: HubRegister | None) -> None:
    """Record in meta.build the hub's own register (file name and SHA-256), or NULLs."""
    con.execute("alter table meta.build add column assumptions_file varchar")
    con.execute("alter table meta.build add column assumptions_sha256 varchar")
    if hub is not None:
        con.execute("update meta.build set assumptions_file = ?, assumptions_sha256 = ?",
                    [hub.file_name, hub.sha256])


def set_price_base_year(con: duckdb.DuckDBPyConnection) -> None:
    """Record in meta.build the year every money parameter was uprated to. Parameters
    that are not money have no base year (an empty text), so they are skipped: taking
    any row's value could record no year at all, and pages would say "£ ( prices)"."""
    con.execute(
        "update meta.build set price_base_year = "
        "(select max(nullif(base_year, '')) from ref.parameters)"
    )


def load_and_model(
    con: duckdb.DuckDBPyConnection,
    snapshot: Snapshot,
    build_id: str,
    base_year: str | None = None,
    progress: Callable[[str], None] | None = None,
    targets: set[str] | None = None,
    workdir: Path | None = None,
    phases: dict[str, float] | None = None,
    model_seconds: dict[str, float] | None = None,
    hub: HubRegister | None = None,
) -> tuple[IngestResult, list[Model]]:
    """Ingest the snapshot, write meta and reference tables and run the SQL models.

    ``con`` has a ``quarantine`` catalog attached. Tables load two at a time and models run
    two at a time (each on its own cursor); ephemeral models are built in an in-memory
    catalog. ``targets`` limits the models to those and what they need (the benchmark).
    ``phases`` receives the wall seconds of the load and of the models, ``model_seconds``
    those of each model (by qualified name)."""
    say = progress or (lambda _msg: None)
    phases = {} if phases is None else phases
    started = time.perf_counter()
    say(f"reading {snapshot.folder} (as of {snapshot.as_of})")
    result = ingest(con, snapshot, progress=say, workdir=workdir, workers=WORKERS)
    check_as_of(con, snapshot)  # an as-of date the extract does not cover is refused
    phases["load"] = time.perf_counter() - started
    started = time.perf_counter()
    _write_meta(con, snapshot, build_id, result, base_year)
    # The quarantine store names its build, so a store and a warehouse can be matched.
    con.execute(
        "create or replace table quarantine.build as select ?::varchar as build_id", [build_id]
    )
    write_reference(con, snapshot.as_of, base_year=base_year, hub=hub)
    record_assumptions(con, hub)
    set_price_base_year(con)
    load_catalogue(con)
    say("running SQL models")
    # Ephemeral models live in memory (spilling to the temp directory when large).
    con.execute("attach ':memory:' as scratch")
    try:
        models = run_models(
            con,
            workers=WORKERS,
            scratch="scratch",
            targets=targets,
            on_model=_record_model(model_seconds),
        )
    finally:
        con.execute("detach scratch")
    phases["models"] = time.perf_counter() - started
    return result, models


def _record_model(
    model_seconds: dict[str, float] | None,
) -> Callable[[Model, float], None] | None:
    if model_seconds is None:
        return None

    def record(model: Model, seconds: float) -> None:
        model_seconds[model.qualified_name] = seconds

    return record


# Everything a build writes (warehouse, quarantine store, release archive, lock, temporary
# files and folders) is readable by its owner only: the quarantine store holds rejected
# rows' raw values, the archive true small counts.
PRIVATE_UMASK = 0o077
PRIVATE_MODE = 0o600


def _name_archive(con: duckdb.DuckDBPyConnection, archive: Path) -> None:
    """The release row names the archive it was written to: the archive's own name, not
    the name of the copy the step wrote into."""
    con.execute("update published.release set archive = ?", [archive.name])


def build(
    input_dir: Path | str,
    db_path: Path | str = DEFAULT_DB,
    as_of: dt.date | str | None = None,
    base_year: str | None = None,
    progress: Callable[[str], None] | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
    max_line_bytes: int | None = None,
    allow_older: bool = False,
    lock_wait: float = DEFAULT_WAIT_SECONDS,
    column_map: Path | str | None = None,
    hub: HubRegister | None = None,
) -> BuildResult:
    """Build a warehouse from the extract at ``input_dir`` and swap it into ``db_path``.

    One build at a time per warehouse (``metrics.lock``: waits up to ``lock_wait`` seconds,
    then raises BuildLocked). A snapshot older than the warehouse is refused
    (OlderSnapshot) unless ``allow_older``. Files are created owner-only. ``hub``: a hub's
    own register (metrics.hub_register, already checked), applied over the shipped one."""
    db_path = Path(db_path)
    if threads is not None and not 1 <= threads <= max_threads():
        raise ValueError(f"threads must be from 1 to {max_threads()}")
    # a bad extract or as-of date: nothing is created
    snapshot = locate(input_dir, as_of, max_line_bytes, column_map)
    previous_umask = os.umask(PRIVATE_UMASK)
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with build_lock(db_path, lock_wait):
            return _build_locked(
                snapshot, db_path, base_year, progress, threads, memory_limit, allow_older, hub
            )
    finally:
        os.umask(previous_umask)


def _build_locked(
    snapshot: Snapshot,
    db_path: Path,
    base_year: str | None,
    progress: Callable[[str], None] | None,
    threads: int | None,
    memory_limit: str | None,
    allow_older: bool,
    hub: HubRegister | None = None,
) -> BuildResult:
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    quarantine_path = quarantine_path_for(db_path)
    archive_path = archive_path_for(db_path)
    check_not_older(db_path, snapshot.as_of, allow_older)
    build_id = build_id_for(snapshot, base_year, hub.sha256 if hub is not None else "")
    pid = os.getpid()
    tmp_db = db_path.with_name(f".{db_path.name}.{pid}.tmp")
    tmp_quarantine = quarantine_path.with_name(f".{quarantine_path.name}.{pid}.tmp")
    tmp_archive = archive_path.with_name(f".{archive_path.name}.{pid}.tmp")
    workdir = db_path.with_name(f".{db_path.name}.{pid}.work")
    _remove_stale_temporaries(db_path, quarantine_path, archive_path)
    _remove(tmp_db, tmp_quarantine, tmp_archive, workdir)
    if archive_commit.recover(db_path, archive_path) == "committed":
        say("release archive: finished the commit of the warehouse's releases")
    config = {
        "preserve_insertion_order": True,
        "memory_limit": memory_limit or default_memory_limit(),
    }
    threads = threads or default_threads(snapshot)
    if threads:
        config["threads"] = threads
    con = None
    phases: dict[str, float] = {}
    model_seconds: dict[str, float] = {}
    try:
        con = duckdb.connect(str(tmp_db), config=config)
        con.execute("attach '" + str(tmp_quarantine).replace("'", "''") + "' as quarantine")
        result, models = load_and_model(
            con,
            snapshot,
            build_id,
            base_year,
            say,
            workdir=workdir,
            phases=phases,
            model_seconds=model_seconds,
            hub=hub,
        )
        step_started = time.perf_counter()
        archive_commit.stage(archive_path, tmp_archive)
        release = write_public_release(con, build_id=build_id, archive=tmp_archive)
        kept, lost = keep_published_quarters(con, db_path, tmp_archive)
        _name_archive(con, archive_path)
        archive_commit.mark(con, tmp_archive)
        phases["public release"] = time.perf_counter() - step_started
        for line in release.lines():
            say(line)
        if kept:
            say(f"public release: kept as published before: {', '.join(kept)}")
        if lost:
            say(f"public release: in the archive but in no warehouse: {', '.join(lost)}")
        step_started = time.perf_counter()
        con.execute("detach quarantine")
        con.execute("checkpoint")
        con.close()
        for path in (tmp_db, tmp_quarantine):
            os.chmod(path, PRIVATE_MODE)
        # The archive changes only with a warehouse that was swapped in.
        archive_commit.prepare(tmp_archive, archive_path)
        os.replace(tmp_quarantine, quarantine_path)
        os.replace(tmp_db, db_path)
        archive_commit.commit(archive_path)
        phases["write"] = time.perf_counter() - step_started
    except BaseException:
        try:
            if con is not None:
                con.close()
        finally:
            # The archive follows the warehouse in place: committed if the swap happened.
            with contextlib.suppress(OSError, duckdb.Error):
                archive_commit.recover(db_path, archive_path)
            _remove(tmp_db, tmp_quarantine, tmp_archive, workdir)
        raise
    return BuildResult(
        db_path,
        quarantine_path,
        build_id,
        snapshot,
        result.report,
        time.perf_counter() - started,
        len(models),
        phases,
        model_seconds,
    )
