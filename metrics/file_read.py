"""Read or write a small DuckDB file without starting a database for it.

``duckdb.connect`` starts a whole database (its function catalogue, buffer manager and
threads): 15 to 25 ms of CPU even for a file of one table. A build reads small files
several times (the release archive three times, the live warehouse's as-of date), so
``read_only`` attaches the file, read-only, to one in-memory database per process
instead (about 1 ms) and detaches it afterwards; ``writable`` does the same for the few
writes of a build to the release archive (its releases, revisions and build mark: three
databases started a build before). One file is open at a time per process (DuckDB
refuses to attach one file twice); the reads and writes are a few small statements each.
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb

_lock = threading.Lock()
# By process id: a forked child starts its own and leaves its parent's alone (not even
# closed: the parent's threads and locks are not the child's).
_host: dict[int, duckdb.DuckDBPyConnection] = {}


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()  # a parent's thread may have held it at the fork


os.register_at_fork(after_in_child=_after_fork_in_child)


def _host_connection() -> duckdb.DuckDBPyConnection:
    pid = os.getpid()
    if pid not in _host:
        _host[pid] = duckdb.connect(":memory:", config={"threads": 1})
    return _host[pid]


@contextlib.contextmanager
def read_only(path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor whose current database is the file at ``path``, opened read-only.

    Raises duckdb.Error, as ``duckdb.connect(path, read_only=True)`` would, for a file
    that is not a DuckDB database or cannot be read."""
    with _attached(path, read_only=True) as cursor:
        yield cursor


@contextlib.contextmanager
def writable(path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor whose current database is the file at ``path`` (created if missing), for
    writing, as ``duckdb.connect(path)`` would give. Leaving the block detaches the file:
    DuckDB checkpoints it (no write-ahead log is left beside it) and lets it go, so that
    another process may open it."""
    with _attached(path, read_only=False) as cursor:
        yield cursor


@contextlib.contextmanager
def _attached(path: str | Path, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    alias = f"file_{uuid.uuid4().hex}"
    quoted = str(path).replace("'", "''")
    mode = " (read_only)" if read_only else ""
    with _lock:
        cursor = _host_connection().cursor()
        try:
            cursor.execute(f"attach '{quoted}' as {alias}{mode}")
            try:
                cursor.execute(f"use {alias}")
                yield cursor
            finally:
                cursor.execute("use memory")
                cursor.execute(f"detach {alias}")
        finally:
            cursor.close()
