"""Profile a whole build: wall and CPU time of every SQL statement it runs, grouped.

Usage (from the repository root):

    python scripts/profile_build.py EXTRACT_DIR [--db out.duckdb] [--top 25]

Each statement is labelled by its first words (never values of records: the build's SQL
carries none). CPU time is process time, so it adds up DuckDB's threads.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from metrics import build as build_module  # noqa: E402

TIMINGS: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
PHASES: dict[str, tuple[float, float]] = {}


def _label(sql: str) -> str:
    text = re.sub(r"\s+", " ", sql).strip()
    return text[:90]


class TimedConnection:
    """Delegates to a DuckDB connection and times every ``execute``."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def execute(self, sql, *args, **kwargs):
        cpu, wall = time.process_time(), time.perf_counter()
        result = self._con.execute(sql, *args, **kwargs)
        entry = TIMINGS[_label(sql)]
        entry[0] += time.perf_counter() - wall
        entry[1] += time.process_time() - cpu
        entry[2] += 1
        return result

    def __getattr__(self, name):
        return getattr(self._con, name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extract", type=Path)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    real_connect = duckdb.connect
    real_run_models = build_module.run_models

    def timed_run_models(con, *a, **k):
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return real_run_models(getattr(con, "_con", con), *a, **k)
        finally:
            PHASES["models"] = (time.perf_counter() - wall, time.process_time() - cpu)

    build_module.run_models = timed_run_models
    build_module.duckdb.connect = lambda *a, **k: TimedConnection(real_connect(*a, **k))
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "profile.duckdb"
        started_cpu, started = time.process_time(), time.perf_counter()
        build_module.build(args.extract, db)
        total = time.perf_counter() - started
        total_cpu = time.process_time() - started_cpu
    rows = sorted(TIMINGS.items(), key=lambda item: -item[1][0])
    print(f"{'wall s':>7} {'cpu s':>7} {'n':>4}  statement")
    for label, (wall, cpu, n) in rows[: args.top]:
        print(f"{wall:7.2f} {cpu:7.2f} {n:4d}  {label}")
    print(f"{sum(w for w, _, _ in TIMINGS.values()):7.2f} {'':7} {'':4}  sum of statements")
    for phase, (wall, cpu) in PHASES.items():
        print(f"{wall:7.2f} {cpu:7.2f} {'':4}  {phase} (all models)")
    print(f"{total:7.2f} {total_cpu:7.2f} {'':4}  whole build")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
