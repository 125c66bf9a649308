"""Write the `published` schema: the only tables the public audience reads.

Everything is replaced in one transaction. The tables:

* `release`: one row: the build id, the as-of date, when the release was made, the
  quarters published and refused, the audit result, how many tables, cells and hidden
  cells, the rules applied, the methods note and where the parameters and their sources
  are (spec rule 8);
* `periods`: one row per quarter: published or refused, how many releases it has had,
  the build of its first release, the kind of its last (first, addition, revision);
* `tables`: every published cell (period, table, dimension, category, count or null
  when hidden, the text shown, the table's footnote);
* `indicator_quarter`: the dashboard's indicator rows, one per indicator and quarter;
* `revisions`: every scheduled revision of a published quarter (the quarter, the release
  it made, the reason, when, the build it was made from), from the archive;
* `equity_reach`: reach by characteristic per quarter, from the published counts;
* `build`, `catalogue`, `parameters`: the build facts, the indicator catalogue and the
  assumptions register (not about people) as built: the values used, a hub's own
  overrides in place (`build` names the override file and its SHA-256);
* `overrides`: a hub's own register (`build --assumptions`), each overridden row with the
  shipped settings beside the hub's and the source the file gives (no rows when the
  shipped register was used). Parameters, not counts: nothing to protect.
"""

from __future__ import annotations

import duckdb
import pandas as pd

SCHEMA = "published"
DDL = {
    "release": """
        build_id varchar, as_of date, released_at timestamp, status varchar,
        quarters varchar[], refused varchar[], audit varchar, tables integer,
        cells integer, hidden integer, archive varchar, rules varchar, methods varchar,
        parameters_note varchar
    """,
    "periods": """
        period varchar, first_month date, last_month date, status varchar,
        releases integer, first_build_id varchar, last_kind varchar, audit varchar
    """,
    "tables": """
        period varchar, table_name varchar, dimension varchar, category varchar,
        count bigint, display varchar, legend varchar
    """,
    "indicator_quarter": """
        indicator_id varchar, period varchar, period_start date, kind varchar,
        months integer, months_ok integer, months_not_yet_measurable integer,
        months_no_data integer, months_empty_base integer, numerator double,
        denominator double, persons double, status varchar, value double,
        value_low double, value_high double, suppressed varchar
    """,
    "revisions": """
        period varchar, sequence integer, reason varchar, revised_at timestamp,
        build_id varchar
    """,
    "equity_reach": """
        period varchar, month date, basis varchar, basis_label varchar,
        characteristic varchar, category varchar, victims_referred double,
        comparison_people double, comparison_share double, reach_ratio double,
        ci_low double, ci_high double, status varchar, suppressed varchar
    """,
}
COPIES = {
    "catalogue": "marts.indicator_catalogue",
    "parameters": "ref.parameters",
    "overrides": "ref.overrides",
}


def _has_table(cur: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    found = cur.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ? "
        "and database_name = current_database()",
        [schema, name],
    ).fetchone()[0]
    return bool(found)


def _columns(cur: duckdb.DuckDBPyConnection, schema: str, name: str) -> list[str]:
    return [
        r[0]
        for r in cur.execute(
            "select column_name from duckdb_columns() where schema_name = ? and "
            "table_name = ? and database_name = current_database()",
            [schema, name],
        ).fetchall()
    ]


def _copy_build(cur: duckdb.DuckDBPyConnection) -> None:
    """meta.build, with the price base year filled in from the register when the build
    left it to the default."""
    cur.execute(f"create table {SCHEMA}.build as select * from meta.build")
    if "price_base_year" not in _columns(cur, SCHEMA, "build"):
        cur.execute(f"alter table {SCHEMA}.build add column price_base_year varchar")
    if _has_table(cur, "ref", "parameters"):
        cur.execute(
            f"""
            update {SCHEMA}.build set price_base_year = (
                select max(base_year) from ref.parameters
                where base_year is not null and base_year <> ''
            )
            where price_base_year is null or price_base_year = ''
            """
        )


def write_schema(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame]) -> None:
    """Replace the published schema with `frames` (one per name in DDL)."""
    cur = con.cursor()
    try:
        cur.begin()
        try:
            cur.execute(f"drop schema if exists {SCHEMA} cascade")
            cur.execute(f"create schema {SCHEMA}")
            for name, columns in DDL.items():
                cur.execute(f"create table {SCHEMA}.{name} ({columns})")
                frame = frames.get(name)
                if frame is None or frame.empty:
                    continue
                wanted = [c.split()[0] for c in columns.replace("\n", " ").split(",")]
                cur.register("_published_rows", frame[wanted])
                cur.execute(
                    f"insert into {SCHEMA}.{name} select {', '.join(wanted)} "
                    "from _published_rows"
                )
                cur.unregister("_published_rows")
            _copy_build(cur)
            for name, source in COPIES.items():
                schema, table = source.split(".")
                if _has_table(cur, schema, table):
                    cur.execute(f"create table {SCHEMA}.{name} as select * from {source}")
            cur.commit()
        except BaseException:
            cur.rollback()
            raise
    finally:
        cur.close()
