"""The SQL model runner: order, parallel runs, ephemeral models and targets, on toy models."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from metrics.models import ModelError, run_models
from tests.support import write_model_sql


@pytest.fixture
def sql_dir(tmp_path: Path) -> Path:
    # raw.numbers holds 1..4. wide is ephemeral: 1..4 and their squares;
    # total = 1 + 4 + 9 + 16 = 30; doubled = 2 * 30 = 60; lone does not need wide.
    root = tmp_path / "sql"
    write_model_sql(root, "staging", "stg_numbers", "select n from raw.numbers")
    write_model_sql(
        root,
        "intermediate",
        "int_wide",
        "-- materialized: ephemeral\nselect n, n * n as square from staging.stg_numbers",
    )
    write_model_sql(
        root, "intermediate", "int_total", "select sum(square) as total from intermediate.int_wide"
    )
    write_model_sql(root, "marts", "doubled", "select 2 * total as doubled from intermediate.int_total")
    write_model_sql(root, "marts", "lone", "select count(*) as n from staging.stg_numbers")
    return root


def _connection(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema raw")
    con.execute("create table raw.numbers as select range + 1 as n from range(4)")
    return con


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        f"{schema}.{name}"
        for schema, name in con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = current_database()"
        ).fetchall()
    }


@pytest.mark.parametrize("workers", [1, 2])
def test_ephemeral_model_is_used_but_not_kept_in_the_file(tmp_path, sql_dir, workers):
    con = _connection(tmp_path / "w.duckdb")
    con.execute("attach ':memory:' as scratch")
    finished = run_models(con, sql_dir=sql_dir, workers=workers, scratch="scratch")
    con.execute("detach scratch")
    assert con.execute("select doubled from marts.doubled").fetchone() == (60,)
    assert "intermediate.int_wide" not in _tables(con)
    views = {
        r[0]
        for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()
    }
    assert views == {"stg_numbers"}
    assert len(finished) == 5
    order = [m.qualified_name for m in finished]
    assert order.index("intermediate.int_wide") < order.index("intermediate.int_total")
    assert order.index("intermediate.int_total") < order.index("marts.doubled")
    con.close()


def test_without_a_scratch_catalog_an_ephemeral_model_is_an_ordinary_table(tmp_path, sql_dir):
    con = _connection(tmp_path / "w.duckdb")
    run_models(con, sql_dir=sql_dir)
    assert con.execute("select sum(square) from intermediate.int_wide").fetchone() == (30,)


def test_targets_run_only_what_they_need(tmp_path, sql_dir):
    con = _connection(tmp_path / "w.duckdb")
    finished = run_models(con, sql_dir=sql_dir, targets={"intermediate.int_total"})
    assert [m.qualified_name for m in finished] == [
        "staging.stg_numbers",
        "intermediate.int_wide",
        "intermediate.int_total",
    ]
    assert "marts.lone" not in _tables(con)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_model_is_named_without_values(tmp_path, sql_dir, workers):
    write_model_sql(sql_dir, "marts", "broken", "select cast('secret-value' as integer) as x")
    con = _connection(tmp_path / "w.duckdb")
    with pytest.raises(ModelError) as error:
        run_models(con, sql_dir=sql_dir, workers=workers)
    assert "marts.broken" in str(error.value)
    assert "secret-value" not in str(error.value)


def test_two_ephemeral_models_side_by_side_share_the_scratch_schema(tmp_path, sql_dir):
    # Two ephemeral models with no dependency between them run at the same time; their
    # scratch schema is made once, before either (made by both at once, they conflicted).
    # total_a = 1 + 2 + 3 + 4 = 10; cubes: 1 + 8 + 27 + 64 = 100; sum = 110.
    write_model_sql(
        sql_dir,
        "intermediate",
        "int_other",
        "-- materialized: ephemeral\nselect n * n * n as cube from staging.stg_numbers",
    )
    write_model_sql(
        sql_dir,
        "marts",
        "both",
        "select (select sum(n) from intermediate.int_wide) "
        "+ (select sum(cube) from intermediate.int_other) as total",
    )
    for attempt in range(5):
        con = _connection(tmp_path / f"w{attempt}.duckdb")
        con.execute("attach ':memory:' as scratch")
        run_models(con, sql_dir=sql_dir, workers=2, scratch="scratch")
        con.execute("detach scratch")
        assert con.execute("select total from marts.both").fetchone() == (110,)
        con.close()
