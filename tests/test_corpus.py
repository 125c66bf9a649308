"""The corpus of malformed extracts (``tests/corpus/``), each built with the real ``hubvalue build``.

For every case: the outcome ``expected.json`` states (the exact quarantined rows and reasons, or
a one-line error naming the file), never a traceback; rows read = loaded + quarantined per
file; on failure the previous warehouse is byte-for-byte unchanged; no temporary file is left;
and the case's ``SECRET-...`` values appear nowhere but the quarantine store: not on the
terminal, not in any log record, not in any table of the warehouse, not in its file's bytes.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
from pathlib import Path

import duckdb
import pytest

from metrics.build import quarantine_path_for
from metrics.cli import main
from tests.support import holds_secret

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").is_file())
SECRET = re.compile("secret-", re.IGNORECASE)


def expected_for(name: str) -> dict:
    return json.loads((CORPUS / name / "expected.json").read_text(encoding="utf-8"))


def extract_files(name: str) -> list[Path]:
    return [p for p in (CORPUS / name / "extract").rglob("*") if p.is_file()]


def case_has_secret(name: str) -> bool:
    utf16 = "SECRET-".encode("utf-16-le")
    return any(
        holds_secret(data) or utf16 in data
        for data in (p.read_bytes() for p in extract_files(name))
    )


@pytest.fixture(scope="module")
def previous_warehouse(baseline_build) -> tuple[Path, Path]:
    """A good warehouse built from ``valid_baseline`` (once per session, tests/conftest.py):
    what each case's build may replace. Each case builds over its own copy."""
    db = baseline_build / "w.duckdb"
    return db, quarantine_path_for(db)


