#!/usr/bin/env python3
"""Page-load times of the dashboard in a real browser, with the server's CPU and memory.

Starts `hubvalue serve` on a free port (or uses --url/--pid of a running one), drives
Debian's Chromium (/usr/bin/chromium, headless) with Playwright and, for each of the 9
pages, reports the first visit and the median of several revisits, and the server's CPU
seconds per page (the `hubvalue serve` process and its Streamlit child, with psutil).

A page counts as loaded when: the app is connected; Streamlit's script has finished
(`data-test-script-state=notRunning`, no running status widget); the page's title is
drawn; no skeleton placeholder is left; every Plotly chart has drawn its SVG; and the
page's DOM has then been quiet for --quiet ms. The load time runs from the start of the
navigation to the last DOM change before that quiet spell (the quiet spell itself is not
counted).

Two ways to visit a page (--mode):
  goto   a new page load at the page's address (a new Streamlit session each time: the
         frontend starts, connects and the page runs; the browser caches static files);
  click  the sidebar link in one session (what a user does after opening the app).

With --sessions N (N > 1) it opens one Chromium with N contexts that each visit every
page --rounds times at once and reports p50/p95 per page and overall, and the server's
peak resident memory.

Examples:
  .venv/bin/python scripts/measure_pages.py --db /tmp/dash1m.duckdb --revisits 5
  .venv/bin/python scripts/measure_pages.py --db /tmp/dash1m.duckdb --sessions 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil
from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               "--disable-dev-shm-usage"]
# (address, title of the page's first heading), in sidebar order
PAGES = [
    ("scorecard", "Public value scorecard"),
    ("wellbeing", "Victim wellbeing"),
    ("prevention", "Prevention"),
    ("nhs_demand", "NHS demand"),
    ("value_for_money", "Value for money"),
    ("operations", "Hub operations"),
    ("equity", "Equity and reach"),
    ("data_quality", "Data quality"),
    ("methods", "Methods"),
]
# Installed in every document before Streamlit's own scripts: the time of the last change
# to the page (performance.now()), so the load time can end at the last change.
WATCH_MUTATIONS = """
(() => {
  window.__lastChange = performance.now();
  const start = () => {
    new MutationObserver(() => {
      window.__lastChange = performance.now();
      const app = document.querySelector("[data-testid='stApp']");
      if (!app) return;
      if (!window.__connectedAt && app.dataset.testConnectionState === 'CONNECTED')
        window.__connectedAt = performance.now();
      const state = app.dataset.testScriptState;
      if (state !== window.__scriptState) {
        window.__scriptState = state;
        if (state === 'notRunning') window.__scriptDoneAt = performance.now();
      }
    })
      .observe(document.documentElement,
               {childList: true, subtree: true, characterData: true, attributes: true,
                attributeFilter: ['class', 'style', 'data-test-script-state',
                                  'data-stale', 'hidden',
                                  'data-test-connection-state']});
  };
  if (document.documentElement) start();
  else document.addEventListener('readystatechange', start, {once: true});
})();
"""
# true when the page looks finished (the quiet spell is checked in Python)
FINISHED = """(title) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.dataset.testConnectionState !== 'CONNECTED'
      || app.dataset.testScriptState !== 'notRunning') return null;
  if (document.querySelector("[data-testid='stSkeleton']")) return null;
  if (document.querySelector(
        "[data-testid='stStatusWidget'] [data-testid='stStatusWidgetRunningIcon']"))
    return null;
  const heading = document.querySelector("[data-testid='stMain'] h1");
  if (!heading || heading.innerText.trim() !== title) return null;
  const charts = document.querySelectorAll("[data-testid='stPlotlyChart']").length;
  const drawn = document.querySelectorAll(
    "[data-testid='stPlotlyChart'] .js-plotly-plot .main-svg").length;
  if (drawn < charts) return null;
  return {last: performance.timeOrigin + window.__lastChange,
          now: performance.timeOrigin + performance.now(),
          connected: window.__connectedAt ? performance.timeOrigin + window.__connectedAt
                                          : null,
          scriptDone: window.__scriptDoneAt ? performance.timeOrigin + window.__scriptDoneAt
                                            : null,
          charts: charts,
          svgs: document.querySelectorAll("[data-testid='stMain'] svg").length,
          nodes: document.querySelectorAll("[data-testid='stMain'] *").length,
          errors: document.querySelectorAll("[data-testid='stException']").length};
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def server_cpu(pid: int) -> float:
    total = 0.0
    for process in server_tree(pid):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def server_rss_mb(pid: int) -> float:
    total = 0
    for process in server_tree(pid):
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / 2**20


