"""Run `hubvalue serve` on a free local port for a test (no tests here): ``running`` starts a
command from the project folder, waits until Streamlit's health check answers, yields the URL
and stops the server after. The free port and the health check are the load generator's
(`metrics.loadgen.server`)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from metrics.loadgen.server import free_port, wait_healthy

__all__ = ["ROOT", "free_port", "running", "serve_command", "wait_healthy"]

ROOT = Path(__file__).resolve().parents[1]


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
