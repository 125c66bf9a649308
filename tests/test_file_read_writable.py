"""A small DuckDB file written through an attachment (``metrics.file_read.writable``): the
rows are in the file when the block ends, no write-ahead log is left beside it, another
process may then open it, and a failed transaction leaves the file as it was."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from metrics import file_read


def test_a_written_file_is_complete_and_released(tmp_path):
    path = tmp_path / "archive.duckdb"
    with file_read.writable(path) as con:  # created: it did not exist
        con.execute("create table releases (period varchar, sequence integer)")
        con.execute("insert into releases values ('2026/27-Q1', 1), ('2026/27-Q2', 1)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.duckdb"]  # no .wal
    with file_read.writable(path) as con:
        con.execute("insert into releases values ('2026/27-Q2', 2)")
    # another process can open it now, and sees every row
    read = subprocess.run(
        [sys.executable, "-c",
         "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
         "print(c.execute('select count(*), max(sequence) from releases').fetchone())",
         str(path)],
        capture_output=True, text=True, check=True,
    )
    assert read.stdout.strip() == "(3, 2)"


def test_a_failed_transaction_adds_nothing(tmp_path):
    path = tmp_path / "archive.duckdb"
    with file_read.writable(path) as con:
        con.execute("create table releases (release_id varchar primary key)")
        con.execute("insert into releases values ('public/2026/27-Q1/1')")
    with pytest.raises(duckdb.ConstraintException), file_read.writable(path) as con:
        con.begin()
        try:
            con.execute("insert into releases values ('public/2026/27-Q2/1')")
            con.execute("insert into releases values ('public/2026/27-Q1/1')")  # a duplicate
            con.commit()
        except BaseException:
            con.rollback()
            raise
    with file_read.read_only(path) as con:
        assert con.execute("select release_id from releases").fetchall() == [
            ("public/2026/27-Q1/1",)]
