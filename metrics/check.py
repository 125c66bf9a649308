"""``hubvalue check``: a dry run of a build's load, touching no warehouse.

The extract is found, validated and loaded exactly as ``hubvalue build`` does (the same
``metrics.snapshot.locate`` and ``metrics.ingest.ingest``, the same as-of check), but into
an in-memory database that is dropped at the end, with its spill folder in a temporary
folder that is removed. The load report it prints is the build's: per file rows read, loaded
and quarantined, the reasons, unmapped codes, ignored columns and sheets, and the as-of date
a build would use. A reason a build would stop (a bad header, an unknown mapping, an
as-of date the extract does not cover, with ``--db`` an extract older than the warehouse)
is the same one-line error, and the exit code is the one the build would have (0: a build
would load this extract).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from metrics.as_of import check_as_of
from metrics.ingest import LoadReport, ingest
from metrics.keep_quarters import check_not_older
from metrics.snapshot import Snapshot, locate

WORKERS = 2


@dataclass
class CheckResult:
    snapshot: Snapshot
    report: LoadReport
    seconds: float

    def lines(self) -> list[str]:
        s = self.snapshot
        mapped = f", columns mapped by {s.column_map.file_name}" if s.column_map else ""
        out = [
            f"extract     {s.folder}{mapped}",
            f"as-of date  {s.as_of.isoformat()} (from the {s.as_of_source})",
            *self.report.lines(),
            f"checked in {self.seconds:.1f} s: a build would load "
            f"{self.report.rows_read - self.report.rows_quarantined:,} rows and quarantine "
            f"{self.report.rows_quarantined:,} (nothing was written)",
        ]
        return out


def check(
    input_dir: Path | str,
    as_of: dt.date | str | None = None,
    max_line_bytes: int | None = None,
    column_map: Path | str | None = None,
    db_path: Path | str | None = None,
    allow_older: bool = False,
    progress=None,
) -> CheckResult:
    """Validate the extract at ``input_dir`` as a build would, writing nothing. Raises the
    build's ExtractError (or OlderSnapshot, with ``db_path``) when a build would stop."""
    started = time.perf_counter()
    snapshot = locate(input_dir, as_of, max_line_bytes, column_map)
    if db_path is not None:
        check_not_older(Path(db_path), snapshot.as_of, allow_older)  # reads it, read-only
    scratch = Path(tempfile.mkdtemp(prefix="hubvalue-check-"))
    try:
        con = duckdb.connect(
            ":memory:",
            config={"preserve_insertion_order": True, "temp_directory": str(scratch / "spill")},
        )
        try:
            con.execute("attach ':memory:' as quarantine")
            result = ingest(
                con, snapshot, progress=progress, workdir=scratch / "work", workers=WORKERS
            )
            check_as_of(con, snapshot)
        finally:
            con.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return CheckResult(snapshot, result.report, time.perf_counter() - started)
