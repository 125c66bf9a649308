"""Figures of a load run: page-time percentiles, errors by kind, what the server used."""

from __future__ import annotations

import math
import statistics
from collections import Counter

from metrics.loadgen.people import Visit


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 20 values is the 19th smallest); NaN for none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(len(ordered) * share))
    return ordered[rank - 1]


def spread(values: list[float]) -> dict:
    return {"n": len(values),
            "p50_s": statistics.median(values) if values else math.nan,
            "p95_s": percentile(values, 0.95),
            "max_s": max(values) if values else math.nan}


def overlapped(visit: Visit, visits: list[Visit]) -> bool:
    """Whether another person's page run was in progress during part of this one."""
    start, end = visit.started_s, visit.started_s + visit.run.seconds
    return any(other is not visit and other.started_s < end
               and other.started_s + other.run.seconds > start for other in visits)


def page_figures(visits: list[Visit], failures: list[str]) -> dict:
    """Percentiles of the page times of the runs that finished (a timed-out page has no
    time to count: it is an error), split into first pages and moves, and by page;
    every error by kind."""
    finished = [v for v in visits if not {"timeout", "disconnected"} & set(v.run.errors)]
    errors = Counter(kind for v in visits for kind in v.run.errors)
    errors.update(failures)
    by_page: dict[str, list[float]] = {}
    for v in finished:
        by_page.setdefault(v.run.page.name if v.run.page else "(unknown)", []).append(
            v.run.seconds)
    return {
        "page_runs": len(visits),
        "page_runs_finished": len(finished),
        "page_runs_with_errors": sum(1 for v in visits if v.run.errors),
        "people": len({v.person for v in visits}),
        "all": spread([v.run.seconds for v in finished]),
        "first_page": spread([v.run.seconds for v in finished if v.first]),
        "moves": spread([v.run.seconds for v in finished if not v.first]),
        "with_filters": spread([v.run.seconds for v in finished if v.run.query_string]),
        # page runs the server ran alone, and while another person's was running
        "alone": spread([v.run.seconds for v in finished if not overlapped(v, visits)]),
        "overlapping": spread([v.run.seconds for v in finished if overlapped(v, visits)]),
        "by_page": {name: spread(times) for name, times in sorted(by_page.items())},
        "pages_visited": sorted(by_page),
        "errors": dict(sorted(errors.items())),
        "error_count": sum(errors.values()),
    }


def _s(seconds: float) -> str:
    return "none" if math.isnan(seconds) else f"{seconds:.3f} s"


def describe(result: dict) -> str:
    """The run in a few lines, for the terminal."""
    pages = result["pages"]
    server = result["server"]
    machine = result["machine"]
    lines = [
        f"{result['sessions']} sessions for {result['pace']['duration_s']:.0f} s "
        f"({result['label']}): {pages['page_runs']} page runs, "
        f"{pages['error_count']} errors {pages['errors'] or ''}".rstrip()
        + (f"; warm-up errors {pages['warm_up_errors']}" if pages.get("warm_up_errors") else ""),
        f"  page time p50 {_s(pages['all']['p50_s'])}, p95 {_s(pages['all']['p95_s'])}, "
        f"max {_s(pages['all']['max_s'])} (first page p95 {_s(pages['first_page']['p95_s'])}; "
        f"moves p95 {_s(pages['moves']['p95_s'])}; with a filter set p95 "
        f"{_s(pages['with_filters']['p95_s'])}; alone p95 {_s(pages['alone']['p95_s'])}, "
        f"overlapping another p95 {_s(pages['overlapping']['p95_s'])})",
        (f"  server RSS before {server['rss_before_mb']:.0f} MB, peak "
         f"{server['rss_peak_mb']:.0f} MB, after {server['rss_after_mb']:.0f} MB; "
         f"server CPU {server['cpu_s']:.1f} s ({server['cpu_s_per_page']:.3f} s per page)"
         if server["measured"] else "  server memory and CPU not measured (no --server-pid)"),
        f"  machine: load average {machine['loadavg_before'][0]:.2f} before, "
        f"{machine['loadavg_after'][0]:.2f} after (1 min); busy "
        f"{machine['busy_cpu_s']:.0f} of {machine['available_cpu_s']:.0f} CPU-s; "
        f"this generator {machine['generator_cpu_s']:.1f} CPU-s"
        + (f"; runnable threads mean {machine['runnable_mean']:.1f}, max "
           f"{machine['runnable_max']}" if machine.get("runnable_mean") is not None else ""),
    ]
    costs = [(v["server_cpu_s"], v["page"]) for v in result.get("warm_up", [])
             if v.get("server_cpu_s") is not None]
    if costs:
        most, page = max(costs)
        lines.append(f"  warm-up, each page once: server CPU per page median "
                     f"{statistics.median(c for c, _ in costs):.3f} s, most {most:.3f} s "
                     f"({page})")
    check = result.get("browser")
    if check and "skipped" in check:
        lines.append(f"  Chromium check skipped: {check['skipped']}")
    elif check:
        lines.append(
            f"  Chromium: {len(check['pages'])} pages, titles match: "
            f"{check['all_titles_match']}, error boxes {check['browser_errors']}, "
            f"failures {check['browser_failures'] or 'none'}")
    return "\n".join(lines)
