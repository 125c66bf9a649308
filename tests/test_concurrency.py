"""Readers and rebuilds at the same time: every page's set of queries sees one build.

Two small synthetic hubs (A and B) are built once; their answers to every query the
dashboard issues (metrics.queries.QUERIES with typical arguments, for every audience) are
the two known answer sets, keyed by build id. Then reader threads (through the app's
data layer, dashboard/data.py, caches included) and reader processes (a snapshot per
page, no cache) run "pages" (every query of an audience) while a writer swaps A and B
into the live path over and over. Each page's results must equal A's answers or B's
answers for the build id its snapshot reports: never an error, never a mix.

The CI run swaps prebuilt files with os.replace for ~8 s (longer on a loaded machine, see
GRACE_SECONDS); the slow run (`pytest -m slow`) has two processes rebuilding the live path
with metrics.build.build from the two extracts, for a minute. The reader processes start
from a bare `__main__` (tests/concurrency_support.py): after an AppTest test they used to
run the dashboard script on start-up and die.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
import sys
import threading
import time
import types
from pathlib import Path

import pandas as pd
import pytest

from metrics import queries
from tests.concurrency_support import spawn_pool

# one page's filters: 2026/27 Q1, the whole hub (a period every audience may ask for)
FILTERS = queries.Filters(dt.date(2026, 4, 1), dt.date(2026, 6, 1))
IGNORED_COLUMNS = {"built_at"}  # a rebuild of the same extract differs only in its time
# Readers read for a set time, then go on (for at most GRACE_SECONDS more) until they have
# the evidence the test needs: MIN_THREAD_PAGES pages over all reader threads and
# MIN_PROCESS_PAGES pages in each reader process, with every build seen. On an idle
# machine the set time is plenty; on a loaded 2-core runner a page can take seconds.
MIN_THREAD_PAGES = 6
MIN_PROCESS_PAGES = 2
GRACE_SECONDS = 12.0


def page_queries(audience: str) -> list[tuple[str, str, dict]]:
    """(key, query name, arguments) of every query the audience may run, as the app calls
    them: the registry's typical arguments."""
    calls = []
    for name, entry in queries.QUERIES.items():
        if audience not in entry.audiences:
            continue
        for i, kwargs in enumerate(entry.examples):
            calls.append((name if i == 0 else f"{name}[{i}]", name, kwargs))
    return calls


def digest(frame: pd.DataFrame) -> str:
    """A fingerprint of a result that ignores row order and the last bits of floats (a
    parallel sum may add in a different order)."""
    frame = frame.drop(columns=[c for c in frame.columns if c in IGNORED_COLUMNS])
    lines = frame.to_csv(index=False, float_format="%.9g").splitlines()
    return hashlib.sha256("\n".join([lines[0], *sorted(lines[1:])]).encode()).hexdigest()


def answer_set(snapshot_run, audience: str) -> dict[str, str]:
    """{query key: digest} of one page; a query the warehouse cannot answer gives its
    error's kind (the same for both builds)."""
    out = {}
    for key, name, kwargs in page_queries(audience):
        try:
            out[key] = digest(snapshot_run(name, audience, FILTERS, **kwargs))
        except (queries.NotInWarehouse, queries.NotPermitted) as exc:
            out[key] = type(exc).__name__
    return out


def known_answers(paths: list[Path]) -> dict[str, dict[str, dict[str, str]]]:
    """{build id: {audience: {query key: digest}}} for each prebuilt warehouse."""
    answers = {}
    for path in paths:
        snapshot = queries.WarehouseSnapshot(path)
        try:
            answers[snapshot.build_id] = {
                a: answer_set(snapshot.run, a) for a in queries.AUDIENCES
            }
        finally:
            snapshot.retire()
    return answers


def check_page(answers, build_id: str, audience: str, got: dict[str, str]) -> str | None:
    """None if the page equals the known answers of its build; else what differed."""
    expected = answers.get(build_id, {}).get(audience)
    if expected is None:
        return f"unknown build {build_id}"
    wrong = sorted(k for k in expected if got.get(k) != expected[k])
    return f"{build_id}/{audience}: {', '.join(wrong)}" if wrong else None


