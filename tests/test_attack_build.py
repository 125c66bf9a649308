"""Outside attack on the build and the command line (issue 12, cases 3, 4, 7, 9 and 10).

3. A failed build leaves the release archive as it was (it changes only with a swap).
4. A snapshot older than the warehouse is refused; with --allow-older every quarter
   already published stays published, with the same rows.
7. Every file a build writes (warehouse, quarantine store, archive, lock, temporaries)
   is owner-only, whatever the umask.
9. Two builds on one warehouse: the second waits or says "another build is running".
10. Bad arguments: one line naming the argument, exit 2, nothing written.

The small corpus extract (tests/corpus/valid_baseline) is as of 2026-10-31: it publishes
2025/26-Q4, 2026/27-Q1 and 2026/27-Q2; as of 2026-07-31 only the first two have ended.
"""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

import metrics.build as build_module
from metrics import args as check
from metrics.build import build, quarantine_path_for
from metrics.cli import main, parser
from metrics.lock import build_lock, lock_path_for
from metrics.published import ReleaseArchive, archive_path_for
from metrics.refusals import BuildLocked

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "tests" / "corpus" / "valid_baseline" / "extract"
ALL_QUARTERS = ["2025/26-Q4", "2026/27-Q1", "2026/27-Q2"]
PUBLISHED_TABLES = ["periods", "tables", "indicator_quarter", "equity_reach"]


def files_of(db: Path) -> list[Path]:
    return [db, quarantine_path_for(db), archive_path_for(db)]


def folder_state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def releases_by_period(db: Path) -> dict[str, list[tuple[int, str, str]]]:
    """{period: [(sequence, kind, build id), ...]} of the archive beside ``db``."""
    return {
        period: [(r.sequence, r.kind, r.build_id) for r in releases]
        for period, releases in ReleaseArchive(archive_path_for(db)).releases().items()
    }


def published_rows(db: Path, table: str, period: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            f"select * from published.{table} where period = ? order by all", [period]
        ).fetchall()
    finally:
        con.close()


def read_one(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchone()
    finally:
        con.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory, baseline_build) -> dict[str, Path]:
    """The corpus extract built as of 2026-10-31 (its manifest's date: the session's build,
    tests/conftest.py) and once as of 2026-07-31. Read them or copy them."""
    july = tmp_path_factory.mktemp("built") / "july" / "w.duckdb"
    build(BASELINE, july, as_of="2026-07-31")
    return {"october": baseline_build / "w.duckdb", "july": july}


