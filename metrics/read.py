"""The read layer: runs the named queries in ``sql/queries/`` for an audience.

Each ``sql/queries/<name>.sql`` holds one ``select`` on the warehouse's contract
schemas (``marts``, ``meta``, ``ref``, ``published``), with its values bound as
``$name`` parameters, never formatted into the text. Its first line names the
audiences that may run it::

    -- audiences: manager, pcc

``system`` marks a read the app makes for itself and shows nobody (the build
identity behind its caches). The files are read once, on first use. ``run``
checks the audience, that every parameter the query names is given (and no
other), and that the tables it reads are in this warehouse, then runs it on its
own cursor (a connection is shared between threads).

Disclosure control stays with the callers that own a figure's meaning
(``metrics.queries`` for the dashboard): this module returns the rows as the
warehouse holds them.
"""

from __future__ import annotations

import contextlib
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

QUERY_DIR = Path(__file__).resolve().parent.parent / "sql" / "queries"
AUDIENCES = ("manager", "pcc", "public")
SYSTEM = "system"
CATALOG = "warehouse"
ALLOWED_SCHEMAS = ("marts", "meta", "ref", "published")
PUBLIC_SCHEMAS = ("published",)
PRIVATE_SCHEMAS = ("raw", "staging", "intermediate", "quarantine")

_AUDIENCES_LINE = re.compile(r"\A--\s*audiences:\s*([a-z, ]+)\s*$", re.MULTILINE)
_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")
_TABLE = re.compile(r"\b([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\b")
_COMMENT = re.compile(r"--[^\n]*")
_STRING = re.compile(r"'[^']*'")


class NotPermitted(PermissionError):
    """The audience may not run this query (the message names the rule, never data)."""


class NotInWarehouse(LookupError):
    """A table the query reads is not in this warehouse (an older or partial build)."""


class QueryFileError(ValueError):
    """A file in sql/queries breaks the layer's rules (the message names the file)."""


@dataclass(frozen=True)
class NamedQuery:
    name: str
    sql: str
    audiences: tuple[str, ...]
    parameters: frozenset[str]
    tables: tuple[str, ...]  # schema.table, as named in the text


def parse(name: str, text: str) -> NamedQuery:
    """A named query from its file's text; a missing audience line, an unknown audience
    or a schema outside the contract's is an error naming the file."""
    found = _AUDIENCES_LINE.match(text)
    if not found:
        raise QueryFileError(f"{name}.sql: the first line must be '-- audiences: ...'")
    audiences = tuple(a.strip() for a in found.group(1).split(",") if a.strip())
    unknown = [a for a in audiences if a not in (*AUDIENCES, SYSTEM)]
    if unknown or not audiences:
        raise QueryFileError(f"{name}.sql: unknown audience(s) {', '.join(unknown)}")
    code = _STRING.sub("''", _COMMENT.sub("", text))
    tables = []
    for schema, table in _TABLE.findall(code):
        if schema in PRIVATE_SCHEMAS:
            raise QueryFileError(
                f"{name}.sql: reads {schema}.{table}; queries read {', '.join(ALLOWED_SCHEMAS)}"
            )
        if schema not in ALLOWED_SCHEMAS:
            continue  # a CTE's column (facts.crime_type), not a table
        if f"{schema}.{table}" not in tables:
            tables.append(f"{schema}.{table}")
    schemas = {t.split(".")[0] for t in tables}
    if "public" in audiences and not schemas <= set(PUBLIC_SCHEMAS):
        raise QueryFileError(f"{name}.sql: a public query may read the published tables only")
    return NamedQuery(
        name=name,
        sql=text.strip().rstrip(";"),
        audiences=audiences,
        parameters=frozenset(_PARAMETER.findall(code)),
        tables=tuple(tables),
    )


@functools.cache
def load(query_dir: Path = QUERY_DIR) -> dict[str, NamedQuery]:
    """Every named query, read once."""
    return {
        path.stem: parse(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(query_dir.glob("*.sql"))
    }


def named(name: str) -> NamedQuery:
    try:
        return load()[name]
    except KeyError:
        raise KeyError(f"no named query {name!r} in sql/queries") from None


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of its own on the warehouse.

    On a connection from `metrics.queries.connect` the cursor uses the attached
    warehouse; on a connection opened on the warehouse file itself (the build's) the
    file is already the default catalog."""
    cur = con.cursor()
    with contextlib.suppress(duckdb.CatalogException):
        cur.execute(f"use {CATALOG}")
    return cur


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict) -> pd.DataFrame:
    cur = cursor(con)
    try:
        return cur.execute(sql, params).df()
    finally:
        cur.close()


def _fetch_rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict) -> list[tuple]:
    """Rows as tuples: for the catalogue look-ups, where a frame would cost more than the
    query."""
    cur = cursor(con)
    try:
        return cur.execute(sql, params).fetchall()
    finally:
        cur.close()


def has_table(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    """Whether the warehouse (or the connection's own database) has the table or view."""
    found = _fetch_rows(
        con,
        "select (select count(*) from duckdb_tables() where database_name = current_database()"
        " and schema_name = $schema and table_name = $name)"
        " + (select count(*) from duckdb_views() where database_name = current_database()"
        " and schema_name = $schema and view_name = $name) as n",
        {"schema": schema, "name": name},
    )
    return bool(found[0][0])


def table_columns(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> list[str]:
    """The table's columns in order (none if the table is not there)."""
    found = _fetch_rows(
        con,
        "select column_name from duckdb_columns() where database_name = current_database()"
        " and schema_name = $schema and table_name = $name order by column_index",
        {"schema": schema, "name": name},
    )
    return [row[0] for row in found]


def check_audience(name: str, audience: str) -> NamedQuery:
    query = named(name)
    if audience not in (*AUDIENCES, SYSTEM):
        raise NotPermitted(f"unknown audience (use one of {', '.join(AUDIENCES)})")
    if audience not in query.audiences:
        raise NotPermitted(f"{name} is not available to the {audience} view")
    return query


def run(con: duckdb.DuckDBPyConnection, name: str, audience: str, **params) -> pd.DataFrame:
    """Run the named query for the audience with its parameters bound."""
    query = check_audience(name, audience)
    missing = sorted(query.parameters - params.keys())
    extra = sorted(params.keys() - query.parameters)
    if missing or extra:
        raise TypeError(
            f"{name}: parameters missing: {', '.join(missing) or 'none'}; "
            f"not in the query: {', '.join(extra) or 'none'}"
        )
    for qualified in query.tables:
        schema, table = qualified.split(".")
        if not has_table(con, schema, table):
            raise NotInWarehouse(f"{qualified} is not in this warehouse: rebuild it")
    return _fetch(con, query.sql, params)
