"""``hubvalue bench``: build time, memory and dashboard query latency, against pandas.

For each size N the extract is generated once (cached under the output folder
by N, seed and format), then, on the same data:

* the full build (ingest, validate, every model): wall time and peak RSS;
* the same core indicators as the pandas reference, computed the hubvalue way in
  memory (every row validated and loaded, then only the models they need);
* the plain pandas reference (``metrics/reference.py``) on the same core
  indicators, reading the same files: wall time and peak RSS;
* every dashboard query (``metrics/queries.py``), p50 and p95 over repeats.

Each measured step runs in a fresh Python process so its peak RSS is its own.
Results go to ``<out>/results.json`` and ``<out>/results.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

from metrics.bench_compare import comparison_lines, read_baseline, target_lines


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _extract_dir(out: Path, referrals: int, seed: int, fmt: str) -> Path:
    return out / "extracts" / f"n{referrals}-s{seed}-{fmt}"


# ---------------------------------------------------------------------------
# Workers: each runs in its own process and prints one JSON line.


def _work_build(extract: Path, db: Path) -> dict:
    from metrics.build import build
    from metrics.published import archive_path_for

    # Each run measures a first build: no earlier public releases to audit against, so
    # every ended quarter is published (a monthly rebuild publishes one quarter or none).
    archive_path_for(db).unlink(missing_ok=True)
    started = time.perf_counter()
    result = build(extract, db)
    return {
        "seconds": time.perf_counter() - started,
        "peak_rss_mb": _peak_rss_mb(),
        "rows_read": result.report.rows_read,
        "rows_quarantined": result.report.rows_quarantined,
        "phases": result.phases,
        "slowest_models": result.slowest_models(),
    }


def core_targets() -> set[str]:
    """The indicator families holding the pandas reference's core indicators."""
    from metrics.catalogue import read_catalogue
    from metrics.reference import CORE_INDICATORS

    catalogue = read_catalogue()
    families = catalogue.loc[catalogue["indicator_id"].isin(CORE_INDICATORS), "family"]
    return {f"intermediate.int_family_{family}" for family in sorted(set(families))}


def _work_core(extract: Path) -> dict:
    """The same core indicators as the pandas reference, the hubvalue way, in memory:
    every row validated and loaded, then only the models those indicators need."""
    import duckdb

    from metrics.build import build_id_for, load_and_model
    from metrics.reference import CORE_INDICATORS
    from metrics.snapshot import locate

    started = time.perf_counter()
    snapshot = locate(extract)
    con = duckdb.connect(":memory:")
    con.execute("attach ':memory:' as quarantine")
    targets = core_targets()
    load_and_model(con, snapshot, build_id_for(snapshot, None), targets=targets)
    union = " union all ".join(f"select indicator_id from {t}" for t in sorted(targets))
    rows = con.execute(
        f"select count(*) from ({union}) where indicator_id in (select unnest(?::varchar[]))",
        [list(CORE_INDICATORS)],
    ).fetchone()[0]
    seconds = time.perf_counter() - started
    con.close()
    return {"seconds": seconds, "peak_rss_mb": _peak_rss_mb(), "rows": rows}


def _work_pandas(extract: Path) -> dict:
    from metrics import reference
    from metrics.snapshot import locate

    started = time.perf_counter()
    snapshot = locate(extract)
    tables = reference.read_extract(snapshot)
    frame = reference.compute_core(tables, snapshot.as_of, coverage=snapshot.coverage)
    return {
        "seconds": time.perf_counter() - started,
        "peak_rss_mb": _peak_rss_mb(),
        "rows": len(frame),
    }


def _work_queries(db: Path, repeats: int) -> dict:
    from metrics import queries

    timings = queries.time_queries(db, repeats=repeats)
    return {
        "queries": {
            name: {
                "p50_ms": statistics.median(values) * 1000,
                "p95_ms": _percentile(values, 95) * 1000,
                "calls": len(values),
            }
            for name, values in timings.items()
        },
        "peak_rss_mb": _peak_rss_mb(),
    }


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, math.ceil(pct / 100 * len(ordered)) - 1)
    return ordered[index]


