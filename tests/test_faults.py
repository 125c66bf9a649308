"""Faults during a build: SIGKILL at random moments, stale temporary files, a full disk,
files that cannot be read. After each, the previous warehouse is readable and unchanged
(byte for byte), nothing is left behind once the next build has run, and errors are one
clean line naming the file.

The kill test runs ``hubvalue build`` as a subprocess on a generated ~5,000-referral extract
and kills it after a random delay (stratified over one build's duration, so kills land while
reading, while running the models and near the swap). 4 kills in make test; ``pytest -m slow`` runs
40.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

import metrics.build as build_module
from metrics.build import build, build_id_for, quarantine_path_for
from metrics.cli import main
from metrics.generate import generate
from metrics.snapshot import locate

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "tests" / "corpus" / "valid_baseline" / "extract"


def cli_process(extract: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "metrics.cli", "build", "--input", str(extract), "--db", str(db)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def read_build(db: Path) -> tuple[str, object]:
    """Open the warehouse the way the dashboard does (read-only), read every table, and return
    which build it is: (build_id, built_at)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        for schema, table in con.execute(
            "select schema_name, table_name from duckdb_tables() order by all"
        ).fetchall():
            con.execute(f"select count(*) from {schema}.{table}").fetchone()
        return con.execute("select build_id, built_at from meta.build").fetchone()
    finally:
        con.close()


def store_is_readable(path: Path) -> bool:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select count(*) from rows").fetchone()[0] >= 0
    finally:
        con.close()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("w."))


@pytest.fixture(scope="module")
def big_extract(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("big") / "extract"
    generate(out, referrals=5_000, seed=5, end="2026-10", fmt="csv", quiet=True)
    return out


@pytest.fixture
def previous(baseline_copy) -> Path:
    """A good warehouse built from the small baseline extract: what a failed build must keep
    (this test's own copy of the session's build, tests/conftest.py)."""
    return baseline_copy


# ---------------------------------------------------------------------------
# SIGKILL at random points


def kill_builds(big_extract: Path, previous: Path, tmp_path: Path, kills: int, seed: int) -> None:
    # One full build first: it checks the extract builds and times a build on this machine.
    started = time.perf_counter()
    reference = cli_process(big_extract, tmp_path / "reference" / "w.duckdb")
    out, err = reference.communicate(timeout=600)
    assert reference.returncode == 0, err.decode()
    duration = time.perf_counter() - started
    new_id = build_id_for(locate(big_extract), None)
    assert read_build(previous)[0] != new_id

    quarantine = quarantine_path_for(previous)
    state = {"build": read_build(previous), "bytes": previous.read_bytes()}
    rng = random.Random(seed)
    killed = completed = 0
    for i in range(kills):
        delay = duration * (0.02 + 0.88 * (i + rng.random()) / kills)
        process = cli_process(big_extract, previous)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=600)
        if process.returncode == -signal.SIGKILL:
            killed += 1
        else:
            assert process.returncode == 0
            completed += 1
        # The warehouse is exactly the one before (same build, same bytes) or a complete new
        # build of the big extract that swapped in before the kill; never anything between.
        where = f"kill {i} after {delay:.2f} s"
        current = read_build(previous)
        if current == state["build"]:
            assert previous.read_bytes() == state["bytes"], where
        else:
            assert current[0] == new_id and current[1] > state["build"][1], where
        state = {"build": current, "bytes": previous.read_bytes()}
        assert store_is_readable(quarantine)
    print(f"\n{killed} builds killed, {completed} completed before the kill (seed {seed})")
    assert killed >= kills // 2, "most kills must land while the build runs"

    # The next build succeeds and removes what the killed ones left behind.
    final = cli_process(big_extract, previous)
    out, err = final.communicate(timeout=600)
    assert final.returncode == 0, err.decode()
    assert read_build(previous)[0] == new_id
    assert leftovers(previous.parent) == []


def test_killed_builds_leave_the_previous_warehouse(big_extract, previous, tmp_path):
    # four kills spread over the build (the long run in make test-all kills many more)
    kill_builds(big_extract, previous, tmp_path, kills=4, seed=20261031)


@pytest.mark.slow
def test_killed_builds_long_run(big_extract, previous, tmp_path):
    kill_builds(big_extract, previous, tmp_path, kills=40, seed=int(time.time()))


