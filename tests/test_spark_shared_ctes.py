"""The CTEs the Spark runner runs once on their own (metrics/spark/shared_ctes.py).

Which CTEs become steps is worked out by hand for small queries; then the steps and the
rewritten query, run one after the other in DuckDB, give the rows of the query as written.
"""

from __future__ import annotations

import duckdb
import pytest
import sqlglot

from metrics.spark import shared_ctes

# base: an import CTE (never a step). per_x is read twice by both_halves, which is read
# twice by the final select: the inlined plan would hold per_x four times and both_halves
# twice, so both are steps, and per_x counts each read by the step both_halves once.
SHARED = """
with
base as (select * from raw.t),
per_x as (select x, count(*) as n from base group by x),
both_halves as (
    select x, n from per_x where n > 1
    union all
    select x, n from per_x where n = 1
),
lonely as (select x from base where y is null),
final as (
    select b1.x, b1.n, lonely.x as lonely_x
    from both_halves as b1
    inner join both_halves as b2 on b1.x = b2.x
    left join lonely on b1.x = lonely.x
)
select * from final
"""


def _split(sql: str, model: str = "m"):
    return shared_ctes.split(model, sqlglot.parse_one(sql, read="duckdb"))


def test_a_cte_read_twice_by_a_cte_read_twice_is_a_step_and_so_is_its_reader():
    steps, query = _split(SHARED)
    assert [(s.cte, s.table) for s in steps] == [("per_x", "m__per_x"),
                                                 ("both_halves", "m__both_halves")]
    # the second step reads the first as a table of the step schema, under its own name
    tables = {(t.db, t.name, t.alias_or_name) for t in steps[1].query.find_all(sqlglot.exp.Table)}
    assert tables == {("step", "m__per_x", "per_x")}
    # the first step brings the import CTE it reads; the query keeps the plain CTEs it reads
    assert [c.alias for c in steps[0].query.args["with_"].expressions] == ["base"]
    assert [c.alias for c in query.args["with_"].expressions] == ["base", "lonely", "final"]
    read = {(t.db, t.name, t.alias_or_name) for t in query.find_all(sqlglot.exp.Table)}
    assert ("step", "m__both_halves", "b1") in read and ("step", "m__both_halves", "b2") in read


def test_a_cte_read_once_stays_in_the_query():
    steps, query = _split("""
        with base as (select * from raw.t),
        per_x as (select x, count(*) as n from base group by x)
        select * from per_x
    """)
    assert steps == []
    assert query.sql(dialect="duckdb") == sqlglot.parse_one(
        "with base as (select * from raw.t), per_x as (select x, count(*) as n from base "
        "group by x) select * from per_x", read="duckdb").sql(dialect="duckdb")


def test_an_import_cte_read_many_times_is_not_a_step():
    steps, _ = _split("""
        with base as (select * from raw.t)
        select a.x from base as a inner join base as b on a.x = b.x
    """)
    assert steps == []


def test_a_cte_read_once_by_a_step_goes_with_the_step():
    steps, query = _split("""
        with filtered as (select x from raw.t where y is not null),
        counted as (select x, count(*) as n from filtered group by x)
        select a.x, a.n from counted as a inner join counted as b on a.x = b.x
    """)
    assert [s.cte for s in steps] == ["counted"]
    assert [c.alias for c in steps[0].query.args["with_"].expressions] == ["filtered"]
    assert query.args.get("with_") is None


@pytest.mark.parametrize("rows", [
    [(1, None), (1, 2), (2, 3), (3, None), (3, 1), (3, 1)],
    [(5, 1)],
    [],
])
def test_the_steps_give_the_rows_of_the_query_as_written(rows):
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute("create schema step")
    con.execute("create table raw.t (x integer, y integer)")
    if rows:
        con.executemany("insert into raw.t values (?, ?)", rows)
    expected = sorted(con.execute(SHARED).fetchall(), key=repr)
    steps, query = _split(SHARED)
    for step in steps:
        con.execute(f"create table step.{step.table} as {step.query.sql(dialect='duckdb')}")
    assert sorted(con.execute(query.sql(dialect="duckdb")).fetchall(), key=repr) == expected
