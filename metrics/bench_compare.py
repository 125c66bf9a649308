"""The benchmark against its targets and against an earlier run (before and after).

Targets (issue 16, item 5, as set by the earlier speed issue): a full build of 1M
referrals from Parquet in under 10 s, 10M in under 2 minutes within 8 GB, and at least
3 times as fast as the plain pandas pipeline on the same files. The earlier run is a
``results.json`` of ``hubvalue bench`` (``bench/baseline.json``: the figures before the
faster build); sizes and formats measured in both are set side by side.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

TARGET_SECONDS = {1_000_000: 10.0, 10_000_000: 120.0}
TARGET_PEAK_MB = {10_000_000: 8 * 1024}
TARGET_SPEEDUP = 3.0


def read_baseline(path: Path) -> dict | None:
    """An earlier run's results.json, or None when there is none."""
    if not path.is_file():
        return None
    return json.loads(path.read_text())


def _key(row: dict) -> tuple[int, str]:
    return row["referrals"], row["format"]


def _to_models(row: dict) -> float:
    phases = row.get("build_phases") or {}
    return phases.get("load", math.nan) + phases.get("models", math.nan)


def _release(row: dict) -> float:
    return (row.get("build_phases") or {}).get("public release", math.nan)


def _change(before: float, after: float) -> str:
    if not before or math.isnan(before) or math.isnan(after):
        return "–"
    return f"{100 * (after - before) / before:+.0f} %"


def comparison_lines(results: list[dict], baseline: dict | None) -> list[str]:
    """Markdown: each size measured now and in ``baseline``, before and after."""
    if baseline is None:
        return []
    earlier = {_key(r): r for r in baseline.get("results", [])}
    pairs = [(earlier[_key(r)], r) for r in results if _key(r) in earlier]
    if not pairs:
        return []
    info = baseline.get("machine", {})
    lines = [
        "",
        f"Before and after: the earlier run ({info.get('date', 'date unknown')}, "
        f"{info.get('cores', '?')} cores) against this one. Wall times depend on how busy "
        "the machine was; the speed-up against pandas is measured in the same run.",
        "",
        "| referrals | format | build s before | build s now | change "
        "| load + models s before | now | release s before | now "
        "| speed-up (build) before | now | speed-up (core) before | now |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for before, now in pairs:
        lines.append(
            f"| {now['referrals']:,} | {now['format']} "
            f"| {before['build_seconds']:.2f} | {now['build_seconds']:.2f} "
            f"| {_change(before['build_seconds'], now['build_seconds'])} "
            f"| {_to_models(before):.2f} | {_to_models(now):.2f} "
            f"| {_release(before):.2f} | {_release(now):.2f} "
            f"| {before['speedup_vs_pandas']:.1f}x | {now['speedup_vs_pandas']:.1f}x "
            f"| {before['core_speedup_vs_pandas']:.1f}x | {now['core_speedup_vs_pandas']:.1f}x |"
        )
    return lines


def target_lines(results: list[dict]) -> list[str]:
    """Markdown: each Parquet size with a target, met or not."""
    rows = [r for r in results if r["format"] == "parquet" and r["referrals"] in TARGET_SECONDS]
    if not rows:
        return []
    lines = [
        "",
        f"Targets (Parquet): build time, peak memory, and at least {TARGET_SPEEDUP:.0f}x "
        "the plain pandas pipeline on the same files.",
        "",
        "| referrals | build s | target s | peak MB | target MB | speed-up (build) "
        "| speed-up (core) | met |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        n = r["referrals"]
        peak_target = TARGET_PEAK_MB.get(n)
        checks = {
            "time": r["build_seconds"] < TARGET_SECONDS[n],
            "memory": peak_target is None or r["build_peak_rss_mb"] <= peak_target,
            "speed-up": r["speedup_vs_pandas"] >= TARGET_SPEEDUP,
        }
        missed = [name for name, ok in checks.items() if not ok]
        lines.append(
            f"| {n:,} | {r['build_seconds']:.2f} | {TARGET_SECONDS[n]:.0f} "
            f"| {r['build_peak_rss_mb']:.0f} | "
            f"{'–' if peak_target is None else f'{peak_target:,}'} "
            f"| {r['speedup_vs_pandas']:.1f}x | {r['core_speedup_vs_pandas']:.1f}x "
            f"| {'yes' if not missed else 'no: ' + ', '.join(missed)} |"
        )
    return lines
