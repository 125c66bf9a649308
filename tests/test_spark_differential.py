"""The models on Spark give the marts DuckDB gives, row for row, for three areas.

Three generated areas (about 1,500 referrals each over 24 months: bank holidays in the
working-day rules, censored recent months, missing values) are built and validated by
DuckDB, exported to a lake, then built from the lake by both engines of
``hubvalue lake build``. Every mart of every area, and the national stack across areas,
must match: counts and text exactly, numbers to 1e-9 relative. One Spark session serves
the module, and the checks are one test so that pytest-xdist keeps them on one worker.
Skipped only when no Java runtime is found (the reason says so); without pyspark it fails.
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest

from metrics.build import build
from metrics.generate import generate
from metrics.lake import export_area
from metrics.lake_build import build_lake, mart_names
from metrics.national import area_warehouses
from metrics.spark.session import JAVA_MISSING, java_available

# pyspark is installed with the test tools (make test installs '.[test,spark]'): its
# absence is a failure. Only a machine with no Java runtime skips, saying so.
if not java_available():
    pytest.skip(JAVA_MISSING, allow_module_level=True)

AREAS = {"north": 11, "south": 12, "east": 13}  # area code: generator seed
REFERRALS = 1500
REL = 1e-9
# For this test's few thousand rows only (a hub's national build keeps the session's
# defaults, metrics/spark/session.py): one shuffle partition; sort-merge joins rather than
# broadcasts and no runtime Bloom filters (each is a Spark job of its own: 428 jobs for
# the build with broadcasts, 174 without); expressions interpreted, not compiled to Java
# (compiling costs more than a few thousand rows take to run); and for the driver's JVM
# its whole heap from the start with a large young generation (collections took 12 of
# the build's 99 s with the default sizes), and methods compiled by the JIT after four
# times the usual number of calls (55,000 methods were compiled, 17 s of CPU).
TINY_DATA = {
    "spark.sql.shuffle.partitions": "1",
    "spark.sql.autoBroadcastJoinThreshold": "-1",
    "spark.sql.optimizer.runtime.bloomFilter.enabled": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.driver.extraJavaOptions": (
        "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xms2g -Xmn1g -XX:CompileThresholdScaling=4"
    ),
    # the plan's text that Spark keeps for each job's event, cut short (writing it out was
    # about 2 % of the driver's time in a profile of this test)
    "spark.sql.maxPlanStringLength": "4096",
}


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("spark-lake")
    lake = root / "lake"
    for area, seed in AREAS.items():
        extract = root / f"extract-{area}"
        generate(extract, referrals=REFERRALS, seed=seed, end="2026-10", months=24,
                 quiet=True)
        db = root / f"{area}.duckdb"
        build(extract, db, as_of="2026-11-30")
        export_area(db, lake, area)
    return lake


@pytest.fixture(scope="module")
def outputs(lake, tmp_path_factory):
    from pyspark.sql import SparkSession

    root = tmp_path_factory.mktemp("spark-out")
    on_duckdb = build_lake(lake, root / "duckdb", engine="duckdb")
    try:
        on_spark = build_lake(lake, root / "spark", engine="spark", conf=TINY_DATA)
    finally:
        active = SparkSession.getActiveSession()
        if active is not None:
            active.stop()
    return on_duckdb, on_spark


def _rows(folder: Path, mart: str, where: str = "") -> tuple[list[str], list[tuple]]:
    con = duckdb.connect()
    try:
        cursor = con.execute(
            f"select * from read_parquet('{folder / 'marts' / mart / '*.parquet'}') {where}"
        )
        return [d[0] for d in cursor.description], cursor.fetchall()
    finally:
        con.close()


def _compare(duck_out: Path, spark_out: Path, mart: str, where: str = "") -> int:
    """Assert that a mart is the same from both engines; return its number of rows.

    The columns' names and types must be the same, and so must the rows as a multiset:
    rows equal to the last bit are matched off by DuckDB (``except all`` both ways), and
    what is left on each side is compared row by row in Python, numbers to 1e-9 relative."""
    con = duckdb.connect()
    try:
        for name, out in (("duck", duck_out), ("spark", spark_out)):
            con.execute(f"create view {name} as select * from "
                        f"read_parquet('{out / 'marts' / mart / '*.parquet'}') {where}")
        duck_schema = [row[:2] for row in con.execute("describe duck").fetchall()]
        spark_schema = [row[:2] for row in con.execute("describe spark").fetchall()]
        assert spark_schema == duck_schema, mart
        counts = con.execute("select (from (select count(*) from duck)), "
                             "(from (select count(*) from spark))").fetchone()
        assert counts[1] == counts[0], f"{mart}: {counts[1]} rows (spark), {counts[0]} (duckdb)"
        duck_only = con.execute("from duck except all from spark").fetchall()
        spark_only = con.execute("from spark except all from duck").fetchall()
    finally:
        con.close()
    columns = [name for name, _ in duck_schema]
    _assert_same(mart, (columns, duck_only), (columns, spark_only))
    return counts[0]


def _key(row: tuple) -> tuple:
    """Sort key: floats rounded well above 1e-9 noise, None first, types kept apart."""
    return tuple(
        (0, "") if v is None
        else (1, f"{v:.6e}") if isinstance(v, float)
        else (2, str(v)) for v in row
    )


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=REL, abs_tol=1e-12)
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    return a == b and type(a) is type(b)


def _assert_same(mart: str, duck: tuple[list, list], spark: tuple[list, list]) -> None:
    (duck_columns, duck_rows), (spark_columns, spark_rows) = duck, spark
    assert spark_columns == duck_columns, mart
    assert len(spark_rows) == len(duck_rows), mart
    for duck_row, spark_row in zip(sorted(duck_rows, key=_key), sorted(spark_rows, key=_key),
                                   strict=True):
        for column, a, b in zip(duck_columns, duck_row, spark_row, strict=True):
            assert _same(a, b), f"{mart}.{column}: {a!r} (duckdb) != {b!r} (spark)"


# About 100 s for the module on this 2-core machine near idle (164 s on the morning of
# 7 December 2026): mostly Spark analysing and planning the models for three areas, not
# the rows (docs/scaling.md). It runs in `make test`, first, on one worker, beside the rest
# (the whole suite 289 to 297 s near idle on 8 December 2026: docs/testing.md).
@pytest.mark.spark
def test_spark_gives_the_marts_duckdb_gives(lake, outputs):
    """One test, so that pytest-xdist runs it on one worker with one Spark session."""
    _every_mart_matches_across_the_national_stack(outputs)
    _each_area_matches_on_its_own(outputs)
    _the_areas_exercise_the_hard_cases(lake, outputs)
    _the_area_warehouses_hold_the_spark_marts(outputs)


def _every_mart_matches_across_the_national_stack(outputs):
    on_duckdb, on_spark = outputs
    assert on_spark.areas == on_duckdb.areas == tuple(sorted(AREAS))
    assert on_spark.marts == on_duckdb.marts
    for mart in mart_names():
        _compare(on_duckdb.out, on_spark.out, mart)


def _each_area_matches_on_its_own(outputs):
    on_duckdb, on_spark = outputs
    for mart in ("indicator_monthly", "fct_referrals", "equity_reach", "valuation_inputs"):
        for area in AREAS:
            rows = _compare(on_duckdb.out, on_spark.out, mart, f"where pcc_area = '{area}'")
            assert rows > 0, f"{mart} has rows for {area}"


def _the_areas_exercise_the_hard_cases(lake, outputs):
    """Not vacuous: bank holidays fall in range, recent months are censored, values are
    missing, and the areas' figures differ from each other."""
    on_spark = outputs[1]
    con = duckdb.connect()
    try:
        north = lake / "pcc_area=north"
        holidays = con.execute(
            f"select count(*) from read_parquet('{north / 'ref.calendar.parquet'}') "
            "where is_bank_holiday and calendar_date between date '2024-11-01' and date '2026-11-30'"
        ).fetchone()[0]
        assert holidays >= 16
        missing = con.execute(
            f"select count(*) from read_parquet('{north / 'raw.referrals.parquet'}') "
            "where first_contact_date is null"
        ).fetchone()[0]
        assert missing > 0
        monthly = f"read_parquet('{on_spark.out / 'marts/indicator_monthly/*.parquet'}')"
        statuses = dict(con.execute(
            f"select status, count(*) from {monthly} group by status").fetchall())
        assert statuses.get("not_yet_measurable", 0) > 0, statuses
        received = con.execute(
            f"select count(distinct numerator) from {monthly} "
            "where indicator_id = 'referrals_received' and agency = 'all' "
            "and month = date '2026-06-01'"
        ).fetchone()[0]
        assert received == len(AREAS)
    finally:
        con.close()


