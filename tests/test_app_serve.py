"""`hubvalue serve`: the Streamlit command line and what reaches the app."""

from __future__ import annotations

import subprocess
from pathlib import Path

from dashboard import serve as serve_module
from metrics.cli import main as cli_main


class FakeProcess:
    started: list = []

    def __init__(self, command, cwd=None, env=None):
        FakeProcess.started.append((command, cwd, env))

    def wait(self, timeout=None):
        return 0

    def poll(self):
        return 0


def flag(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_streamlit_runs_with_error_details_hidden_and_xsrf_on():
    command = serve_module.streamlit_command(8765, headless=True)
    assert command[1:4] == ["-m", "streamlit", "run"]
    assert command[4].endswith("dashboard/app.py")
    assert flag(command, "--server.port") == "8765"
    assert flag(command, "--server.headless") == "true"
    assert flag(command, "--client.showErrorDetails") == "none"
    assert flag(command, "--browser.gatherUsageStats") == "false"
    assert flag(command, "--server.enableXsrfProtection") == "true"


def test_serve_passes_the_warehouse_and_audience_to_the_app(monkeypatch, tmp_path):
    FakeProcess.started.clear()
    monkeypatch.setattr(subprocess, "Popen", FakeProcess)
    db = tmp_path / "w.duckdb"
    db.write_bytes(b"")
    assert cli_main(["serve", "--db", str(db), "--audience", "pcc", "--port", "8611",
                     "--headless"]) == 0
    [(command, cwd, env)] = FakeProcess.started
    assert env["HUBVALUE_DB"] == str(db.resolve())
    assert env["HUBVALUE_AUDIENCE"] == "pcc"
    assert flag(command, "--server.port") == "8611"
    # run from the project folder, so .streamlit/config.toml applies
    assert Path(cwd) == Path(serve_module.__file__).resolve().parents[1]


def test_serve_refuses_an_unknown_audience(monkeypatch, tmp_path, capsys):
    FakeProcess.started.clear()
    monkeypatch.setattr(subprocess, "Popen", FakeProcess)
    assert serve_module.serve(tmp_path / "w.duckdb", audience="everyone") == 2
    assert not FakeProcess.started


def test_serve_without_a_warehouse_says_how_to_build_one(monkeypatch, tmp_path, capsys):
    FakeProcess.started.clear()
    monkeypatch.setattr(subprocess, "Popen", FakeProcess)
    assert serve_module.serve(tmp_path / "absent.duckdb", headless=True) == 0
    assert "hubvalue build --input" in capsys.readouterr().err


def test_config_file_keeps_error_details_hidden():
    import tomllib

    config = tomllib.loads((Path(serve_module.__file__).resolve().parents[1]
                            / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["enableXsrfProtection"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["theme"]["chartCategoricalColors"][:6] == [
        "#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]