class PeakMemory:
    """The server's peak resident memory, sampled every 0.2 s in a thread."""

    def __init__(self, pid: int):
        self.pid, self.peak = pid, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, server_rss_mb(self.pid))
            time.sleep(0.2)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def start_server(db: Path, audience: str, project: Path = ROOT
                 ) -> tuple[subprocess.Popen, str]:
    """`hubvalue serve` from `project` (this checkout, or another one to compare with)."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(project)}
    process = subprocess.Popen(
        [sys.executable, "-m", "metrics.cli", "serve", "--db", str(db), "--port", str(port),
         "--audience", audience, "--headless"],
        cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.read() == b"ok":
                    return process, url
        except OSError:
            time.sleep(0.25)
    stop_server(process)
    raise SystemExit("the dashboard did not start within 60 seconds")


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


async def wait_finished(tab, title: str, quiet_ms: float, timeout_s: float) -> dict:
    """Poll until the page is finished and has been quiet for `quiet_ms`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            state = await tab.evaluate(FINISHED, title)
        except Exception:  # noqa: BLE001 - the document is being replaced
            state = None
        if state and state["now"] - state["last"] >= quiet_ms:
            return state
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{title}: not finished within {timeout_s:.0f} s")


async def visit(tab, url: str, address: str, title: str, mode: str, quiet_ms: float,
                timeout_s: float, pid: int | None) -> dict:
    """One page load; seconds from the navigation to the page's last change."""
    cpu_before = server_cpu(pid) if pid else 0.0
    started = time.time() * 1000
    if mode == "goto":
        await tab.goto(f"{url}/{'' if address == 'scorecard' else address}",
                       wait_until="commit")
    else:
        await tab.locator("[data-testid='stSidebarNav']").get_by_role(
            "link", name=title, exact=True).click()
    state = await wait_finished(tab, title, quiet_ms, timeout_s)
    cpu = (server_cpu(pid) - cpu_before) if pid else float("nan")
    connected, done = state["connected"], state["scriptDone"]
    return {"page": address, "seconds": (state["last"] - started) / 1000,
            "script_done_s": (done - started) / 1000 if done and done > started else None,
            "connect_s": ((connected - started) / 1000
                          if mode == "goto" and connected and connected > started else None),
            "server_cpu_s": cpu, "charts": state["charts"], "svgs": state["svgs"],
            "nodes": state["nodes"], "errors": state["errors"]}


async def new_tab(browser, timeout_s: float):
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(timeout_s * 1000)
    await context.add_init_script(WATCH_MUTATIONS)
    return context, await context.new_page()


async def one_session(browser, url: str, args, pid: int | None) -> list[dict]:
    """First visits in sidebar order, then `revisits` rounds over every page."""
    context, tab = await new_tab(browser, args.timeout)
    loads = []
    try:
        if args.mode == "click":  # open the app once; every visit is then a sidebar click
            await tab.goto(url, wait_until="commit")
            await wait_finished(tab, PAGES[0][1], args.quiet, args.timeout)
            await tab.goto(f"{url}/methods", wait_until="commit")
            await wait_finished(tab, "Methods", args.quiet, args.timeout)
        for round_ in range(1 + args.revisits):
            for address, title in PAGES:
                if args.pages and address not in args.pages:
                    continue
                load = await visit(tab, url, address, title, args.mode, args.quiet,
                                   args.timeout, pid)
                load["round"] = round_
                loads.append(load)
                if args.verbose:
                    print(f"  round {round_} {address:16s} {load['seconds']:6.2f} s  "
                          f"cpu {load['server_cpu_s']:.2f} s  "
                          f"connect {load['connect_s'] or 0:.2f} s  "
                          f"script done {load['script_done_s'] or 0:.2f} s  "
                          f"charts {load['charts']} svgs {load['svgs']} "
                          f"nodes {load['nodes']}", file=sys.stderr)
    finally:
        await context.close()
    return loads