class Tally:
    """What the readers saw (shared by threads)."""

    def __init__(self, builds: int):
        self.builds = builds  # how many different builds the readers should see
        self.lock = threading.Lock()
        self.pages = 0
        self.by_build: dict[str, int] = {}
        self.problems: list[str] = []

    def add(self, build_id: str, problem: str | None) -> None:
        with self.lock:
            self.pages += 1
            self.by_build[build_id] = self.by_build.get(build_id, 0) + 1
            if problem:
                self.problems.append(problem)

    def error(self, exc: BaseException) -> None:
        with self.lock:
            self.problems.append(f"{type(exc).__name__}: {exc}")

    def done(self, until: float, deadline: float) -> bool:
        """Past the deadline; or past `until` with enough pages and every build seen."""
        now = time.monotonic()
        with self.lock:
            enough = self.pages >= MIN_THREAD_PAGES and len(self.by_build) >= self.builds
        return now >= deadline or (now >= until and enough)


def thread_reader(live: Path, answers, audience: str, until: float, deadline: float,
                  tally: Tally) -> None:
    """Pages through the app's data layer: a leased snapshot per page, cached results."""
    from dashboard import data

    while not tally.done(until, deadline):
        try:
            with data.leased_snapshot(str(live)) as snapshot:
                def run(name, who, filters, **kwargs):
                    return data.run(snapshot, who, name, filters, **kwargs)  # noqa: B023

                got = answer_set(run, audience)
                tally.add(snapshot.build_id, check_page(answers, snapshot.build_id,
                                                        audience, got))
        except Exception as exc:  # noqa: BLE001 - every error is a failure: record it
            tally.error(exc)


def process_reader(live: str, answers, audiences: tuple[str, ...], seconds: float
                   ) -> tuple[int, dict[str, int], list[str]]:
    """Pages in another process: its own snapshot per page, no cache. Reads for `seconds`,
    then on until it has MIN_PROCESS_PAGES pages and has seen every build (GRACE_SECONDS
    at most)."""
    pages, by_build, problems = 0, {}, []
    until = time.monotonic() + seconds
    deadline = until + GRACE_SECONDS
    i = 0
    while time.monotonic() < deadline and (
            time.monotonic() < until or pages < MIN_PROCESS_PAGES
            or len(by_build) < len(answers)):
        audience = audiences[i % len(audiences)]
        i += 1
        try:
            snapshot = queries.WarehouseSnapshot(live)
            try:
                got = answer_set(snapshot.run, audience)
            finally:
                snapshot.retire()
            pages += 1
            by_build[snapshot.build_id] = by_build.get(snapshot.build_id, 0) + 1
            problem = check_page(answers, snapshot.build_id, audience, got)
            if problem:
                problems.append(problem)
        except Exception as exc:  # noqa: BLE001 - every error is a failure: record it
            problems.append(f"{type(exc).__name__}: {exc}")
    return pages, by_build, problems


def swap_files(live: Path, sources: list[Path], stop: threading.Event, pause: float) -> int:
    """Copy the prebuilt files over the live path in turn (os.replace: atomic)."""
    swaps = 0
    while not stop.is_set():
        source = sources[swaps % len(sources)]
        staging = live.with_name(f".{live.name}.swap.tmp")
        shutil.copyfile(source, staging)
        os.replace(staging, live)
        swaps += 1
        time.sleep(pause)
    return swaps


def rebuild_loop(extract: str, live: str, stop_file: str) -> int:
    """Rebuild the live warehouse from one extract again and again (another process),
    until `stop_file` exists."""
    from metrics.build import build

    builds = 0
    while not Path(stop_file).exists():
        build(extract, live, threads=1)
        builds += 1
    return builds


@pytest.fixture(scope="module")
def hubs(tmp_path_factory) -> dict[str, Path]:
    """Two different small hubs, extracted and built: A (seed 1) and B (seed 2)."""
    from metrics.build import build
    from metrics.generate import generate

    folder = tmp_path_factory.mktemp("hubs")
    out = {}
    for name, seed in (("a", 1), ("b", 2)):
        generate(folder / name, referrals=1200, seed=seed, end="2026-09", quiet=True)
        out[f"{name}_extract"] = folder / name
        out[name] = build(folder / name, folder / f"{name}.duckdb", threads=1).db_path
    return out


@pytest.fixture(scope="module")
def answers(hubs):
    return known_answers([hubs["a"], hubs["b"]])


