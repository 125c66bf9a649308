"""One measured load run against a running server.

First one warm-up session opens the dashboard and visits every page once (a server
that has been up for a while has its caches; its times are kept apart). Then the
people run, with one real Chromium session alongside when asked, while the server's
memory is sampled. Around the run: the server's CPU seconds, the machine's load
average and busy CPU seconds, and this generator's own CPU seconds (it shares the
machine), so a figure taken on a busy machine says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import random
import resource
import statistics
import time
from collections import Counter

import psutil

from metrics.loadgen import browser, report, server
from metrics.loadgen.people import Pace, Visit, crowd
from metrics.loadgen.protocol import StreamlitSession


async def warm_up(url: str, page_timeout_s: float, pid: int | None = None
                  ) -> tuple[list[str], list[Visit], list[float]]:
    """Visit every page once in one session: the page names, the visits and, with the
    server's pid, the server's CPU seconds for each page (its cost on an idle core)."""
    visits: list[Visit] = []
    costs: list[float] = []

    def spent() -> float:
        return server.cpu_seconds(pid) if pid else 0.0

    async with StreamlitSession(url, page_timeout_s=page_timeout_s) as session:
        before = spent()
        first = await session.open()
        costs.append(spent() - before)
        visits.append(Visit(-1, 0, 0.0, first))
        names = [p.name for p in session.pages]
        for page in list(session.pages):
            if first.page is not None and page.script_hash == first.page.script_hash:
                continue
            before = spent()
            visits.append(Visit(-1, len(visits), 0.0, await session.follow(page)))
            costs.append(spent() - before)
    return names, visits, costs


def _generator_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _run(url: str, sessions: int, pace: Pace, route: list[str] | None
               ) -> tuple[list[Visit], list[str], list | None]:
    load = crowd(url, sessions, pace)
    if route is None:
        visits, failures = await load
        return visits, failures, None
    (visits, failures), seen = await asyncio.gather(load, browser.browse(url, route, pace))
    return visits, failures, seen


def browser_route(names: list[str], seed: int, length: int = 12) -> list[str]:
    """The pages the Chromium session follows after the first: every other page in a
    seeded order, again and again (the run's time decides how far it gets)."""
    rng = random.Random(f"{seed}-route")
    others = names[1:] or names
    if not others:  # no page to follow (the app sent no navigation): nothing to do
        return []
    route: list[str] = []
    while len(route) < length:
        batch = others[:]
        rng.shuffle(batch)
        route.extend(batch)
    return route[:length]


def measure(url: str, pid: int | None, sessions: int, pace: Pace, label: str = "",
            with_browser: bool = False) -> dict:
    """Run the warm-up, then ``sessions`` people (and Chromium); the figures as a dict."""
    names, warm, costs = asyncio.run(warm_up(url, pace.page_timeout_s, pid))
    time.sleep(1.0)
    route = None
    check: dict | None = None
    if with_browser:
        reason = browser.unavailable()
        if reason:
            check = {"skipped": reason}
        else:
            route = browser_route(names, pace.seed)
    rss_before = server.rss_bytes(pid) if pid else 0
    cpu_before = server.cpu_seconds(pid) if pid else 0.0
    busy_before = server.machine_busy_seconds()
    load_before = os.getloadavg()
    own_before = _generator_cpu_s()
    started = time.perf_counter()
    sampler = server.PeakMemory(pid) if pid else contextlib.nullcontext()
    with sampler:
        visits, failures, seen = asyncio.run(_run(url, sessions, pace, route))
    peak = max(sampler.peak, rss_before) if pid else 0
    runnable = sampler.runnable if pid else []
    wall = time.perf_counter() - started
    cpu = (server.cpu_seconds(pid) - cpu_before) if pid else 0.0
    busy = server.machine_busy_seconds() - busy_before
    load_after = os.getloadavg()
    own = _generator_cpu_s() - own_before
    time.sleep(2.0)
    pages = report.page_figures(visits, failures)
    pages["warm_up_errors"] = dict(sorted(Counter(e for v in warm for e in v.run.errors).items()))
    if seen is not None:
        check = browser.compare(seen, warm + visits)
    return {
        "label": label,
        "url": url,
        "sessions": sessions,
        "pace": dataclasses.asdict(pace),
        "wall_s": wall,
        "warm_up": [{"page": v.run.page.name if v.run.page else "",
                     "seconds": round(v.run.seconds, 4), "errors": v.run.errors,
                     "server_cpu_s": round(cost, 4) if pid else None,
                     "received_bytes": v.run.received_bytes}
                    for v, cost in zip(warm, costs, strict=True)],
        "pages": pages,
        "server": {
            "measured": bool(pid),
            "rss_before_mb": rss_before / 2**20,
            "rss_peak_mb": peak / 2**20,
            "rss_after_mb": (server.rss_bytes(pid) if pid else 0) / 2**20,
            "cpu_s": cpu,
            # the Chromium session's pages are served too
            "pages_served": pages["page_runs"] + len(seen or []),
            "cpu_s_per_page": cpu / max(1, pages["page_runs"] + len(seen or [])),
        },
        "machine": {
            "cores": psutil.cpu_count() or 1,
            "loadavg_before": list(load_before),
            "loadavg_after": list(load_after),
            "busy_cpu_s": busy,
            "available_cpu_s": wall * (psutil.cpu_count() or 1),
            "generator_cpu_s": own,
            # threads running or ready on the machine, sampled every 0.5 s in the run
            "runnable_mean": statistics.mean(runnable) if runnable else None,
            "runnable_max": max(runnable) if runnable else None,
        },
        "browser": check,
        "visits": [{"person": v.person, "order": v.order, "at_s": round(v.started_s, 3),
                    "page": v.run.page.name if v.run.page else "",
                    "query_string": v.run.query_string, "seconds": round(v.run.seconds, 4),
                    "title": v.run.title, "received_bytes": v.run.received_bytes,
                    "errors": v.run.errors} for v in visits],
    }

