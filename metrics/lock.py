"""One build at a time per warehouse: an exclusive ``flock`` on ``<name>.build.lock``.

The lock file sits beside the warehouse, is created owner-only (0600) and exists only
while a build holds it: the holder removes it before letting go, and a build that has
just locked a file checks that it is still the one at that path (not one removed by the
build before), so two builds can never hold "the" lock at once. The kernel releases the
lock when the holding process ends, even when it is killed, so a crashed build never
blocks the next one (its empty lock file is taken over). ``flock`` locks are reliable on
local disks; on a network share they may not be (docs/security.md).
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


def _is_current(fd: int, path: Path) -> bool:
    """Whether the locked file ``fd`` is still the file at ``path``."""
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def _try_lock(path: Path) -> int | None:
    """The descriptor of the lock file at ``path``, locked; None if another build has it."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        except BaseException:
            os.close(fd)
            raise
        if _is_current(fd, path):
            return fd
        os.close(fd)  # the build before removed it as we locked it: lock the new one


@contextlib.contextmanager
def build_lock(db_path: str | Path, wait_seconds: float = 0.0) -> Iterator[Path]:
    """Hold the warehouse's build lock for the ``with`` block. Waits up to
    ``wait_seconds`` for another build to finish, then raises BuildLocked."""
    path = lock_path_for(db_path)
    deadline = time.monotonic() + max(0.0, wait_seconds)
    while (fd := _try_lock(path)) is None:
        if time.monotonic() >= deadline:
            waited = f" (waited {wait_seconds:g} s)" if wait_seconds else ""
            raise BuildLocked(
                f"another build is running on {Path(db_path).name}{waited}; "
                "try again when it has finished"
            )
        time.sleep(POLL_SECONDS)
    try:
        with contextlib.suppress(PermissionError):  # a file another user made stays theirs
            os.fchmod(fd, 0o600)
        yield path
    finally:
        try:
            path.unlink(missing_ok=True)  # while still locked: see the module's note
        finally:
            os.close(fd)
