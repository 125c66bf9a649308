"""The server under load: start ``hubvalue serve`` on loopback, and read what it costs.

Memory is the resident set (RSS) of the server's whole process tree (``hubvalue
serve`` and the Streamlit process it starts), sampled in a thread so the peak is
seen; CPU is the user and system seconds of that tree.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil

PROJECT_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server stopped while starting")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"the server did not start within {seconds:.0f} seconds")


@contextlib.contextmanager
def served(db: Path, audience: str = "manager", port: int | None = None,
           app_env: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """Run ``hubvalue serve`` on 127.0.0.1 for the warehouse; yield (url, pid); stop it."""
    port = port or free_port()
    # the server runs in the project folder: a path relative to the caller's folder would
    # name another file there (the app would open on its "no warehouse" page)
    command = [sys.executable, "-m", "metrics.cli", "serve", "--db", str(Path(db).resolve()),
               "--port",
               str(port), "--audience", audience, "--headless"]
    env = {**os.environ, **(app_env or {})}
    env["PYTHONPATH"] = str(PROJECT_DIR) + (os.pathsep + env["PYTHONPATH"]
                                            if env.get("PYTHONPATH") else "")
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def rss_bytes(pid: int) -> int:
    """Resident bytes of the process and every process under it."""
    total = 0
    for process in _tree(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += process.memory_info().rss
    return total


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of the process and every process under it."""
    total = 0.0
    for process in _tree(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def machine_busy_seconds() -> float:
    """CPU seconds all cores have spent busy since boot (not idle or waiting for I/O)."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def runnable_tasks() -> int | None:
    """Threads running or ready to run on the whole machine now (Linux), or None."""
    try:
        field = Path("/proc/loadavg").read_text().split()[3]
        return int(field.split("/")[0])
    except (OSError, IndexError, ValueError):
        return None


class PeakMemory:
    """Samples the server's RSS every ``every_s`` seconds in a thread and keeps the
    peak; samples the machine's runnable threads alongside (how contended it is)."""

    def __init__(self, pid: int, every_s: float = 0.5):
        self.pid = pid
        self.every_s = every_s
        self.peak = 0
        self.runnable: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(psutil.Error):
                self.peak = max(self.peak, rss_bytes(self.pid))
            tasks = runnable_tasks()
            if tasks is not None:
                self.runnable.append(tasks)
            self._stop.wait(self.every_s)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
