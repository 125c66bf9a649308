"""The faster one-machine build (issue 16, item 5): each speed-up does the same work
once, with the same result."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.build import BuildResult, build
from metrics.generate import generate
from metrics.models import discover
from metrics.published import comparison
from metrics.published.comparison import protect_comparisons


def _disability(month: str, basis: str, yes: float, no: float) -> pd.DataFrame:
    return pd.DataFrame({
        "month": [month] * 3, "basis": [basis] * 3, "basis_label": [basis] * 3,
        "characteristic": ["disability"] * 3, "category": ["yes", "no", "unknown"],
        "comparison_people": [yes, no, 3.0], "comparison_share": [None] * 3,
    })


@pytest.fixture
def publish_calls(monkeypatch):
    """Counts the breakdowns the comparison protection publishes."""
    calls = []
    real = comparison.publish

    def counting(release, **kwargs):
        calls.append(release)
        return real(release, **kwargs)

    monkeypatch.setattr(comparison, "publish", counting)
    return calls


def test_a_breakdown_repeated_in_other_months_and_bases_is_protected_once(publish_calls):
    # Yearly comparison figures repeat month after month: yes 6, no 94 in Oct and Nov for
    # recorded victims and in Nov for residents is one breakdown (protected once); yes
    # 20, no 180 is another. Each row is published as if protected on its own: yes
    # (6, sensitive) hidden, no 94 -> 95, share 95 / 100; 20 -> 20, 180 -> 180, 20 / 200.
    rows = pd.concat([
        _disability("2026-10-01", "recorded_victims", 6.0, 94.0),
        _disability("2026-11-01", "recorded_victims", 6.0, 94.0),
        _disability("2026-11-01", "residents", 6.0, 94.0),
        _disability("2026-11-01", "other", 20.0, 180.0),
    ], ignore_index=True)
    out = protect_comparisons(rows)
    assert len(publish_calls) == 2
    assert len(out) == 8  # unknown is not a category of the comparison
    small = out[out["basis"] != "other"].set_index(["month", "basis", "category"])
    assert small["comparison_people"].isna().groupby(level="category").all()["yes"]
    assert (small.xs("no", level="category")["comparison_people"] == 95).all()
    assert small.xs("no", level="category")["comparison_share"].tolist() == pytest.approx(
        [0.95] * 3)
    other = out[out["basis"] == "other"].set_index("category")
    assert other.loc["yes", "comparison_people"] == 20
    assert other.loc["yes", "comparison_share"] == pytest.approx(0.1)


def test_the_breakdowns_protected_are_shared_between_calls(publish_calls):
    # The release step protects each quarter's latest month in its own call; a dict of
    # breakdowns already protected, passed to each, protects a repeated one once.
    done: dict = {}
    first = protect_comparisons(_disability("2026-10-01", "recorded_victims", 6.0, 94.0), done)
    second = protect_comparisons(_disability("2026-11-01", "recorded_victims", 6.0, 94.0), done)
    assert len(publish_calls) == 1
    columns = ["category", "comparison_people", "comparison_share", "comparison_hidden"]
    pd.testing.assert_frame_equal(first[columns], second[columns])
    alone = protect_comparisons(_disability("2026-11-01", "recorded_victims", 6.0, 94.0))
    pd.testing.assert_frame_equal(alone, second)


# ---------------------------------------------------------------------------
# The benchmark sets its figures beside the targets and the run before.


def _row(referrals: int, fmt: str, build: float, pandas: float, core: float,
         peak: float = 1000.0, load: float = 1.0, models: float = 2.0,
         release: float = 0.5) -> dict:
    return {
        "referrals": referrals, "format": fmt, "build_seconds": build,
        "build_peak_rss_mb": peak, "speedup_vs_pandas": pandas / build,
        "core_speedup_vs_pandas": pandas / core,
        "build_phases": {"load": load, "models": models, "public release": release},
    }


def test_targets_name_what_is_missed():
    from metrics.bench_compare import target_lines

    lines = target_lines([
        # 1M: 9.5 s < 10 s, pandas 30 s / 9.5 s = 3.2x >= 3: met
        _row(1_000_000, "parquet", 9.5, 30.0, 5.0),
        # 10M: 100 s < 120 s but 9000 MB > 8192 MB and 250 / 100 = 2.5x < 3
        _row(10_000_000, "parquet", 100.0, 250.0, 50.0, peak=9000.0),
        _row(1_000_000, "csv", 50.0, 10.0, 5.0),  # CSV has no target
        _row(100_000, "parquet", 5.0, 1.0, 1.0),  # nor has 100k
    ])
    table = [line for line in lines if line.startswith("| 1")]
    assert table == [
        "| 1,000,000 | 9.50 | 10 | 1000 | – | 3.2x | 6.0x | yes |",
        "| 10,000,000 | 100.00 | 120 | 9000 | 8,192 | 2.5x | 5.0x | no: memory, speed-up |",
    ]


def test_before_and_after_sets_each_size_measured_in_both_side_by_side():
    from metrics.bench_compare import comparison_lines

    before = {"machine": {"date": "2026-11-29", "cores": 2}, "results": [
        _row(1_000_000, "parquet", 12.0, 6.0, 6.0, load=4.0, models=7.0, release=1.8),
        _row(10_000, "parquet", 1.6, 0.4, 0.5),
    ]}
    now = [
        # 12 s -> 9 s: -25 %; load + models 4 + 7 = 11 -> 3 + 5 = 8; speed-up 6/12 -> 6/9
        _row(1_000_000, "parquet", 9.0, 6.0, 4.0, load=3.0, models=5.0, release=0.9),
        _row(100_000, "parquet", 3.0, 1.0, 1.0),  # not in the earlier run: left out
    ]
    lines = comparison_lines(now, before)
    assert "(2026-11-29, 2 cores)" in lines[1]
    assert [line for line in lines if line.startswith("| 1")] == [
        "| 1,000,000 | parquet | 12.00 | 9.00 | -25 % | 11.00 | 8.00 | 1.80 | 0.90 "
        "| 0.5x | 0.7x | 1.0x | 1.5x |"
    ]
    assert comparison_lines(now, None) == []
    assert comparison_lines([_row(5, "csv", 1.0, 1.0, 1.0)], before) == []


# ---------------------------------------------------------------------------
# The build times each model.


def test_the_build_records_every_model_s_time_and_names_the_slowest(tmp_path):
    extract = tmp_path / "extract"
    generate(extract, referrals=200, seed=3, end="2026-10", months=12, quiet=True)
    result = build(extract, tmp_path / "w.duckdb", as_of="2026-11-30")
    assert set(result.model_seconds) == {m.qualified_name for m in discover()}
    assert all(seconds >= 0 for seconds in result.model_seconds.values())
    slowest = result.slowest_models()
    assert len(slowest) == 5
    assert [s for _, s in slowest] == sorted((s for _, s in slowest), reverse=True)
    assert slowest[0][1] == max(result.model_seconds.values())
    (line,) = [line for line in result.lines() if line.startswith("slowest models: ")]
    assert line.startswith(f"slowest models: {slowest[0][0]} ")


def test_the_slowest_models_are_ordered_by_time_then_name(tmp_path):
    result = BuildResult(
        tmp_path, tmp_path, "b", None, None, 0.0, 3, {},
        {"marts.b": 1.0, "marts.a": 1.0, "marts.c": 3.0, "marts.d": 0.5},
    )
    assert result.slowest_models(3) == [("marts.c", 3.0), ("marts.a", 1.0), ("marts.b", 1.0)]


# ---------------------------------------------------------------------------
# Models on the longest chains start first.


def _model_file(sql_dir, layer: str, name: str, sql: str) -> None:
    (sql_dir / layer).mkdir(parents=True, exist_ok=True)
    (sql_dir / layer / f"{name}.sql").write_text(sql)


@pytest.fixture
def chain_dir(tmp_path):
    # Folder order: int_a_leaf, int_b_leaf, int_c_hub (each reads staging only), then
    # the marts. int_c_hub has the longest chain: c_hub -> m_first -> m_second (3); the
    # leaves feed nothing (1); m_first depends on c_hub, m_second on m_first, so
    # m_first's chain is 2. raw.numbers: 1..4, so m_second = 2 * (1+2+3+4) = 20.
    root = tmp_path / "sql"
    _model_file(root, "staging", "stg_numbers", "select n from raw.numbers")
    _model_file(root, "intermediate", "int_a_leaf", "select n from staging.stg_numbers")
    _model_file(root, "intermediate", "int_b_leaf", "select n from staging.stg_numbers")
    _model_file(root, "intermediate", "int_c_hub",
                "select sum(n) as total from staging.stg_numbers")
    _model_file(root, "marts", "m_first", "select 2 * total as t from intermediate.int_c_hub")
    _model_file(root, "marts", "m_second", "select t from marts.m_first")
    _model_file(root, "marts", "m_lone", "select count(*) as n from intermediate.int_a_leaf")
    return root


def test_the_model_on_the_longest_chain_comes_first(chain_dir):
    from metrics.models import critical_first, dependency_order, discover

    ordered = dependency_order(discover(chain_dir))
    names = [m.qualified_name for m in critical_first(ordered)]
    # chains: stg 4 (stg -> c_hub -> m_first -> m_second), c_hub 3, m_first 2, a_leaf 2
    # (a_leaf -> m_lone) with one dependant as m_first, so dependency order: a_leaf
    # (intermediate) before m_first; b_leaf, m_second, m_lone 1 in dependency order.
    assert names == [
        "staging.stg_numbers",
        "intermediate.int_c_hub",
        "intermediate.int_a_leaf",
        "marts.m_first",
        "intermediate.int_b_leaf",
        "marts.m_lone",
        "marts.m_second",
    ]
    position = {n: i for i, n in enumerate(names)}
    for model in ordered:  # still a dependency order
        assert all(position[d] < position[model.qualified_name] for d in model.depends_on)


def test_two_at_a_time_the_longest_chain_starts_first(tmp_path, chain_dir, monkeypatch):
    import duckdb

    from metrics import models

    started = []
    real = models._create

    def recording(con, model, scratch=None):
        started.append(model.qualified_name)
        return real(con, model, scratch)

    monkeypatch.setattr(models, "_create", recording)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema raw")
    con.execute("create table raw.numbers as select range + 1 as n from range(4)")
    models.run_models(con, sql_dir=chain_dir, workers=2)
    # after staging, the hub and one leaf start together (the hub first), not two leaves
    assert started[:3] == ["staging.stg_numbers", "intermediate.int_c_hub",
                           "intermediate.int_a_leaf"]
    assert sorted(started) == sorted(m.qualified_name for m in models.discover(chain_dir))
    assert con.execute("select t from marts.m_second").fetchone() == (20,)


# ---------------------------------------------------------------------------
# A quarter's outcome frames are split by indicator once.


def test_outcome_namespaces_take_their_indicator_s_rows_in_order():
    from metrics.published.names import PERIOD
    from metrics.published.protect import namespace_frame, split_outcomes

    outcomes = pd.DataFrame({
        "indicator": ["feel_safer_at_exit", "coped_better_at_exit", "feel_safer_at_exit",
                      "coped_better_at_exit"],
        "quarter_start": ["2026-04-01"] * 4,
        "met": [True, False, False, True],
        "count": [12, 3, 5, 40],
    })
    split = split_outcomes(outcomes)
    assert sorted(split) == ["coped_better_at_exit", "feel_safer_at_exit"]
    frame = namespace_frame("outcome:feel_safer_at_exit", "2026/27-Q1", pd.DataFrame(), split)
    assert frame.to_dict("list") == {
        PERIOD: ["2026/27-Q1"] * 2,
        "feel_safer_at_exit_base": [True, True],
        "feel_safer_at_exit_met": [True, False],
        "count": [12, 5],
    }
    empty = namespace_frame("outcome:informed_at_exit", "2026/27-Q1", pd.DataFrame(), split)
    assert list(empty.columns) == [PERIOD, "informed_at_exit_base", "informed_at_exit_met",
                                   "count"]
    assert len(empty) == 0
