"""A smoke run of `hubvalue bench` at a tiny size (the real benchmark is `make bench`).

The run itself is marked slow (ten timed worker processes): `make test-all` runs it."""

from __future__ import annotations

import json

import pytest

from metrics.cli import main


@pytest.mark.slow  # a benchmark run: ten timed worker processes (`make test-all`)
def test_bench_writes_json_and_markdown(tmp_path, capsys):
    out = tmp_path / "bench"
    assert main(["bench", "--referrals", "300", "--out", str(out), "--repeats", "2",
                 "--runs", "3"]) == 0
    results = json.loads((out / "results.json").read_text())
    assert results["machine"]["cores"] >= 1
    (row,) = results["results"]
    assert row["referrals"] == 300
    assert row["build_seconds"] > 0 and row["pandas_seconds"] > 0 and row["core_seconds"] > 0
    # three runs of each timed step; the reported time is their median
    assert len(row["build_runs"]) == 3 and len(row["pandas_runs"]) == 3
    assert row["build_seconds"] == sorted(row["build_runs"])[1]
    assert row["core_seconds"] == sorted(row["core_runs"])[1]
    phases = row["build_phases"]
    assert list(phases) == ["load", "models", "public release", "write"]
    # the steps are parts of the build, timed inside it
    assert 0 < sum(phases.values()) <= row["build_seconds"]
    assert row["queries"], "every dashboard query is timed"
    assert "valuation_inputs" in row["queries"]
    assert all(q["calls"] == 2 for q in row["queries"].values())
    assert "| 300 | parquet |" in (out / "results.md").read_text()


def test_core_targets_are_the_families_of_the_reference_indicators():
    # metrics/reference.py's 14 core indicators sit in four families of the catalogue:
    # operations (7), wellbeing (3), prevention (2), nhs (2).
    from metrics.bench import core_targets

    assert core_targets() == {
        "intermediate.int_family_operations",
        "intermediate.int_family_wellbeing",
        "intermediate.int_family_prevention",
        "intermediate.int_family_nhs",
    }
