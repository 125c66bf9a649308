"""The release archive changes together with the warehouse, or not at all.

A build adds its releases to a copy of the archive (``stage``). The copy records which
warehouse it belongs to (``mark``: that build's id and time) and is renamed to
``.<archive>.pending`` before the warehouse swap; just after the swap it replaces the
archive (``commit``). A build that fails before the swap removes the pending copy; a
build killed in the instant between the two renames leaves it, and the next build
finishes the commit if the warehouse in place is the one the copy names, or throws the
copy away if it is not (``recover``). So the archive holds a release exactly when a
warehouse that published it was swapped in.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from metrics import file_read

TABLE = "archive_commit"
PRIVATE_MODE = 0o600


def pending_path_for(archive: Path) -> Path:
    return archive.with_name(f".{archive.name}.pending")


def stage(archive: Path, staged: Path) -> None:
    """Copy the archive to ``staged`` (nothing to copy before the first release)."""
    if archive.is_file():
        shutil.copyfile(archive, staged)
        os.chmod(staged, PRIVATE_MODE)


def _build_identity(con: duckdb.DuckDBPyConnection) -> tuple:
    return con.execute("select build_id, built_at from meta.build").fetchone()


def mark(con: duckdb.DuckDBPyConnection, staged: Path) -> None:
    """Record in the staged archive the build (id and time) of the warehouse on ``con``."""
    if not staged.is_file():
        return
    build_id, built_at = _build_identity(con)
    with file_read.writable(staged) as archive:
        archive.execute(
            f"create or replace table {TABLE} as "
            "select ?::varchar as build_id, ?::timestamp as built_at",
            [build_id, built_at],
        )


def prepare(staged: Path, archive: Path) -> None:
    """Before the warehouse swap: the staged archive becomes the pending one."""
    if staged.is_file():
        os.chmod(staged, PRIVATE_MODE)
        os.replace(staged, pending_path_for(archive))


def commit(archive: Path) -> None:
    """After the warehouse swap: the pending archive replaces the archive."""
    pending = pending_path_for(archive)
    if pending.is_file():
        os.replace(pending, archive)


def _identity(path: Path, sql: str) -> tuple | None:
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        return con.execute(sql).fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()


def recover(db_path: Path, archive: Path) -> str | None:
    """Finish or throw away a commit a killed build left (call holding the build lock).
    Returns "committed", "discarded" or None (nothing pending)."""
    pending = pending_path_for(archive)
    if not pending.is_file():
        return None
    wanted = _identity(pending, f"select build_id, built_at from {TABLE}")
    live = _identity(db_path, "select build_id, built_at from meta.build") if (
        db_path.is_file()) else None
    if wanted is not None and wanted == live:
        os.replace(pending, archive)
        return "committed"
    pending.unlink()
    for leftover in (pending.with_name(pending.name + ".wal"),):
        leftover.unlink(missing_ok=True)
    return "discarded"