def tables_with_secrets(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every table of a database (all schemas, views excluded: they read tables) with a row
    whose text holds ``SECRET-`` in any case: each row cast to text by DuckDB (nested values
    and blobs' printable bytes included) and searched there, in one query."""
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where not temporary order by all"
    ).fetchall()
    searches = [
        f"select '{schema}.{table}' as table_name from \"{schema}\".\"{table}\" as row_ "
        "where contains(lower(row_::varchar), 'secret-')"
        for schema, table in tables
    ]
    return sorted({name for (name,) in con.execute(" union ".join(searches)).fetchall()})


def test_the_leak_search_finds_a_secret_in_any_column_and_any_case():
    """The control for the warehouse check below: a value in a list, a struct or a blob, in
    any case, is found; a table without one is not."""
    con = duckdb.connect()
    try:
        con.execute("create schema marts")
        con.execute("create table marts.clean as select 1 as n, 'secret' as word")
        con.execute("create table marts.listed as select ['a', 'x Secret-9'] as values_")
        con.execute("create table main.nested as select {'inner': 'SECRET-1'} as value_")
        con.execute("create table main.bytes as select 'zsEcReT-2'::blob as value_")
        assert tables_with_secrets(con) == ["main.bytes", "main.nested", "marts.listed"]
    finally:
        con.close()


def test_corpus_is_large_and_reproducible():
    assert len(CASES) >= 30
    # Every case folder comes from make_corpus.py: the script lists each case by name.
    script = (CORPUS / "make_corpus.py").read_text(encoding="utf-8")
    missing = [n for n in CASES if f'"{n}"' not in script]
    assert missing == []
    for name in CASES:
        spec = expected_for(name)
        assert ("error" in spec) != ("quarantined" in spec), name
        if name != "valid_baseline":
            assert case_has_secret(name), f"{name}: no SECRET- value in the case"


@pytest.mark.parametrize("name", CASES)
def test_corpus_case(name, previous_warehouse, tmp_path, capsys, caplog, monkeypatch):
    spec = expected_for(name)
    caplog.set_level(logging.DEBUG)
    warehouse_dir = tmp_path / "warehouse"
    warehouse_dir.mkdir()
    db = warehouse_dir / "w.duckdb"
    shutil.copyfile(previous_warehouse[0], db)
    shutil.copyfile(previous_warehouse[1], quarantine_path_for(db))
    before = {p.name: p.read_bytes() for p in warehouse_dir.iterdir()}
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    code = main(["build", "--input", str(CORPUS / name / "extract"), "--db", str(db)])

    captured = capsys.readouterr()
    terminal = captured.out + captured.err
    assert "Traceback" not in terminal
    assert not SECRET.search(terminal), "a raw value reached the terminal"
    assert not SECRET.search(caplog.text), "a raw value reached a log record"
    # Nothing left behind: only the warehouse, its quarantine store and, after a build that
    # succeeded, its archive of public releases (counts only); no scratch files.
    archive = ["w.releases.duckdb"] if "error" not in spec else []
    assert sorted(p.name for p in warehouse_dir.iterdir()) == sorted([*before, *archive])
    for name_left in archive:
        assert not holds_secret((warehouse_dir / name_left).read_bytes())
    assert list(scratch.iterdir()) == []

    if "error" in spec:
        file, contains = spec["error"]["file"], spec["error"]["contains"]
        assert code == 2, terminal
        error_lines = [line for line in captured.err.splitlines() if "error:" in line]
        assert len(error_lines) == 1, captured.err
        assert f"error: {file}: " in error_lines[0]
        assert contains in error_lines[0]
        assert {p.name: p.read_bytes() for p in warehouse_dir.iterdir()} == before
        return

    assert code == 0, terminal
    for text in spec.get("output_contains", []):
        assert text in captured.out
    check_loaded_warehouse(db, spec)
    check_quarantine_store(quarantine_path_for(db), spec, expect_secret=case_has_secret(name))


def check_loaded_warehouse(db: Path, spec: dict) -> None:
    con = duckdb.connect(str(db), read_only=True)
    try:
        report = {
            file: (read, loaded, quarantined)
            for file, read, loaded, quarantined in con.execute(
                "select file_name, rows_read, rows_loaded, rows_quarantined from meta.load_report"
            ).fetchall()
        }
        assert sorted(report) == sorted(spec["loaded"])
        for file, (read, loaded, quarantined) in report.items():
            assert read == loaded + quarantined, file
            assert loaded == spec["loaded"][file], file
            assert quarantined == len(spec["quarantined"].get(file, [])), file
            table = file.rsplit(".", 1)[0]
            assert con.execute(f"select count(*) from raw.{table}").fetchone()[0] == loaded
        issues = dict(
            con.execute(
                "select file_name, sum(rows) from meta.load_issues "
                "where kind = 'quarantined' group by all"
            ).fetchall()
        )
        assert {f: n for f, n in issues.items() if n} == {
            f: len(rows) for f, rows in spec["quarantined"].items() if rows
        }
        for check in spec.get("checks", []):
            rows = [list(r) for r in con.execute(check["sql"]).fetchall()]
            assert rows == check["rows"], check["sql"]
        assert tables_with_secrets(con) == [], "raw values of bad rows in warehouse tables"
    finally:
        con.close()
    # Not even in free pages of the file: bad rows never touched the warehouse file.
    assert not holds_secret(db.read_bytes())


def check_quarantine_store(path: Path, spec: dict, expect_secret: bool) -> None:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "select file_name, record_number, rule, column_name, raw_values::varchar from rows"
        ).fetchall()
    finally:
        con.close()
    found: dict[str, list] = {}
    for file, record, rule, column, _ in rows:
        found.setdefault(file, []).append([record, rule, column])
    assert {f: sorted(r, key=repr) for f, r in found.items()} == {
        f: sorted(r, key=repr) for f, r in spec["quarantined"].items() if r
    }
    if spec["quarantined"] and expect_secret:
        # The control for the leak checks above: the values are in the store, where they belong.
        assert any(SECRET.search(raw or "") for *_, raw in rows)