async def concurrent_sessions(browser, url: str, args) -> list[dict]:
    results = await asyncio.gather(*(one_session(browser, url, args, None)
                                     for _ in range(args.sessions)))
    return [load for loads in results for load in loads]


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def summarise_single(loads: list[dict]) -> list[dict]:
    rows = []
    for address, _title in PAGES:
        mine = [x for x in loads if x["page"] == address]
        if not mine:
            continue
        first = [x for x in mine if x["round"] == 0][0]
        again = [x for x in mine if x["round"] > 0]
        rows.append({
            "page": address, "first_s": first["seconds"],
            "first_cpu_s": first["server_cpu_s"],
            "revisit_median_s": statistics.median(x["seconds"] for x in again) if again else None,
            "revisit_min_s": min(x["seconds"] for x in again) if again else None,
            "revisit_max_s": max(x["seconds"] for x in again) if again else None,
            "revisit_cpu_median_s": (statistics.median(x["server_cpu_s"] for x in again)
                                     if again else None),
            "revisit_connect_median_s": (
                statistics.median(x["connect_s"] for x in again)
                if again and all(x["connect_s"] is not None for x in again) else None),
            "revisit_script_done_median_s": (
                statistics.median(x["script_done_s"] for x in again)
                if again and all(x["script_done_s"] is not None for x in again) else None),
            "charts": first["charts"], "svgs": first["svgs"], "nodes": first["nodes"],
            "errors": sum(x["errors"] for x in mine),
        })
    return rows


def print_single(rows: list[dict]) -> None:
    print(f"{'page':16s} {'first':>7s} {'cpu':>5s} {'revisit':>8s} {'min':>6s} {'max':>6s} "
          f"{'cpu':>5s} {'connect':>7s} {'script':>6s} {'charts':>6s} {'svgs':>5s} {'nodes':>6s}")
    for r in rows:
        def num(v, width=6):
            return f"{v:{width}.2f}" if v is not None else " " * (width - 1) + "-"
        print(f"{r['page']:16s} {num(r['first_s'], 7)} {num(r['first_cpu_s'], 5)} "
              f"{num(r['revisit_median_s'], 8)} {num(r['revisit_min_s'])} "
              f"{num(r['revisit_max_s'])} {num(r['revisit_cpu_median_s'], 5)} "
              f"{num(r['revisit_connect_median_s'], 7)} "
              f"{num(r['revisit_script_done_median_s'])} "
              f"{r['charts']:6d} {r['svgs']:5d} {r['nodes']:6d}"
              + (f"  ERRORS {r['errors']}" if r["errors"] else ""))


def summarise_many(loads: list[dict]) -> dict:
    out = {"all": {}, "pages": {}}
    for label, chosen in (("first", [x for x in loads if x["round"] == 0]),
                          ("revisit", [x for x in loads if x["round"] > 0])):
        seconds = [x["seconds"] for x in chosen]
        if seconds:
            out["all"][label] = {"n": len(seconds), "p50_s": statistics.median(seconds),
                                 "p95_s": percentile(seconds, 0.95), "max_s": max(seconds)}
    for address, _title in PAGES:
        seconds = [x["seconds"] for x in loads if x["page"] == address and x["round"] > 0]
        if seconds:
            out["pages"][address] = {"p50_s": statistics.median(seconds),
                                     "p95_s": percentile(seconds, 0.95)}
    out["errors"] = sum(x["errors"] for x in loads)
    return out


