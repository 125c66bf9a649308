"""A smoke run of `hubvalue bench` at a tiny size (the real benchmark is `make bench`)."""

from __future__ import annotations

import json

from metrics.cli import main


def test_bench_writes_json_and_markdown(tmp_path, capsys):
    out = tmp_path / "bench"
    assert main(["bench", "--referrals", "300", "--out", str(out), "--repeats", "2"]) == 0
    results = json.loads((out / "results.json").read_text())
    assert results["machine"]["cores"] >= 1
    (row,) = results["results"]
    assert row["referrals"] == 300
    assert row["build_seconds"] > 0 and row["pandas_seconds"] > 0
    assert row["queries"], "every dashboard query is timed"
    assert all(q["calls"] == 2 for q in row["queries"].values())
    assert "| 300 | parquet |" in (out / "results.md").read_text()