def copy_warehouse(source: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in files_of(source):
        shutil.copyfile(path, folder / path.name)
    return folder / source.name


# ---------------------------------------------------------------------------
# 3. A failed build writes no release


def test_the_corpus_publishes_three_quarters_as_of_october_and_two_as_of_july(built):
    assert sorted(releases_by_period(built["october"])) == ALL_QUARTERS
    assert sorted(releases_by_period(built["july"])) == ALL_QUARTERS[:2]


def test_a_build_that_fails_at_the_swap_leaves_the_release_archive_unchanged(
    built, tmp_path, monkeypatch, capsys
):
    db = copy_warehouse(built["july"], tmp_path / "w")
    before = folder_state(db.parent)
    real_replace = os.replace

    def full_disk(src, dst):
        if Path(dst) == db:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(build_module.os, "replace", full_disk)
    assert main(["build", "--input", str(BASELINE), "--db", str(db)]) == 1
    assert "failed: the disk is full" in capsys.readouterr().err
    monkeypatch.undo()
    after = folder_state(db.parent)
    assert after[archive_path_for(db).name] == before[archive_path_for(db).name]
    assert after[db.name] == before[db.name]
    assert sorted(releases_by_period(db)) == ALL_QUARTERS[:2]
    assert sorted(p.name for p in db.parent.iterdir()) == sorted(before)  # nothing left over

    # The next good build makes 2026/27-Q2's first (and only) release.
    build(BASELINE, db)
    releases = releases_by_period(db)
    assert sorted(releases) == ALL_QUARTERS
    assert [(s, k) for s, k, _ in releases["2026/27-Q2"]] == [(1, "first")]
    assert releases["2025/26-Q4"] == releases_by_period(built["july"])["2025/26-Q4"]
    # the release row names the archive itself, not the copy the build wrote into
    assert read_one(db, "select archive from published.release") == ("w.releases.duckdb",)


def test_a_build_that_fails_after_the_release_step_adds_nothing_to_the_archive(
    built, tmp_path, monkeypatch
):
    """The release step has added 2026/27-Q2 (to the build's copy); the checkpoint fails."""
    db = copy_warehouse(built["july"], tmp_path / "w")
    archive_before = archive_path_for(db).read_bytes()
    real_release = build_module.write_public_release

    def release_then_fail(con, **kwargs):
        result = real_release(con, **kwargs)
        assert [r.period for r in result.written] == ["2026/27-Q2"]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(build_module, "write_public_release", release_then_fail)
    with pytest.raises(OSError):
        build(BASELINE, db)
    assert archive_path_for(db).read_bytes() == archive_before


KILLED_BUILD = """
import os
import sys

from metrics.build import build

real_replace = os.replace


def replace(src, dst):
    if str({moment}).endswith(sys.argv[3]):
        os._exit(9)  # killed: no clean-up runs
    real_replace(src, dst)


os.replace = replace
build(sys.argv[1], sys.argv[2])
"""


def killed_build(db: Path, moment: str, name_end: str) -> None:
    """Run a build in another process that dies at the rename of ``moment`` (src or dst)
    whose name ends with ``name_end``."""
    result = subprocess.run(
        [sys.executable, "-c", KILLED_BUILD.format(moment=moment), str(BASELINE), str(db),
         name_end],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
        text=True, timeout=300,
    )
    assert result.returncode == 9, result.stderr


def test_a_build_killed_between_the_warehouse_and_the_archive_renames_is_finished_next_time(
    built, tmp_path
):
    db = copy_warehouse(built["july"], tmp_path / "w")
    archive_before = archive_path_for(db).read_bytes()
    killed_build(db, "src", ".pending")  # after the warehouse swap, before the archive's
    released_at = read_one(db, "select released_at from published.release")[0]
    assert str(read_one(db, "select as_of from meta.build")[0]) == "2026-10-31"  # swapped in
    assert archive_path_for(db).read_bytes() == archive_before
    assert (db.parent / ".w.releases.duckdb.pending").is_file()

    build(BASELINE, db)  # finishes the commit first: 2026/27-Q2 is the killed build's release
    q2 = ReleaseArchive(archive_path_for(db)).releases()["2026/27-Q2"]
    assert [(r.sequence, r.kind, r.created_at) for r in q2] == [(1, "first", released_at)]
    assert sorted(p.name for p in db.parent.iterdir()) == [
        "w.duckdb", "w.quarantine.duckdb", "w.releases.duckdb"
    ]


def test_a_build_killed_before_the_warehouse_rename_leaves_no_release(built, tmp_path):
    from metrics import archive_commit

    db = copy_warehouse(built["july"], tmp_path / "w")
    before = folder_state(db.parent)
    killed_build(db, "dst", "w.duckdb")  # the archive copy is pending; the warehouse is old
    assert (db.parent / ".w.releases.duckdb.pending").is_file()
    assert archive_commit.recover(db, archive_path_for(db)) == "discarded"
    after = folder_state(db.parent)
    for path in (db, archive_path_for(db)):  # the warehouse and the archive as they were
        assert after[path.name] == before[path.name]
    assert not (db.parent / ".w.releases.duckdb.pending").exists()


# ---------------------------------------------------------------------------
# 4. An older snapshot


def test_an_older_snapshot_is_refused_and_nothing_changes(built, tmp_path, capsys):
    db = copy_warehouse(built["october"], tmp_path / "w")
    before = folder_state(db.parent)
    code = main(["build", "--input", str(BASELINE), "--db", str(db), "--as-of", "2026-07-31"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1] == (
        "hubvalue build: error: argument --input: the extract is as of 2026-07-31, older than "
        "the warehouse w.duckdb (as of 2026-10-31); building it would roll the dashboard "
        "back. Use --allow-older to build it anyway (published quarters stay published); "
        "nothing was changed"
    )
    assert folder_state(db.parent) == before


def test_an_older_snapshot_with_allow_older_keeps_every_published_quarter(built, tmp_path):
    db = copy_warehouse(built["october"], tmp_path / "w")
    before = {t: published_rows(db, t, "2026/27-Q2") for t in PUBLISHED_TABLES}
    releases_before = releases_by_period(db)
    release_before = read_one(db, "select quarters, tables, cells, hidden from published.release")
    code = main(["build", "--input", str(BASELINE), "--db", str(db), "--as-of", "2026-07-31",
                 "--allow-older", "--quiet"])
    assert code == 0
    assert str(read_one(db, "select as_of from meta.build")[0]) == "2026-07-31"
    # 2026/27-Q2 ended after 2026-07-31: still published, with exactly the same rows
    assert [r[0] for r in published_rows_all(db)] == ALL_QUARTERS
    for table in PUBLISHED_TABLES:
        assert before[table], table
        assert published_rows(db, table, "2026/27-Q2") == before[table], table
    # the release row counts the kept quarter too: the same as before the older build
    assert read_one(db, "select quarters, tables, cells, hidden from published.release") == (
        release_before
    )
    assert releases_by_period(db) == releases_before  # no release removed or added


def published_rows_all(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "select period from published.periods where status = 'published' order by period"
        ).fetchall()
    finally:
        con.close()


def test_the_same_or_a_newer_snapshot_needs_no_flag(built, tmp_path):
    db = copy_warehouse(built["july"], tmp_path / "w")
    assert main(["build", "--input", str(BASELINE), "--db", str(db), "--quiet"]) == 0
    assert [r[0] for r in published_rows_all(db)] == ALL_QUARTERS


# ---------------------------------------------------------------------------
# 7. Owner-only files


def test_every_file_a_build_writes_is_owner_only(tmp_path, monkeypatch):
    """Under umask 022; the modes of everything in the folder are taken in the middle of
    the build (temporary warehouse, quarantine store, archive copy, work folder, lock) and
    after it."""
    db = tmp_path / "w" / "w.duckdb"
    seen: dict[str, int] = {}
    real_release = build_module.write_public_release

    def release_and_look(con, **kwargs):
        result = real_release(con, **kwargs)
        for path in db.parent.rglob("*"):
            seen[str(path.relative_to(db.parent))] = stat.S_IMODE(path.stat().st_mode)
        return result

    monkeypatch.setattr(build_module, "write_public_release", release_and_look)
    old = os.umask(0o022)
    try:
        build(BASELINE, db)
        assert os.umask(0o022) == 0o022  # the build gave the umask back
    finally:
        os.umask(old)
    pid = os.getpid()
    assert {"w.build.lock", f".w.duckdb.{pid}.tmp", f".w.quarantine.duckdb.{pid}.tmp"} <= set(
        seen
    )
    # files 0600, folders 0700: nothing for the group or others
    assert {name: oct(mode) for name, mode in seen.items() if mode & 0o077} == {}
    after = {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in db.parent.iterdir()}
    assert after == {"w.duckdb": "0o600", "w.quarantine.duckdb": "0o600",
                     "w.releases.duckdb": "0o600"}


def test_a_world_readable_warehouse_from_before_is_replaced_owner_only(built, tmp_path):
    db = copy_warehouse(built["july"], tmp_path / "w")
    for path in files_of(db):
        path.chmod(0o644)
    build(BASELINE, db)
    assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in files_of(db)} == {
        "w.duckdb": "0o600", "w.quarantine.duckdb": "0o600", "w.releases.duckdb": "0o600"
    }


# ---------------------------------------------------------------------------
# 9. Two builds at once


def test_the_lock_is_exclusive_and_removed_after_use(tmp_path):
    db = tmp_path / "w.duckdb"
    with build_lock(db):
        assert stat.S_IMODE(lock_path_for(db).stat().st_mode) == 0o600
        with (
            pytest.raises(BuildLocked, match="another build is running on w.duckdb"),
            build_lock(db, wait_seconds=0.3),
        ):
            pass
    assert not lock_path_for(db).exists()
    with build_lock(db):  # free again
        pass


def build_process(db: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "metrics.cli", "build", "--input", str(BASELINE), "--db",
         str(db), *extra],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


HELD_BUILD = """
import sys
import time
from pathlib import Path

import metrics.build as build_module
from metrics.cli import main

real_release = build_module.write_public_release


def release_when_told(con, **kwargs):
    Path(sys.argv[2]).touch()  # ready: in the middle of the build
    while not Path(sys.argv[3]).exists():
        time.sleep(0.05)
    return real_release(con, **kwargs)


build_module.write_public_release = release_when_told
sys.exit(main(["build", "--input", sys.argv[1], "--db", sys.argv[4], "--quiet"]))
"""


class HeldBuild:
    """A real build in another process that stops before its release step until told."""

    def __init__(self, db: Path, folder: Path) -> None:
        self.ready, self.go = folder / "ready", folder / "go"
        self.process = subprocess.Popen(
            [sys.executable, "-c", HELD_BUILD, str(BASELINE), str(self.ready), str(self.go),
             str(db)],
            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )
        deadline = time.monotonic() + 120
        while not self.ready.exists():
            assert self.process.poll() is None, self.process.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)

    def finish(self) -> tuple[int, str]:
        self.go.touch()
        _, err = self.process.communicate(timeout=300)
        return self.process.returncode, err


