"""Shared test settings and fixtures.

* Hypothesis profiles: `default` keeps `make test` fast; `ci` and `long` run more examples
  (`make test-all` loads `ci`; `pytest --hypothesis-profile=long -m slow` for the long runs).
* Warehouses built once per test run and shared by the modules that need them: each is a
  build's output on disk under pytest's temporary folder, built by whichever process comes
  first (with `pytest -n 2` the two workers share it; a file lock makes the other wait), and
  only read afterwards (a test that changes one copies it first). Test modules never import
  each other: helpers live in the tests/*_support.py modules, shared fixtures here.
* pytest's own `__main__` kept in place after Streamlit's AppTest.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile("default", max_examples=50, deadline=None,
                          suppress_health_check=_SLOW_OK)
settings.register_profile("ci", max_examples=200, deadline=None, suppress_health_check=_SLOW_OK)
settings.register_profile("long", max_examples=2000, deadline=None, suppress_health_check=_SLOW_OK)
settings.load_profile("default")

CORPUS = Path(__file__).resolve().parent / "corpus"
BASELINE_EXTRACT = CORPUS / "valid_baseline" / "extract"


def pytest_collection_modifyitems(config, items):
    """The Spark differential test first when it is selected (`make test`, or alone in
    `make test-spark`): it is the longest (about a minute and a half of a JVM beside the worker), so with
    pytest-xdist it starts at once on one worker while the other takes the rest, rather
    than last and alone (docs/testing.md)."""
    items.sort(key=lambda item: item.get_closest_marker("spark") is None)


_MAIN_MODULE = sys.modules.get("__main__")  # pytest's own, before any test ran


@pytest.fixture(autouse=True)
def _restore_main_module():
    """Streamlit's AppTest installs the app it ran as sys.modules["__main__"] and never puts
    the real one back; a process spawned later would run the app script on start-up."""
    yield
    if _MAIN_MODULE is not None and sys.modules.get("__main__") is not _MAIN_MODULE:
        sys.modules["__main__"] = _MAIN_MODULE


# --- warehouses built once per run ---------------------------------------------------------


def built_once(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """``make(folder)`` run once per test run, however many xdist workers ask; the folder.

    The folder sits beside the workers' own temporary folders (in the run's base folder);
    an exclusive lock on ``name.lock`` there lets the first process build while the others
    wait, and ``name.done`` marks a finished build (a half-built folder is built again)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by every worker of this run
    folder, done = root / name, root / f"{name}.done"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir()
                make(folder)
                done.touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return folder


@pytest.fixture(scope="session")
def baseline_build(tmp_path_factory) -> Path:
    """The folder of a good warehouse built by `build` from the corpus's ``valid_baseline``
    extract: ``w.duckdb``, its quarantine store and its archive of public releases. Read it
    or copy it; never build over it (see ``baseline_copy``)."""
    from metrics.build import build

    return built_once(
        tmp_path_factory, "baseline", lambda folder: build(BASELINE_EXTRACT, folder / "w.duckdb")
    )


@pytest.fixture
def baseline_copy(baseline_build, tmp_path) -> Path:
    """A test's own copy of the baseline warehouse folder (``.../warehouse/w.duckdb``), byte
    for byte the build's output: what a failed build must leave unchanged."""
    folder = tmp_path / "warehouse"
    shutil.copytree(baseline_build, folder)
    return folder / "w.duckdb"


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    """The demo hub `make run` serves (20,000 synthetic referrals over 36 months to October
    2026, seed 7), generated and built once. Read-only: the reports and the browser tests
    only read it."""
    from metrics.build import build
    from metrics.generate import generate

    def make(folder: Path) -> None:
        generate(folder / "extract", referrals=20000, seed=7, end="2026-10", months=36,
                 quiet=True)
        build(folder / "extract", folder / "demo.duckdb")

    return built_once(tmp_path_factory, "demo", make) / "demo.duckdb"


@pytest.fixture(scope="session")
def small_hub(tmp_path_factory) -> Path:
    """A small generated hub (600 referrals over 36 months to November 2026, seed 3),
    generated and built once: the one-figure and period-figure tests read it. Read-only."""
    from metrics.build import build
    from metrics.generate import generate

    def make(folder: Path) -> None:
        generate(folder / "extract", referrals=600, seed=3, end="2026-11", months=36,
                 quiet=True)
        build(folder / "extract", folder / "w.duckdb")

    return built_once(tmp_path_factory, "small_hub", make) / "w.duckdb"