@pytest.fixture(autouse=True)
def quiet_streamlit():
    """Outside a Streamlit server the caches warn on every call; keep the output short."""
    logger = logging.getLogger("streamlit")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def test_the_two_builds_give_different_answers(answers):
    """Otherwise a mix could not be told apart from either build."""
    assert len(answers) == 2
    a, b = answers.values()
    for audience in queries.AUDIENCES:
        differing = [k for k in a[audience] if a[audience][k] != b[audience][k]]
        # build_info differs by build id; the indicator queries by their figures
        assert "build_info" in differing
        assert "indicator_summary" in differing
        assert "indicator_trend" in differing


def test_a_snapshot_keeps_reading_its_build_after_a_swap(hubs, answers, tmp_path):
    live = tmp_path / "live.duckdb"
    shutil.copyfile(hubs["a"], live)
    snapshot = queries.WarehouseSnapshot(live)
    staging = tmp_path / "staging.duckdb"
    shutil.copyfile(hubs["b"], staging)
    os.replace(staging, live)
    try:
        got = answer_set(snapshot.run, "manager")
        assert check_page(answers, snapshot.build_id, "manager", got) is None
        fresh = queries.WarehouseSnapshot(live)
        assert fresh.build_id != snapshot.build_id
        fresh.retire()
    finally:
        snapshot.retire()


def test_a_retired_snapshot_closes_only_when_its_last_lease_ends(hubs):
    snapshot = queries.WarehouseSnapshot(hubs["a"])
    assert snapshot.acquire()
    snapshot.retire()
    assert not snapshot.closed
    assert not snapshot.acquire()  # no new leases once retired
    # the page holding the lease can still finish its queries
    assert not snapshot.run("build_info", "manager").empty
    snapshot.release()
    assert snapshot.closed
    with pytest.raises(queries.SnapshotClosed):
        snapshot.run("build_info", "manager")


def test_the_data_layer_opens_a_new_snapshot_when_the_cached_one_was_retired(hubs, tmp_path):
    from dashboard import data

    live = tmp_path / "live.duckdb"
    shutil.copyfile(hubs["a"], live)
    with data.leased_snapshot(str(live)) as first:
        data._snapshot.clear()  # the cache lets go of it (as on eviction) mid-page
        assert not first.closed
        assert not data.run(first, "manager", "build_info").empty
    assert first.closed
    with data.leased_snapshot(str(live)) as second:
        assert second is not first and not second.closed
        assert second.build_id == first.build_id


def test_a_page_sees_one_build_even_if_the_file_is_swapped_mid_page(hubs, answers, tmp_path,
                                                                   monkeypatch):
    """The swap happens between two queries of the same page (deterministically)."""
    from dashboard import data

    live = tmp_path / "live.duckdb"
    shutil.copyfile(hubs["a"], live)
    a_id = queries.WarehouseSnapshot(live)
    a_build = a_id.build_id
    a_id.retire()
    real = queries.QUERIES["indicator_trend"]
    swapped = []

    def swap_then_run(con, audience, filters=None, **kwargs):
        if not swapped:
            staging = tmp_path / "staging.duckdb"
            shutil.copyfile(hubs["b"], staging)
            os.replace(staging, live)
            swapped.append(True)
        return real.function(con, audience, filters, **kwargs)

    monkeypatch.setitem(queries.QUERIES, "indicator_trend",
                        queries.Query("indicator_trend", swap_then_run, real.audiences,
                                      real.examples))
    with data.leased_snapshot(str(live)) as snapshot:
        got = answer_set(lambda n, a, f, **k: data.run(snapshot, a, n, f, **k), "pcc")
    assert swapped
    assert snapshot.build_id == a_build
    assert check_page(answers, a_build, "pcc", got) is None
    with data.leased_snapshot(str(live)) as after:
        assert after.build_id != a_build  # the next page reads the new build