# ---------------------------------------------------------------------------
# Stale temporary files


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_stale_temporaries_of_dead_builds_are_removed(previous):
    folder = previous.parent
    dead = dead_pid()
    stale = [
        f".w.duckdb.{dead}.tmp",
        f".w.duckdb.{dead}.tmp.wal",
        f".w.quarantine.duckdb.{dead}.tmp",
        f".w.quarantine.duckdb.{dead}.tmp.wal",
    ]
    for name in stale:
        (folder / name).write_bytes(b"half a warehouse")
    (folder / f".w.duckdb.{dead}.work").mkdir()
    (folder / f".w.duckdb.{dead}.work" / "victims.utf8.csv").write_text("a decoded copy")
    (folder / f".w.duckdb.{dead}.tmp.tmp").mkdir()  # DuckDB's spill folder
    # A build still running (a live process) keeps its files.
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as alive:
        try:
            running = f".w.duckdb.{alive.pid}.tmp"
            (folder / running).write_bytes(b"in progress")
            other = folder / "notes.txt"  # not ours: never touched
            other.write_text("keep")
            build(BASELINE, previous)
            assert leftovers(folder) == sorted([running, "notes.txt"])
        finally:
            alive.kill()


# ---------------------------------------------------------------------------
# A full disk


@pytest.fixture
def tiny_disk(tmp_path, previous):
    """A tmpfs with room for the previous warehouse and 2 MB more: not for a second warehouse.

    Needs root and permission to mount; skipped otherwise (the monkeypatched test below covers
    the same clean-up path without a real disk)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    needed = previous.stat().st_size + quarantine_path_for(previous).stat().st_size
    size_kb = needed // 1024 + 2048
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mount_point)],
        capture_output=True,
    )
    if result.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_full_disk_fails_cleanly(tiny_disk, previous, big_extract, capsys):
    db = tiny_disk / "w.duckdb"
    shutil.copyfile(previous, db)
    shutil.copyfile(quarantine_path_for(previous), quarantine_path_for(db))
    before = {p.name: p.read_bytes() for p in tiny_disk.iterdir()}
    code = main(["build", "--input", str(big_extract), "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    assert "previous warehouse is unchanged" in err
    assert {p.name: p.read_bytes() for p in tiny_disk.iterdir()} == before
    assert read_build(db) == read_build(previous)


def test_failure_at_the_swap_leaves_nothing_behind(previous, monkeypatch, capsys):
    """The disk fills (ENOSPC) at the very last step: the temporary files are removed."""
    real_replace = os.replace

    def full_disk(src, dst):
        if str(dst).endswith("w.duckdb"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)

    before = previous.read_bytes()
    monkeypatch.setattr(build_module.os, "replace", full_disk)
    code = main(["build", "--input", str(BASELINE), "--db", str(previous)])
    assert code == 1
    assert "failed: the disk is full" in capsys.readouterr().err
    assert previous.read_bytes() == before
    assert leftovers(previous.parent) == []


# ---------------------------------------------------------------------------
# Files that cannot be read


def copy_extract(tmp_path: Path) -> Path:
    extract = tmp_path / "extract"
    shutil.copytree(BASELINE, extract)
    return extract


def test_a_fifo_in_place_of_a_file_fails_cleanly_and_does_not_hang(previous, tmp_path):
    extract = copy_extract(tmp_path)
    (extract / "services.csv").unlink()
    os.mkfifo(extract / "services.csv")  # opening it for reading would block forever
    before = previous.read_bytes()
    process = cli_process(extract, previous)
    try:
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 2
    assert err.decode().strip().splitlines()[-2:] == [
        "hubvalue build: error: services.csv: is not a regular file (a pipe or device)",
        "nothing was loaded; the previous warehouse is unchanged",
    ]
    assert previous.read_bytes() == before


def test_a_folder_in_place_of_the_manifest_fails_cleanly(previous, tmp_path, capsys):
    extract = copy_extract(tmp_path)
    (extract / "manifest.json").unlink()
    (extract / "manifest.json").mkdir()
    before = previous.read_bytes()
    assert main(["build", "--input", str(extract), "--db", str(previous)]) == 2
    assert "error: manifest.json: is a folder, not a file" in capsys.readouterr().err
    assert previous.read_bytes() == before


@pytest.mark.parametrize("name", ["victims.csv", "code_map.csv"])
def test_a_file_that_cannot_be_opened_is_named(previous, tmp_path, monkeypatch, capsys, name):
    """Permission denied (as for a non-root user and a chmod 000 file, or a locked share)."""
    extract = copy_extract(tmp_path)
    (extract / "code_map.csv").write_text("table,column,source_value,code\n")
    real_open = Path.open

    def locked(self, *args, **kwargs):
        if self.name == name:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", locked)
    before = previous.read_bytes()
    assert main(["build", "--input", str(extract), "--db", str(previous)]) == 2
    err = capsys.readouterr().err
    assert f"error: {name}: could not be read (Permission denied)" in err
    assert previous.read_bytes() == before
    assert leftovers(previous.parent) == []
