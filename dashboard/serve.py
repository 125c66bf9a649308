"""``hubvalue serve``: run the Streamlit dashboard on one warehouse for one audience.

The audience is fixed here, when the app starts, and reaches the app through
the environment (HUBVALUE_AUDIENCE): it is what every session sees, or, with
sign-in configured (docs/security.md), the widest any signed-in user can see;
nothing on a page can widen it. The app runs from the project folder so
`.streamlit/config.toml` and `.streamlit/secrets.toml` apply, with error details
hidden from the browser, usage statistics off, CORS and XSRF protection on (the
same settings are repeated as flags so a different working folder cannot drop
them).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from metrics import national
from metrics.queries import AUDIENCES

PROJECT_DIR = Path(__file__).resolve().parent.parent
APP = Path(__file__).resolve().parent / "app.py"
ENV_DB = "HUBVALUE_DB"
ENV_AUDIENCE = "HUBVALUE_AUDIENCE"


def streamlit_command(port: int, headless: bool) -> list[str]:
    """The `streamlit run` command line with the server settings the app must run with."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        # Always headless: Streamlit otherwise stops at a first-run e-mail prompt on a
        # fresh machine. `headless=False` opens a browser tab from serve() instead.
        "--server.headless", "true",
        "--server.port", str(int(port)),
        "--client.showErrorDetails", "none",
        "--client.showErrorLinks", "false",
        "--client.toolbarMode", "viewer",
        "--browser.gatherUsageStats", "false",
        "--server.enableCORS", "true",
        "--server.enableXsrfProtection", "true",
        "--server.enableStaticServing", "false",
        "--server.enableAgentApi", "false",
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
        "--runner.magicEnabled", "false",
    ]


def serve(db_path: Path, port: int = 8501, audience: str = "manager",
          headless: bool = False) -> int:
    """Serve the dashboard until interrupted; returns Streamlit's exit code."""
    if audience not in AUDIENCES:
        print(f"hubvalue serve: unknown audience (use one of {', '.join(AUDIENCES)})",
              file=sys.stderr)
        return 2
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        print("hubvalue serve: error: argument --port: must be from 1 to 65,535",
              file=sys.stderr)
        return 2
    db_path = Path(db_path).resolve()
    if not db_path.is_file() and not national.is_national(db_path):
        print(
            f"hubvalue serve: no warehouse at {db_path} yet; the dashboard will say how to "
            "build one (hubvalue build --input FOLDER --db PATH) and pick it up when it appears",
            file=sys.stderr,
        )
    env = dict(os.environ)
    env[ENV_DB] = str(db_path)
    env[ENV_AUDIENCE] = audience
    pythonpath = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(PROJECT_DIR) + (os.pathsep + pythonpath if pythonpath else "")
    process = subprocess.Popen(streamlit_command(port, headless), cwd=PROJECT_DIR, env=env)
    print(f"hubvalue dashboard ({audience}): http://localhost:{int(port)}", file=sys.stderr)
    if not headless:
        _open_browser_when_ready(port)
    # On SIGTERM pass the signal on and keep waiting: the wait below returns once
    # Streamlit has stopped (waiting inside the handler would deadlock on Popen's lock).
    previous = signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    try:
        return process.wait()
    except KeyboardInterrupt:
        return _stop(process)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _open_browser_when_ready(port: int) -> None:
    """Open the dashboard in a browser once the server answers (quietly, in the background)."""
    import threading
    import urllib.request
    import webbrowser

    def wait_and_open() -> None:
        for _ in range(60):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{int(port)}/_stcore/health", timeout=1):
                    webbrowser.open(f"http://localhost:{int(port)}")
                    return
            except OSError:
                threading.Event().wait(0.5)

    threading.Thread(target=wait_and_open, daemon=True).start()


def _stop(process: subprocess.Popen) -> int:
    """Stop Streamlit with the server: terminate, then kill after 10 seconds."""
    if process.poll() is None:
        process.terminate()
    try:
        return process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()
