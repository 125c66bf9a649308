"""Worker processes for the concurrency tests that start clean, whatever ran before them.

A "spawn" child first runs the parent's main script (the file of
``sys.modules["__main__"]``) as ``__mp_main__`` before it does any work. In a test
session that script is not always pytest: Streamlit's AppTest (tests/test_access.py,
tests/test_app_pages.py and others) runs dashboard/app.py by installing a module named
``__main__`` with ``__file__`` set to the app in ``sys.modules`` and never puts pytest's
back. Every process spawned after it ran the whole dashboard script on start-up; outside
a Streamlit server and without a warehouse that script raises, the child exits with code
1 before it reads its first task, and the pool fails with BrokenProcessPool.

The pools here are started with a bare ``__main__`` (no file, no module name), so a child
imports only the modules of the functions it is sent (tests.test_concurrency,
metrics.build), never a script.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import sys
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager


class _BareMain:
    """Swaps ``__main__`` for an empty module while any user holds it (threads may nest:
    the rebuild test's writer pool and its reader pool overlap), then puts it back."""

    def __init__(self):
        self._lock = threading.Lock()
        self._holders = 0
        self._saved: types.ModuleType | None = None

    def enter(self) -> None:
        with self._lock:
            if self._holders == 0:
                self._saved = sys.modules.get("__main__")
                sys.modules["__main__"] = types.ModuleType("__main__")
            self._holders += 1

    def leave(self) -> None:
        with self._lock:
            self._holders -= 1
            if self._holders == 0:
                if self._saved is None:
                    sys.modules.pop("__main__", None)
                else:
                    sys.modules["__main__"] = self._saved
                self._saved = None


_BARE_MAIN = _BareMain()


@contextmanager
def bare_main() -> Iterator[None]:
    """Within the block, ``__main__`` is an empty module: spawn children import no script."""
    _BARE_MAIN.enter()
    try:
        yield
    finally:
        _BARE_MAIN.leave()


@contextmanager
def spawn_pool(workers: int) -> Iterator[concurrent.futures.ProcessPoolExecutor]:
    """A pool of up to `workers` spawned processes, shut down on exit.

    The pool starts its processes on demand (on a submit), so ``__main__`` stays bare for
    the pool's whole life, not only while it is created."""
    context = multiprocessing.get_context("spawn")
    with bare_main(), concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        yield pool