async def main_async(args) -> dict:
    process = None
    if args.url:
        url, pid = args.url.rstrip("/"), args.pid
    else:
        process, url = start_server(Path(args.db).resolve(), args.audience,
                                    Path(args.project).resolve())
        pid = process.pid
    figures = {"mode": args.mode, "sessions": args.sessions, "revisits": args.revisits,
               "quiet_ms": args.quiet, "load_before": os.getloadavg()}
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=LAUNCH_ARGS)
            try:
                if pid:
                    figures["rss_start_mb"] = server_rss_mb(pid)
                if args.sessions <= 1:
                    loads = await one_session(browser, url, args, pid)
                    figures["pages"] = summarise_single(loads)
                else:
                    if args.warm:
                        warm = argparse.Namespace(**{**vars(args), "revisits": 0})
                        await one_session(browser, url, warm, None)
                    cpu_before = server_cpu(pid) if pid else 0.0
                    with PeakMemory(pid) if pid else _NoPeak() as peak:
                        started = time.perf_counter()
                        loads = await concurrent_sessions(browser, url, args)
                        figures["wall_s"] = time.perf_counter() - started
                    figures["summary"] = summarise_many(loads)
                    if pid:
                        figures["rss_peak_mb"] = peak.peak
                        cpu = server_cpu(pid) - cpu_before
                        figures["server_cpu_s_per_page"] = cpu / len(loads)
                if pid:
                    figures["rss_end_mb"] = server_rss_mb(pid)
            finally:
                await browser.close()
    finally:
        if process is not None:
            stop_server(process)
    figures["load_after"] = os.getloadavg()
    return figures


class _NoPeak:
    peak = float("nan")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=str(ROOT / "data" / "warehouse.duckdb"))
    parser.add_argument("--audience", default="manager", choices=["manager", "pcc", "public"])
    parser.add_argument("--project", default=str(ROOT),
                        help="serve the dashboard of this checkout (to compare versions)")
    parser.add_argument("--url", help="measure a server that is already running")
    parser.add_argument("--pid", type=int, help="with --url: the server's process id")
    parser.add_argument("--mode", choices=["goto", "click"], default="goto")
    parser.add_argument("--revisits", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=1)
    parser.add_argument("--warm", action="store_true",
                        help="with --sessions: one session visits every page first")
    parser.add_argument("--pages", nargs="*", help="only these pages (addresses)")
    parser.add_argument("--quiet", type=float, default=400.0, help="quiet spell, ms")
    parser.add_argument("--timeout", type=float, default=180.0, help="per page, seconds")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if args.sessions > 1:
        args.verbose = False
    figures = asyncio.run(main_async(args))
    print(f"mode {args.mode}; load average before {figures['load_before'][0]:.2f}, "
          f"after {figures['load_after'][0]:.2f}")
    if "pages" in figures:
        print_single(figures["pages"])
    else:
        s = figures["summary"]
        print(f"{args.sessions} sessions x {len(args.pages or PAGES)} pages x "
              f"{1 + args.revisits} rounds in {figures['wall_s']:.1f} s; errors {s['errors']}")
        for label, r in s["all"].items():
            print(f"  {label:8s} n={r['n']:3d} p50 {r['p50_s']:.2f} s  p95 {r['p95_s']:.2f} s  "
                  f"max {r['max_s']:.2f} s")
        for page, r in s["pages"].items():
            print(f"  {page:16s} revisit p50 {r['p50_s']:.2f} s  p95 {r['p95_s']:.2f} s")
        if "rss_peak_mb" in figures:
            print(f"  server RSS start {figures['rss_start_mb']:.0f} MB, peak "
                  f"{figures['rss_peak_mb']:.0f} MB, end {figures['rss_end_mb']:.0f} MB; "
                  f"server CPU {figures['server_cpu_s_per_page']:.2f} s per page")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