def _run_worker(*args: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "metrics.bench", "--worker", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        tail = completed.stderr.strip().splitlines()[-1:] or ["no message"]
        raise RuntimeError(f"bench worker {args[0]} failed: {tail[0]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------


def _median_run(runs: int, say, kind: str, *args: str) -> dict:
    """Run a worker ``runs`` times; the run with the median time, with every run's seconds
    and the highest peak memory of all runs. A shared machine's noise is then visible."""
    results = []
    for _ in range(max(1, runs)):
        result = _run_worker(kind, *args)
        say(f"  {kind} {result['seconds']:.2f} s, peak {result['peak_rss_mb']:.0f} MB")
        results.append(result)
    ordered = sorted(results, key=lambda r: r["seconds"])
    median = dict(ordered[(len(ordered) - 1) // 2])
    median["runs"] = [r["seconds"] for r in results]
    median["peak_rss_mb"] = max(r["peak_rss_mb"] for r in results)
    return median


def bench_one(
    referrals: int, seed: int, fmt: str, out: Path, repeats: int, say, runs: int = 1
) -> dict:
    from metrics.generate import generate

    extract = _extract_dir(out, referrals, seed, fmt)
    if not (extract / "manifest.json").exists():
        say(f"generating {referrals:,} referrals ({fmt})")
        started = time.perf_counter()
        generate(extract, referrals=referrals, seed=seed, end="2026-10", fmt=fmt, quiet=True)
        say(f"  generated in {time.perf_counter() - started:.1f} s")
    db = out / "warehouses" / f"n{referrals}-s{seed}-{fmt}.duckdb"
    db.parent.mkdir(parents=True, exist_ok=True)
    say(f"building {referrals:,} referrals")
    build = _median_run(runs, say, "build", str(extract), str(db))
    say("core indicators in DuckDB (validated load, in memory)")
    core = _median_run(runs, say, "core", str(extract))
    say("pandas reference")
    pandas = _median_run(runs, say, "pandas", str(extract))
    try:
        query = _run_worker("queries", str(db), str(repeats))
    except RuntimeError as exc:
        say(f"  queries not measured: {exc}")
        query = {"queries": {}, "peak_rss_mb": None}
    return {
        "referrals": referrals,
        "format": fmt,
        "rows_read": build["rows_read"],
        "build_seconds": build["seconds"],
        "build_peak_rss_mb": build["peak_rss_mb"],
        "build_phases": build["phases"],
        "build_slowest_models": build.get("slowest_models", []),
        "build_runs": build["runs"],
        "core_seconds": core["seconds"],
        "core_peak_rss_mb": core["peak_rss_mb"],
        "core_runs": core["runs"],
        "pandas_seconds": pandas["seconds"],
        "pandas_peak_rss_mb": pandas["peak_rss_mb"],
        "pandas_runs": pandas["runs"],
        "speedup_vs_pandas": pandas["seconds"] / build["seconds"],
        "core_speedup_vs_pandas": pandas["seconds"] / core["seconds"],
        "queries": query["queries"],
    }


def machine() -> dict:
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": dt.date.today().isoformat(),
    }


def markdown(results: list[dict], info: dict, baseline: dict | None = None) -> str:
    lines = [
        f"Machine: {info['cores']} cores, {info['memory_gb']} GB, Python {info['python']} "
        f"({info['date']}). Build, core and pandas: the median of {info.get('runs', 1)} "
        "run(s) each (every run's time is in results.json).",
        "",
        "*Build*: the full build into a warehouse file (read, validate, quarantine, all "
        "models, the first public release of every ended quarter, write); *load + models* "
        "is its part up to the last model (read, validate, quarantine, every model), and "
        "*release* its first public release (protection and audit of every quarter). *Core*: the pandas reference's core indicators computed the hubvalue "
        "way in memory (every row validated and loaded, then only the models those "
        "indicators need). *pandas*: the plain pandas reference, same indicators, same files. "
        "Speed-up = pandas time / hubvalue time.",
        "",
        "| referrals | format | rows read | build s | load + models s | release s "
        "| build peak MB | core s | core peak MB "
        "| pandas s | pandas peak MB | speed-up (core) | speed-up (build) | build µs per row "
        "| slowest query p95 ms |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        worst = max((q["p95_ms"] for q in r["queries"].values()), default=float("nan"))
        phases = r.get("build_phases") or {}
        to_models = phases.get("load", math.nan) + phases.get("models", math.nan)
        lines.append(
            f"| {r['referrals']:,} | {r['format']} | {r['rows_read']:,} "
            f"| {r['build_seconds']:.2f} | {to_models:.2f} "
            f"| {phases.get('public release', math.nan):.2f} | {r['build_peak_rss_mb']:.0f} "
            f"| {r['core_seconds']:.2f} | {r['core_peak_rss_mb']:.0f} "
            f"| {r['pandas_seconds']:.2f} | {r['pandas_peak_rss_mb']:.0f} "
            f"| {r['core_speedup_vs_pandas']:.1f}x | {r['speedup_vs_pandas']:.1f}x "
            f"| {1e6 * r['build_seconds'] / max(r['rows_read'], 1):.2f} | {worst:.1f} |"
        )
    lines += target_lines(results)
    lines += comparison_lines(results, baseline)
    slowest = [r for r in results if r.get("build_slowest_models")]
    if slowest:
        lines += ["", "Slowest models of the median build (wall s, two models at a time):", ""]
        for r in slowest:
            named = ", ".join(f"{n} {s:.2f}" for n, s in r["build_slowest_models"])
            lines.append(f"- {r['referrals']:,} ({r['format']}): {named}")
    for r in results:
        if r["queries"]:
            lines += ["", f"Dashboard queries at {r['referrals']:,} referrals ({r['format']}):", ""]
            lines += ["| query | p50 ms | p95 ms | calls |", "|---|---:|---:|---:|"]
            for name, q in sorted(r["queries"].items()):
                lines.append(f"| {name} | {q['p50_ms']:.1f} | {q['p95_ms']:.1f} | {q['calls']} |")
    lines.append("")
    lines.append(
        "Growth: build µs per row should stay flat (linear) or grow slowly (n log n) with size."
    )
    return "\n".join(lines) + "\n"


def main(args: argparse.Namespace) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    formats = args.format if isinstance(args.format, list) else [args.format]
    results = [
        bench_one(n, args.seed, fmt, out, args.repeats, say, getattr(args, "runs", 1))
        for fmt in formats
        for n in args.referrals
    ]
    info = machine()
    info["runs"] = getattr(args, "runs", 1)
    baseline_path = Path(getattr(args, "baseline", None) or out / "baseline.json")
    baseline = read_baseline(baseline_path)
    (out / "results.json").write_text(json.dumps({"machine": info, "results": results}, indent=2))
    text = markdown(results, info, baseline)
    (out / "results.md").write_text(text)
    print(text)
    return 0


def _worker(argv: list[str]) -> None:
    kind, *rest = argv
    if kind == "build":
        result = _work_build(Path(rest[0]), Path(rest[1]))
    elif kind == "core":
        result = _work_core(Path(rest[0]))
    elif kind == "pandas":
        result = _work_pandas(Path(rest[0]))
    elif kind == "queries":
        result = _work_queries(Path(rest[0]), int(rest[1]))
    else:
        raise SystemExit(f"unknown worker {kind}")
    print(json.dumps(result))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        _worker(sys.argv[2:])