def run_readers(live: Path, answers, seconds: float, threads: int, processes: int,
                writer) -> dict:
    """Readers (threads and processes, `seconds` each from their own start, see
    GRACE_SECONDS) while `writer(stop)` swaps builds in another thread until every reader
    has finished."""
    tally = Tally(builds=len(answers))
    stop = threading.Event()
    swaps: list[int] = []
    writing = threading.Thread(target=lambda: swaps.append(writer(stop)))
    started = time.monotonic()
    writing.start()
    try:
        with spawn_pool(processes) as pool:
            futures = [pool.submit(process_reader, str(live), answers,
                                   (queries.AUDIENCES[i % 3], "manager"), seconds)
                       for i in range(processes)]
            until = time.monotonic() + seconds
            workers = [
                threading.Thread(target=thread_reader,
                                 args=(live, answers, queries.AUDIENCES[i % 3], until,
                                       until + GRACE_SECONDS, tally))
                for i in range(threads)
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            process_pages, process_builds = 0, {}
            for future in futures:
                pages, by_build, problems = future.result(timeout=seconds + GRACE_SECONDS
                                                          + 300)
                process_pages += pages
                for build_id, n in by_build.items():
                    process_builds[build_id] = process_builds.get(build_id, 0) + n
                tally.problems.extend(problems)
    finally:
        stop.set()
        writing.join()
    return {"swaps": swaps[0] if swaps else 0, "thread_pages": tally.pages,
            "thread_builds": tally.by_build, "process_pages": process_pages,
            "process_builds": process_builds, "problems": tally.problems,
            "seconds": time.monotonic() - started}


def assert_consistent(outcome: dict, answers, min_swaps: int) -> None:
    print(f"\nconcurrency: {outcome['swaps']} swaps; thread pages {outcome['thread_pages']} "
          f"{outcome['thread_builds']}; process pages {outcome['process_pages']} "
          f"{outcome['process_builds']}; {outcome['seconds']:.1f} s")
    assert outcome["problems"] == [], outcome["problems"][:5]
    assert outcome["swaps"] >= min_swaps
    # both builds were read, by threads and by processes: the swaps happened under them
    assert set(outcome["thread_builds"]) == set(answers)
    assert set(outcome["process_builds"]) == set(answers)
    assert outcome["thread_pages"] >= MIN_THREAD_PAGES
    assert outcome["process_pages"] >= 2 * MIN_PROCESS_PAGES  # two reader processes


def test_a_reader_pool_starts_even_after_an_app_test_left_its_script_as_main(
        tmp_path, monkeypatch):
    """Streamlit's AppTest leaves the app it ran installed as `__main__` (a module with
    the app's `__file__`), and a spawned process runs the parent's main script before any
    task: the app raised there and the reader pool broke (BrokenProcessPool) whenever an
    app test had run earlier in the session. Here `__main__` is such a leftover whose
    script exits with status 3; the pool's workers must not run it."""
    script = tmp_path / "leftover_app.py"
    script.write_text("raise SystemExit(3)\n")
    leftover = types.ModuleType("__main__")
    leftover.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", leftover)
    with spawn_pool(2) as pool:
        pids = {pool.submit(os.getpid).result(timeout=120) for _ in range(4)}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2
    assert sys.modules["__main__"] is leftover  # put back as it was found


# several readers during repeated rebuilds and swaps: make test-all
@pytest.mark.slow
def test_readers_see_one_build_per_page_while_files_are_swapped(hubs, answers, tmp_path):
    live = tmp_path / "live.duckdb"
    shutil.copyfile(hubs["a"], live)
    outcome = run_readers(
        live, answers, seconds=8, threads=3, processes=2,
        writer=lambda stop: swap_files(live, [hubs["b"], hubs["a"]], stop, pause=0.05),
    )
    assert_consistent(outcome, answers, min_swaps=20)


@pytest.mark.slow
def test_readers_see_one_build_per_page_while_two_rebuilds_run(hubs, answers, tmp_path):
    """Two processes rebuild the live path from extracts A and B (metrics.build.build)
    for a minute while 4 reader threads and 2 reader processes page through it."""
    live = tmp_path / "live.duckdb"
    shutil.copyfile(hubs["a"], live)
    seconds = 60.0

    def writer(stop: threading.Event) -> int:
        stop_file = tmp_path / "stop"
        with spawn_pool(2) as pool:
            builds = [pool.submit(rebuild_loop, str(hubs[f"{n}_extract"]), str(live),
                                  str(stop_file)) for n in ("b", "a")]
            stop.wait()
            stop_file.touch()
            return sum(f.result() for f in builds)

    outcome = run_readers(live, answers, seconds=seconds, threads=4, processes=2,
                          writer=writer)
    assert_consistent(outcome, answers, min_swaps=6)
