"""One build at a time per warehouse: an exclusive ``flock`` on ``<name>.build.lock``.

The lock file sits beside the warehouse, is created owner-only (0600) and is never
removed (removing it would let a third build lock a new file while the second still
holds the old one). The kernel releases the lock when the holding process ends, even
when it is killed, so a crashed build never blocks the next one. ``flock`` locks are
reliable on local disks; on a network share they may not be (docs/security.md).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from metrics.refusals import BuildLocked

POLL_SECONDS = 0.2
# How long a build waits for another build on the same warehouse to finish before it gives
# up ("another build is running"): a 10M-referral build takes a few minutes.
DEFAULT_WAIT_SECONDS = 600.0


def lock_path_for(db_path: str | Path) -> Path:
    """data/warehouse.duckdb -> data/warehouse.build.lock"""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + ".build.lock")


@contextlib.contextmanager
def build_lock(db_path: str | Path, wait_seconds: float = 0.0) -> Iterator[Path]:
    """Hold the warehouse's build lock for the ``with`` block. Waits up to
    ``wait_seconds`` for another build to finish, then raises BuildLocked."""
    path = lock_path_for(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        with contextlib.suppress(PermissionError):  # a file another user made stays theirs
            os.fchmod(fd, 0o600)
        deadline = time.monotonic() + max(0.0, wait_seconds)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    waited = f" (waited {wait_seconds:g} s)" if wait_seconds else ""
                    raise BuildLocked(
                        f"another build is running on {Path(db_path).name}{waited}; "
                        "try again when it has finished"
                    ) from None
                time.sleep(POLL_SECONDS)
        try:
            yield path
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
