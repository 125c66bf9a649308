"""A model's Spark SQL is generated once and each area's view prefix put in it: the same
statements as translating it for each area on its own."""

from __future__ import annotations

import pytest
import sqlglot

from metrics.models import discover
from metrics.spark.translate import AREA_STAND_IN, spark_sql, spark_sql_for_areas

PREFIXES = ["a0_", "a1_", "a2_"]


def test_each_area_reads_its_own_views():
    expanded = sqlglot.parse_one(
        "select r.referral_id, m.label from raw.referrals as r "
        "left join ref.labels as m on m.code = r.source where r.source <> 'a0_x'",
        read="duckdb",
    )
    statements = spark_sql_for_areas(expanded, PREFIXES)
    assert statements == [spark_sql(expanded, prefix) for prefix in PREFIXES]
    assert "a1_raw__referrals" in statements[1] and "a1_ref__labels" in statements[1]
    assert "a0_raw__referrals" not in statements[1]
    # a literal is text, not a view: it is left as it was
    assert "'a0_x'" in statements[2]


def test_no_model_holds_the_stand_in():
    assert [m.qualified_name for m in discover() if AREA_STAND_IN in m.sql] == []


def test_a_statement_holding_the_stand_in_is_refused():
    expanded = sqlglot.parse_one(f"select '{AREA_STAND_IN}' as x from raw.referrals",
                                 read="duckdb")
    with pytest.raises(ValueError, match="stand-in"):
        spark_sql_for_areas(expanded, PREFIXES)