def test_a_second_build_that_will_not_wait_says_another_build_is_running(tmp_path):
    db = tmp_path / "w" / "w.duckdb"
    first = HeldBuild(db, tmp_path)
    try:
        second = build_process(db, "--wait", "0")
        out, err = second.communicate(timeout=120)
        before = sorted(p.name for p in db.parent.iterdir())
    finally:
        code, first_err = first.finish()
    assert second.returncode == 75
    assert err.strip().splitlines() == [
        "hubvalue build: error: another build is running on w.duckdb; try again when it has "
        "finished; nothing was changed"
    ]
    # while the first held the lock, the folder had only the first build's own files
    assert [n for n in before if f".{first.process.pid}." not in n] == ["w.build.lock"]
    assert code == 0, first_err
    assert sorted(releases_by_period(db)) == ALL_QUARTERS
    assert all(len(r) == 1 for r in releases_by_period(db).values())
    assert sorted(p.name for p in db.parent.iterdir()) == [
        "w.duckdb", "w.quarantine.duckdb", "w.releases.duckdb"
    ]


def test_a_second_build_waits_for_the_first_and_both_succeed(tmp_path):
    db = tmp_path / "w" / "w.duckdb"
    first = HeldBuild(db, tmp_path)
    try:
        second = build_process(db, "--wait", "300")
        time.sleep(3)
        assert second.poll() is None  # waiting
    finally:
        code, first_err = first.finish()
    out, err = second.communicate(timeout=400)
    assert (code, second.returncode) == (0, 0), (first_err, err)
    assert "failed" not in err and "Exception" not in err
    # the second build found the first one's releases and made none of its own
    releases = releases_by_period(db)
    assert sorted(releases) == ALL_QUARTERS
    assert all([(s, k) for s, k, _ in r] == [(1, "first")] for r in releases.values())


