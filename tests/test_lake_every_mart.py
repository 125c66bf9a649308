"""Every mart built from the lake equals the warehouse's, not only indicator_monthly.

The lake's folders are named Hive-style (``pcc_area=<code>``); reading a file there must
not add a ``pcc_area`` column to the area's own tables (column_completeness counts every
column of the raw tables, so it would grow rows no extract has)."""

from __future__ import annotations

import duckdb

from metrics.build import build
from metrics.generate import generate
from metrics.lake import build_area, export_area
from metrics.lake_build import mart_names


def _mart(db, name):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"select * from marts.{name} order by all").fetchall()
    finally:
        con.close()


def test_every_mart_from_the_lake_equals_the_warehouse(tmp_path):
    extract, direct, from_lake = tmp_path / "x", tmp_path / "d.duckdb", tmp_path / "l.duckdb"
    generate(extract, referrals=300, seed=5, end="2026-10", months=12, quiet=True)
    build(extract, direct)
    export_area(direct, tmp_path / "lake", "north")
    build_area(tmp_path / "lake", "north", from_lake)
    for name in mart_names():
        assert _mart(from_lake, name) == _mart(direct, name), name
