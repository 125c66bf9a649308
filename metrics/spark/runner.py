"""Every SQL model on Spark, over a lake of one or many areas; the marts out as Parquet.

All areas run side by side in one session: each area's tables are session views with the
area's prefix (``a0_raw__referrals``), each model is translated once and run for every
area, each area planned on its own (three areas stacked in one plan took Spark's planner
longer than three plans; the Spark SQL is generated once and the areas' view prefixes put
in it). The lake's tables and every intermediate model are kept in
Spark's memory (``localCheckpoint``: their readers read the rows, not the file or the plan
that made them), and so is each CTE that a model reads in several places
(``metrics.spark.shared_ctes``). Staging models stay views, as in DuckDB. The marts come back one frame per area, with the area's
code in ``pcc_area``, and are computed when they are written (a mart that another model
reads is kept like an intermediate one).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from metrics.spark import shared_ctes
from metrics.spark.translate import spark_sql_for_areas, translate_all, view_name


def _prefix(index: int) -> str:
    return f"a{index}_"


def _with_area_code(frame, code: str):
    """One area's mart with ``pcc_area`` first; timestamps without a time zone, as in
    DuckDB (Spark's own timestamps are written to Parquet as instants in UTC)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import TimestampNTZType, TimestampType

    columns = [
        F.col(f.name).cast(TimestampNTZType()).alias(f.name)
        if isinstance(f.dataType, TimestampType) else F.col(f.name)
        for f in frame.schema.fields
    ]
    return frame.select(F.lit(code).alias("pcc_area"), *columns)


def _parquet_schema(path: Path):
    """The Spark schema of a Parquet file, read from its footer here: Spark would run one
    job per file to infer it. Every column nullable, as Spark reads files."""
    import pyarrow.parquet as pq
    from pyspark.sql.pandas.types import from_arrow_schema
    from pyspark.sql.types import StructField, StructType

    inferred = from_arrow_schema(pq.read_schema(path), prefer_timestamp_ntz=True)
    return StructType([StructField(f.name, f.dataType, True) for f in inferred.fields])


def run(spark, areas: dict[str, list[Path]],
        on_model: Callable[[str], None] | None = None) -> dict[str, list[object]]:
    """Run every model for every area; returns {mart name: one Spark DataFrame per area,
    ``pcc_area`` first}.

    ``areas`` maps an area code to its source Parquet files (``<schema>.<table>.parquet``).
    """
    codes = sorted(areas)
    for index, code in enumerate(codes):
        for path in areas[code]:
            schema, table = path.stem.split(".", 1)
            # read once and kept, like an intermediate model: every job that reads the
            # table then reads rows in memory, not the file and its footer again
            source = spark.read.schema(_parquet_schema(path)).parquet(str(path))
            source.localCheckpoint().createOrReplaceTempView(
                view_name(schema, table, _prefix(index))
            )
    translated = translate_all(areas[codes[0]])
    readers = Counter(dep for model, _ in translated for dep in model.depends_on)
    marts: dict[str, list[object]] = {}
    context = spark.sparkContext
    for model, expanded in translated:
        # Spark's jobs named by the model they compute (its web UI and event log, on a
        # cluster); naming the call site also spares Spark a stack walk for every plan
        context.setJobDescription(model.qualified_name)
        context.setLocalProperty("callSite.short", model.qualified_name)
        context.setLocalProperty("callSite.long", model.qualified_name)
        # Every intermediate model is kept (inlined into their readers, the plans grew and
        # ran slower); a mart no model reads is computed when it is written.
        shared = model.layer == "intermediate" or readers[model.qualified_name] > 0
        shared = shared and model.layer != "staging"
        steps, query = shared_ctes.split(model.name, expanded)
        prefixes = [_prefix(index) for index in range(len(codes))]
        step_sql = [(step, spark_sql_for_areas(step.query, prefixes)) for step in steps]
        model_sql = spark_sql_for_areas(query, prefixes)
        frames = []
        for index in range(len(codes)):
            for step, sql in step_sql:  # a CTE read in many places, run once (shared_ctes)
                spark.sql(sql[index]).localCheckpoint().createOrReplaceTempView(
                    view_name(shared_ctes.STEP_SCHEMA, step.table, _prefix(index)))
            frame = spark.sql(model_sql[index])
            if shared:
                frame = frame.localCheckpoint()
            frame.createOrReplaceTempView(view_name(model.layer, model.name, _prefix(index)))
            frames.append(frame)
        if model.layer == "marts":
            marts[model.name] = [_with_area_code(frame, code)
                                 for frame, code in zip(frames, codes, strict=True)]
        if on_model is not None:
            on_model(model.qualified_name)
    return marts
