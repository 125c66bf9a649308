"""Beyond one machine: the same SQL models over Parquet partitioned by PCC area.

A national roll-up keeps each area's validated rows as Parquet, one folder per
area (``<lake>/pcc_area=<code>/<table>.parquet``, Hive-style). Any worker can
then run the unchanged SQL models for one area from the lake, in parallel with
the others, and the per-area marts are stacked with an area column.

* ``export_area(db, lake, area)`` writes a built warehouse's ``raw``, ``meta``
  and ``ref`` tables into the lake for one area.
* ``build_area(lake, area, db)`` reads one area's partition back as the
  ``raw``/``meta``/``ref`` schemas (views over Parquet: nothing is copied) and
  runs every model into ``db``.
* ``stack_marts(dbs, out)`` stacks ``marts.indicator_monthly`` of several
  areas into one Parquet file with a ``pcc_area`` column.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from metrics.models import run_models

SCHEMAS = ("raw", "meta", "ref")
AREA_CODE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def _area_dir(lake: Path, area: str) -> Path:
    if not AREA_CODE.match(area):
        raise ValueError("an area code is letters, digits, '-' and '_' only")
    return lake / f"pcc_area={area}"


def _quote_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export_area(db: Path, lake: Path, area: str) -> list[Path]:
    """Write one built warehouse's source schemas into the lake as Parquet."""
    target = _area_dir(lake, area)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in ?",
            [list(SCHEMAS)],
        ).fetchall()
        for schema, table in tables:
            path = target / f"{schema}.{table}.parquet"
            con.execute(
                f'copy (select * from {schema}."{table}") to {_quote_path(path)} '
                "(format parquet, compression zstd)"
            )
            written.append(path)
    finally:
        con.close()
    return written


def build_area(lake: Path, area: str, db: Path) -> int:
    """Run every SQL model for one area from its Parquet partition; returns the model count."""
    source = _area_dir(lake, area)
    files = sorted(source.glob("*.parquet"))
    if not files:
        raise FileNotFoundError(f"no Parquet files for area {area}")
    con = duckdb.connect(str(db))
    try:
        for schema in SCHEMAS:
            con.execute(f"create schema if not exists {schema}")
        for path in files:
            schema, table = path.stem.split(".", 1)
            con.execute(
                f'create or replace view {schema}."{table}" as '
                f"select * from read_parquet({_quote_path(path)}, hive_partitioning = false)"
            )
        return len(run_models(con))
    finally:
        con.close()


def stack_marts(dbs: dict[str, Path], out: Path) -> int:
    """Stack indicator_monthly of several areas into one Parquet file; returns rows written."""
    con = duckdb.connect()
    try:
        selects = []
        for area, db in sorted(dbs.items()):
            alias = f"area_{len(selects)}"
            con.execute(f"attach {_quote_path(db)} as {alias} (read_only)")
            selects.append(
                f"select '{area}' as pcc_area, * from {alias}.marts.indicator_monthly"
            )
        query = " union all ".join(selects)
        con.execute(f"copy ({query} order by all) to {_quote_path(out)} (format parquet)")
        return con.execute(f"select count(*) from read_parquet({_quote_path(out)})").fetchone()[0]
    finally:
        con.close()
