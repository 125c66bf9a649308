"""Run `hubvalue serve` on a free local port for a test (no tests here): ``running`` starts a
command from the project folder, waits until Streamlit's health check answers, yields the URL
and stops the server after."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server stopped while starting")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"the server did not start within {seconds:.0f} seconds")


@contextlib.contextmanager
def running(command: list[str], port: int, env: dict | None = None):
    """Run a server command from the project folder; yield its URL; stop it after."""
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve_command(db: Path, audience: str, port: int) -> list[str]:
    return [sys.executable, "-m", "metrics.cli", "serve", "--db", str(db), "--port",
            str(port), "--audience", audience, "--headless"]
