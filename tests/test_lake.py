"""The same SQL models run unchanged over a Parquet lake partitioned by PCC area."""

from __future__ import annotations

import duckdb

from metrics.build import build
from metrics.generate import generate
from metrics.lake import build_area, export_area, stack_marts

QUERY = "select * from marts.indicator_monthly order by all"


def _rows(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(QUERY).fetchall()
    finally:
        con.close()


def test_models_over_partitioned_parquet_match_the_warehouse(tmp_path):
    lake = tmp_path / "lake"
    direct, from_lake = {}, {}
    for area, seed in (("north", 1), ("south", 2)):
        extract = tmp_path / f"extract-{area}"
        generate(extract, referrals=800, seed=seed, end="2026-10", months=12, quiet=True)
        direct[area] = tmp_path / f"{area}.duckdb"
        build(extract, direct[area])
        export_area(direct[area], lake, area)
        from_lake[area] = tmp_path / f"{area}-lake.duckdb"
        assert build_area(lake, area, from_lake[area]) > 30

    assert sorted(p.name for p in lake.iterdir()) == ["pcc_area=north", "pcc_area=south"]
    for area in direct:
        assert _rows(from_lake[area]) == _rows(direct[area]), area
    stacked = stack_marts(from_lake, tmp_path / "national.parquet")
    assert stacked == len(_rows(direct["north"])) + len(_rows(direct["south"]))
