"""Every SQL model transpiles to Spark SQL (via SQLGlot) and the result parses.

This is the path beyond one machine described in docs/scaling.md: the same
models run on an existing engine over partitioned Parquet.
"""

from __future__ import annotations

import pytest
import sqlglot

from metrics.models import discover

MODELS = discover()


@pytest.mark.parametrize("model", MODELS, ids=[m.qualified_name for m in MODELS])
def test_model_transpiles_to_spark(model):
    spark_sql = sqlglot.transpile(model.sql, read="duckdb", write="spark", pretty=True)[0]
    tree = sqlglot.parse_one(spark_sql, read="spark")
    assert tree.find(sqlglot.exp.Select) is not None
    # The models' references survive translation, so the dependency graph is the same on Spark.
    for dependency in model.depends_on:
        assert dependency.split(".")[1] in spark_sql


def test_there_are_models_in_every_layer():
    layers = {m.layer for m in MODELS}
    assert layers == {"staging", "intermediate", "marts"}