def _the_area_warehouses_hold_the_spark_marts(outputs):
    on_spark = outputs[1]
    warehouses = area_warehouses(on_spark.out)
    assert list(warehouses) == sorted(AREAS)
    _, stacked = _rows(on_spark.out, "indicator_monthly", "where pcc_area = 'south'")
    con = duckdb.connect(str(warehouses["south"]), read_only=True)
    try:
        assert con.execute("select count(*) from marts.indicator_monthly").fetchone()[0] == len(
            stacked)
        assert con.execute("select count(*) from meta.build").fetchone()[0] == 1
        assert con.execute("select count(*) from ref.indicator_catalogue").fetchone()[0] > 30
    finally:
        con.close()


def test_the_comparison_allows_1e_12_and_nothing_more(tmp_path):
    """The comparison itself can fail: a count, a text, a type, or a number beyond 1e-9
    relative; and it lets pass what the two engines may differ by (the last bits)."""
    def write(name: str, sql: str) -> Path:
        (tmp_path / name / "marts" / "m").mkdir(parents=True)
        typed = f"select * replace (v::double as v) from ({sql})"
        duckdb.execute(f"copy ({typed}) to '{tmp_path / name / 'marts' / 'm' / 'a.parquet'}'")
        return tmp_path / name

    base = write("base", "select * from (values (1, 'x', 0.1::double + 0.2::double), (2, 'y', 5.0)) t(n, s, v)")
    noise = write("noise", "select * from (values (2, 'y', 5.0), (1, 'x', 0.3)) t(n, s, v)")
    assert _compare(base, noise, "m") == 2
    for name, sql in {
        "count": "select * from (values (1, 'x', 0.3)) t(n, s, v)",
        "text": "select * from (values (1, 'z', 0.3), (2, 'y', 5.0)) t(n, s, v)",
        "number": "select * from (values (1, 'x', 0.3), (2, 'y', 5.00001)) t(n, s, v)",
        "type": "select n::varchar as n, s, v from (values (1, 'x', 0.3), (2, 'y', 5.0)) t(n, s, v)",
    }.items():
        with pytest.raises(AssertionError):
            _compare(base, write(name, sql), "m")
