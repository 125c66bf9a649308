"""One path to the warehouse: the readers (the dashboard, the reports, the public release
and its bulletin) send no SQL of their own. Every read is a named query in sql/queries
run by metrics/read.py; the only SQL text left in Python is in the modules that write the
warehouse or its release, the export, the pandas reference (an independent
re-implementation, which must not share the SQL it checks) and the read layer itself.
Looking a table or its columns up in DuckDB's catalogue (duckdb_tables(), ...) is not a
read of the warehouse.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# file -> why it may hold SQL text
MAY_HOLD_SQL = {
    "metrics/read.py": "the read layer: runs the named queries",
    "metrics/models.py": "the model runner",
    "metrics/build.py": "the build: writes meta and swaps the file",
    "metrics/ingest.py": "the ingest: validates the extract into raw",
    "metrics/as_of.py": "the build: the as-of date from the loaded rows",
    "metrics/catalogue.py": "writes ref.indicator_catalogue",
    "metrics/reference_data.py": "writes the ref tables",
    "metrics/keep_quarters.py": "the build: carries published quarters into the new file",
    "metrics/archive_commit.py": "the build: the release archive's commit",
    "metrics/bench.py": "the benchmark: times the build and the queries",
    "metrics/lake.py": "the export: copies whole tables to Parquet",
    "metrics/reference.py": "the pandas reference: an independent re-implementation",
    "metrics/published/schema.py": "writes the published schema",
    "metrics/published/revisions.py": "writes the revision history",
    "metrics/published/archive.py": "writes the release archive (its own file)",
    "metrics/published/revise.py": "the publish command: revises the release",
    "metrics/lake_build.py": "the lake build: stacks marts and writes the area warehouses",
    "metrics/spark/translate.py": "the Spark translation: empty copies of the lake's tables",
}
_READS = re.compile(
    r"\bselect\b[\s\S]*\bfrom\s+(?!duckdb_(tables|views|columns)\(\)|information_schema\.)",
    re.IGNORECASE,
)


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                found.add(id(first.value))
    return found


def sql_strings(source: str) -> list[int]:
    """Lines of the string literals (f-strings with their holes as {}) that select from a
    table; docstrings and catalogue lookups are not."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip |= {id(v) for v in node.values}
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            if _READS.search(text):
                lines.append(node.lineno)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in skip and _READS.search(node.value)):
            lines.append(node.lineno)
    return sorted(lines)


def test_no_reader_sends_sql_of_its_own():
    offenders = [
        f"{path.relative_to(ROOT).as_posix()}:{line}"
        for folder in ("metrics", "dashboard")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.relative_to(ROOT).as_posix() not in MAY_HOLD_SQL
        for line in sql_strings(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "read through a named query in sql/queries (metrics.read.run)"


def test_every_file_allowed_sql_is_there():
    missing = [name for name in MAY_HOLD_SQL if not (ROOT / name).is_file()]
    assert missing == []


def test_the_scan_finds_sql_in_strings_and_f_strings_only():
    source = '''
"""Pooled from marts.indicator_monthly (a docstring: prose)."""
A = "select * from marts.fct_referrals"
B = f"select {columns} from {schema}.{name} order by indicator_id"
C = ("select count(*) from duckdb_tables() where schema_name = ?")
D = "select column_name from duckdb_columns() where table_name = ?"
E = "with x as (\\n select 1\\n)\\nselect *\\nFROM published.periods"
def f():
    """select a from b (a docstring)"""
    return "selected from the list"
'''
    assert sql_strings(source) == [3, 4, 7]