# ---------------------------------------------------------------------------
# 10. Arguments


def argument_error(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


BAD_ARGUMENTS = [
    (["build", "--threads", "100000"], "build", "--threads",
     f"must be from 1 to {check.max_threads()}"),
    (["build", "--threads", "-3"], "build", "--threads",
     f"must be from 1 to {check.max_threads()}"),
    (["build", "--threads", "0"], "build", "--threads",
     f"must be from 1 to {check.max_threads()}"),
    (["build", "--memory-limit", "banana"], "build", "--memory-limit",
     "not a memory size (use a size such as 4GB, 500MB or 2GiB, or a share such as 50%)"),
    (["build", "--memory-limit", "4"], "build", "--memory-limit",
     "not a memory size (use a size such as 4GB, 500MB or 2GiB, or a share such as 50%)"),
    (["build", "--memory-limit", "1,5GB"], "build", "--memory-limit",
     "not a memory size (use a size such as 4GB, 500MB or 2GiB, or a share such as 50%)"),
    (["build", "--memory-limit", "10MB"], "build", "--memory-limit", "must be at least 100MB"),
    (["build", "--memory-limit", "0%"], "build", "--memory-limit",
     "a share of memory must be above 0% and at most 100%"),
    (["build", "--price-base-year", "banana"], "build", "--price-base-year",
     "not a financial year (use 2026/27, 2026-27 or 2026)"),
    (["build", "--price-base-year", "1950/51"], "build", "--price-base-year",
     "no GDP deflator for 1950/51; the deflator table covers 2000/01 to 2030/31"),
    (["build", "--db", ""], "build", "--db", "must be a file path, not empty"),
    (["build", "--wait", "-1"], "build", "--wait",
     "must be a number of seconds from 0 to 86,400"),
    (["build", "--wait", "nan"], "build", "--wait",
     "must be a number of seconds from 0 to 86,400"),
    (["generate", "--out", "OUT", "--referrals", "-5"], "generate", "--referrals",
     "must be from 1 to 100,000,000"),
    (["generate", "--out", "OUT", "--months", "0"], "generate", "--months",
     "must be from 1 to 600"),
    (["generate", "--out", "OUT", "--seed", "-1"], "generate", "--seed",
     f"must be from 0 to {2**63 - 1:,}"),
    (["generate", "--out", "OUT", "--end", "banana"], "generate", "--end",
     "must be a month written YYYY-MM (1900-01 or later)"),
    (["generate", "--out", "OUT", "--end", "2026-13"], "generate", "--end",
     "must be a month written YYYY-MM (1900-01 or later)"),
    (["serve", "--port", "99999"], "serve", "--port", "must be from 1 to 65,535"),
    (["serve", "--port", "0"], "serve", "--port", "must be from 1 to 65,535"),
    (["serve", "--db", ""], "serve", "--db", "must be a file path, not empty"),
    (["report", "--audience", "pcc", "--period", "2026-10", "--out", "x", "--db", " "],
     "report", "--db", "must be a file path, not empty"),
    (["bench", "--runs", "0"], "bench", "--runs", "must be from 1 to 100"),
    (["bench", "--repeats", "-2"], "bench", "--repeats", "must be from 1 to 10,000"),
    (["bench", "--referrals", "0"], "bench", "--referrals", "must be from 1 to 100,000,000"),
]


@pytest.mark.parametrize(("argv", "command", "argument", "reason"), BAD_ARGUMENTS,
                         ids=[" ".join(a[0]) for a in BAD_ARGUMENTS])
def test_a_bad_argument_is_one_line_naming_it_and_changes_nothing(
    argv, command, argument, reason, tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    if command == "build":
        argv = [*argv[:1], "--input", str(BASELINE), *argv[1:]]
        if "--db" not in argv:
            argv += ["--db", "w/w.duckdb"]
    err = argument_error(argv, capsys)
    assert err == f"hubvalue {command}: error: argument {argument}: {reason}\n"
    assert list(tmp_path.iterdir()) == []  # no folder, warehouse or extract was made


def test_a_bad_as_of_date_creates_no_folder(tmp_path, capsys):
    db = tmp_path / "new" / "w.duckdb"
    assert main(["build", "--input", str(BASELINE), "--db", str(db), "--as-of", "banana"]) == 2
    assert "hubvalue build: error: --as-of:" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_threads_are_capped_at_four_per_cpu():
    cpus = check.available_cpus()
    assert check.max_threads() == 4 * cpus
    assert parser().parse_args(
        ["build", "--input", "x", "--threads", str(4 * cpus)]).threads == 4 * cpus
    with pytest.raises(argparse.ArgumentTypeError):
        check.threads(str(4 * cpus + 1))


@pytest.mark.parametrize(("text", "kept"), [
    ("4GB", "4GB"), ("500MB", "500MB"), (" 1.5GiB ", "1.5GiB"), ("2 gb", "2gb"), ("50%", "50%"),
])
def test_memory_limits_duckdb_reads_are_accepted(text, kept):
    assert check.memory_limit(text) == kept
    con = duckdb.connect(":memory:", config={"memory_limit": kept})  # DuckDB reads it
    con.close()


def test_build_called_directly_refuses_more_threads_than_the_cap(tmp_path):
    with pytest.raises(ValueError, match=f"threads must be from 1 to {check.max_threads()}"):
        build(BASELINE, tmp_path / "w" / "w.duckdb", threads=100_000)
    assert list(tmp_path.iterdir()) == []


def test_a_memory_limit_above_the_machine_is_refused():
    too_much = check.machine_memory_bytes() // 1000**3 + 10
    with pytest.raises(argparse.ArgumentTypeError, match="more than this machine's memory"):
        check.memory_limit(f"{too_much}GB")


def test_a_price_base_year_is_normalised():
    assert parser().parse_args(
        ["build", "--input", "x", "--price-base-year", "2025-26"]).price_base_year == "2025/26"


def test_serve_refuses_a_port_out_of_range_when_called_directly(capsys):
    from dashboard.serve import serve

    assert serve(Path("w.duckdb"), port=99999) == 2
    assert capsys.readouterr().err == (
        "hubvalue serve: error: argument --port: must be from 1 to 65,535\n"
    )
