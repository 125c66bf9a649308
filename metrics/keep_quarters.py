"""A build never goes back in time by accident, and never un-publishes a quarter.

* ``check_not_older``: a snapshot older than the warehouse's (its as-of date before the
  live build's) is refused unless the user says ``--allow-older``; otherwise a stray old
  extract would silently roll the dashboard back.
* ``keep_published_quarters``: every quarter with a release in the archive stays in the
  public tables. A quarter this build does not publish (an older as-of date, or an
  extract that no longer reaches back to it) is copied, unchanged, from the previous
  warehouse's `published` tables.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from metrics import file_read
from metrics.published.archive import TABLE as ARCHIVE_TABLE
from metrics.refusals import OlderSnapshot

PUBLISHED = "published"


def live_as_of(db_path: Path) -> dt.date | None:
    """The as-of date of the warehouse at ``db_path``, or None if there is none to read."""
    if not db_path.is_file():
        return None
    try:
        with file_read.read_only(db_path) as con:
            row = con.execute("select max(as_of) from meta.build").fetchone()
    except duckdb.Error:
        return None  # not a warehouse we can read: the build replaces it
    return row[0] if row else None


def check_not_older(db_path: Path, as_of: dt.date, allow_older: bool) -> dt.date | None:
    """Raise OlderSnapshot when ``as_of`` is before the live warehouse's as-of date and
    ``allow_older`` is not set. Returns the live as-of date (None without a warehouse)."""
    live = live_as_of(db_path)
    if live is not None and as_of < live and not allow_older:
        raise OlderSnapshot(
            f"argument --input: the extract is as of {as_of.isoformat()}, older than the "
            f"warehouse {db_path.name} (as of {live.isoformat()}); building it would roll the "
            "dashboard back. Use --allow-older to build it anyway (published quarters stay "
            "published)"
        )
    return live


def _has_table(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where database_name = ? and schema_name = ? "
            "and table_name = ?",
            [catalog, schema, name],
        ).fetchone()[0]
    )


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, name: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns() where database_name = ? and "
            "schema_name = ? and table_name = ? order by column_index",
            [catalog, schema, name],
        ).fetchall()
    ]


def archived_periods(archive: Path) -> list[str]:
    """The quarters with at least one release in the archive (without reading them)."""
    if not archive.is_file():
        return []
    with file_read.read_only(archive) as con:
        if not _has_table(con, current(con), "main", ARCHIVE_TABLE):
            return []
        return [r[0] for r in con.execute(
            f"select distinct period from {ARCHIVE_TABLE} order by period").fetchall()]


def keep_published_quarters(
    con: duckdb.DuckDBPyConnection, previous_db: Path, archive: Path
) -> tuple[list[str], list[str]]:
    """Copy into this build's `published` tables every quarter that has a release in
    ``archive`` but is not in this build's release, from the previous warehouse.

    Returns (quarters kept, quarters in the archive that the previous warehouse did not
    publish either, so there is nothing to keep). ``con`` is the build's read-write
    connection, after the public release step."""
    archived = set(archived_periods(archive))
    if not archived or not _has_table(con, current(con), PUBLISHED, "periods"):
        return [], []
    ours = {r[0] for r in con.execute(f"select period from {PUBLISHED}.periods").fetchall()}
    missing = sorted(archived - ours)
    if not missing or not previous_db.is_file():
        return [], missing
    con.execute("attach '" + str(previous_db).replace("'", "''") + "' as previous (read_only)")
    try:
        if not _has_table(con, "previous", PUBLISHED, "periods"):
            return [], missing
        theirs = {
            r[0]
            for r in con.execute(
                f"select period from previous.{PUBLISHED}.periods where status = 'published' "
                "and list_contains(?, period)",
                [missing],
            ).fetchall()
        }
        kept = sorted(theirs)
        if kept:
            _copy_quarters(con, kept)
    finally:
        con.execute("detach previous")
    return kept, sorted(set(missing) - set(kept))


def current(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("select current_database()").fetchone()[0]


def _copy_quarters(con: duckdb.DuckDBPyConnection, quarters: list[str]) -> None:
    """Append the quarters' rows of every per-quarter published table (one with a
    `period` column), then put the release row's quarter list and cell counts right."""
    here = current(con)
    con.begin()
    try:
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where database_name = ? and "
            "schema_name = ? order by table_name",
            [here, PUBLISHED],
        ).fetchall():
            columns = _columns(con, here, PUBLISHED, name)
            if "period" not in columns or not _has_table(con, "previous", PUBLISHED, name):
                continue
            shared = [c for c in columns if c in _columns(con, "previous", PUBLISHED, name)]
            names = ", ".join(f'"{c}"' for c in shared)
            con.execute(
                f"insert into {PUBLISHED}.{name} ({names}) select {names} "
                f"from previous.{PUBLISHED}.{name} where list_contains(?, period)",
                [quarters],
            )
        if _has_table(con, here, PUBLISHED, "periods"):
            con.execute(
                f"create or replace table {PUBLISHED}.periods as "
                f"select * from {PUBLISHED}.periods order by first_month, period"
            )
        if _has_table(con, here, PUBLISHED, "release"):
            con.execute(
                f"""
                update {PUBLISHED}.release set
                    quarters = list_sort(list_distinct(list_concat(quarters, ?::varchar[]))),
                    status = case status when 'empty' then 'published'
                        when 'refused' then 'partial' else status end,
                    tables = (select count(distinct (period, table_name))
                              from {PUBLISHED}.tables),
                    cells = (select count(*) from {PUBLISHED}.tables),
                    hidden = (select count(*) - count("count") from {PUBLISHED}.tables)
                """,
                [quarters],
            )
        con.commit()
    except BaseException:
        con.rollback()
        raise
