"""Ephemeral models leave the scratch catalog as soon as every model that reads them has
finished, and the referral-grain steps only other models read are ephemeral (not written
to the warehouse file)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from metrics.models import SQL_DIR, discover, run_models
from tests.support import write_model_sql

# The intermediate models that only other models read and that a build of 1M referrals
# wrote to the file for nothing (docs/scaling.md, "The referral-grain models and the load").
IN_MEMORY_ONLY = (
    "intermediate.int_referral_collaboration",
    "intermediate.int_referral_agencies",
    "intermediate.int_referral_agency_referrals",
    "intermediate.int_family_prevention_units",
    "intermediate.int_family_nhs_units",
    "intermediate.int_outcome_assessment_pairs",
    "intermediate.int_outcome_health_pairs",
    "intermediate.int_operations_collaboration",
)


@pytest.fixture
def sql_dir(tmp_path: Path) -> Path:
    # raw.numbers holds 1..4. int_squares (ephemeral): 1..4 and their squares, read by
    # int_biggest (16) and int_total (1 + 4 + 9 + 16 = 30). marts.summed reads those two,
    # not int_squares: 16 + 30 = 46. marts.zz_late reads summed: 2 * 46 - 32 = 60.
    root = tmp_path / "sql"
    write_model_sql(root, "staging", "stg_numbers", "select n from raw.numbers")
    write_model_sql(
        root,
        "intermediate",
        "int_squares",
        "-- materialized: ephemeral\nselect n, n * n as square from staging.stg_numbers",
    )
    write_model_sql(root, "intermediate", "int_biggest",
           "select max(square) as biggest from intermediate.int_squares")
    write_model_sql(root, "intermediate", "int_total",
           "select sum(square) as total from intermediate.int_squares")
    write_model_sql(root, "marts", "summed",
           "select biggest + total as summed from intermediate.int_biggest, "
           "intermediate.int_total")
    write_model_sql(root, "marts", "zz_late", "select 2 * summed - 32 as late from marts.summed")
    return root


def _connection(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema raw")
    con.execute("create table raw.numbers as select range + 1 as n from range(4)")
    con.execute("attach ':memory:' as scratch")
    return con


def _present(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The scratch tables and the warehouse's views, by qualified name."""
    scratch = {
        f"scratch.{schema}.{name}"
        for schema, name in con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'scratch'"
        ).fetchall()
    }
    views = {
        f"{schema}.{name}"
        for schema, name in con.execute(
            "select schema_name, view_name from duckdb_views() "
            "where database_name = current_database() and not internal"
        ).fetchall()
        if schema != "staging"
    }
    return scratch | views


@pytest.mark.parametrize("workers", [1, 2])
def test_an_ephemeral_model_is_dropped_once_its_last_reader_has_finished(tmp_path, sql_dir,
                                                                         workers):
    con = _connection(tmp_path / "w.duckdb")
    seen: dict[str, set[str]] = {}

    def on_model(model, _seconds):
        seen[model.qualified_name] = _present(con)

    run_models(con, sql_dir=sql_dir, workers=workers, scratch="scratch", on_model=on_model)
    squares = {"scratch.intermediate.int_squares", "intermediate.int_squares"}
    assert seen["intermediate.int_squares"] == squares
    # Both readers finished (in either order): gone before the marts run.
    assert seen["marts.summed"] == set()
    assert seen["marts.zz_late"] == set()
    # The first of its two readers to finish leaves it in place for the other.
    first_reader = min(("intermediate.int_biggest", "intermediate.int_total"),
                       key=list(seen).index)
    assert seen[first_reader] == squares
    assert con.execute("select summed from marts.summed").fetchone()[0] == 46
    assert con.execute("select late from marts.zz_late").fetchone()[0] == 60
    assert _present(con) == set()
    con.close()


def test_an_ephemeral_target_no_model_reads_is_dropped_at_the_end(tmp_path, sql_dir):
    con = _connection(tmp_path / "w.duckdb")
    run_models(con, sql_dir=sql_dir, scratch="scratch", targets={"intermediate.int_squares"})
    assert _present(con) == set()
    con.close()


def test_without_scratch_the_ephemeral_model_stays_a_table(tmp_path, sql_dir):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema raw")
    con.execute("create table raw.numbers as select range + 1 as n from range(4)")
    run_models(con, sql_dir=sql_dir)
    assert con.execute("select count(*), sum(square) from intermediate.int_squares").fetchone() \
        == (4, 30)
    con.close()


def test_the_steps_only_models_read_are_ephemeral():
    models = {m.qualified_name: m for m in discover(SQL_DIR)}
    assert [name for name in IN_MEMORY_ONLY if not models[name].is_ephemeral] == []
    # Only other models read them (the read layer and the dashboard never read
    # intermediate.*), so each has a reader among the models.
    for name in IN_MEMORY_ONLY:
        assert any(name in m.depends_on for m in models.values()), name


@pytest.fixture(scope="module")
def tiny_warehouse(tmp_path_factory) -> Path:
    from metrics.build import build
    from metrics.generate import generate

    folder = tmp_path_factory.mktemp("tiny")
    extract = folder / "extract"
    generate(extract, referrals=60, seed=3, months=12, quiet=True)
    db = folder / "w.duckdb"
    build(extract, db, as_of="2026-11-30")
    return db


def _file_tables(db: Path) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    tables = {
        f"{schema}.{name}"
        for schema, name in con.execute(
            "select schema_name, table_name from duckdb_tables()"
        ).fetchall()
    }
    con.close()
    return tables


def test_a_build_keeps_no_ephemeral_model_in_the_warehouse(tiny_warehouse):
    tables = _file_tables(tiny_warehouse)
    con = duckdb.connect(str(tiny_warehouse), read_only=True)
    views = con.execute(
        "select count(*) from duckdb_views() where schema_name = 'intermediate'"
    ).fetchone()[0]
    con.close()
    ephemeral = {m.qualified_name for m in discover(SQL_DIR) if m.is_ephemeral}
    assert set(IN_MEMORY_ONLY) <= ephemeral
    assert tables & ephemeral == set()
    assert views == 0
    assert "marts.fct_referrals" in tables


@pytest.mark.parametrize("as_build", [False, True])
def test_the_model_profile_can_run_the_models_as_a_build_does(tmp_path, tiny_warehouse,
                                                                as_build):
    from scripts.profile_models import _run_once, prepare_from_warehouse

    work = tmp_path / "work.duckdb"
    prepare_from_warehouse(tiny_warehouse, work)
    kept = tmp_path / "kept.duckdb"
    timings = _run_once(work, 1, SQL_DIR, kept, in_memory=False, as_build=as_build)
    models = {m.qualified_name for m in discover(SQL_DIR)}
    assert set(timings) == models | {"total"}
    ephemeral = {m.qualified_name for m in discover(SQL_DIR) if m.is_ephemeral}
    # as a build: only the models a build keeps are in the file; else every one is a table
    in_file = _file_tables(kept) & ephemeral
    assert in_file == (set() if as_build else ephemeral)
    assert "marts.fct_referrals" in _file_tables(kept)
