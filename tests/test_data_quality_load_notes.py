"""The data-quality page says what every kind of load note means (ignored sheets and
empty rows too), only for the kinds the last build had."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.app_support import open_page, write_model_fixture


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """The app tests' model warehouse with a load report of its own: an xlsx workbook with
    an extra sheet and empty rows, an ignored file and an unmapped code."""
    folder = tmp_path_factory.mktemp("load-notes")
    built = write_model_fixture(folder / "model.duckdb")
    db = folder / "warehouse.duckdb"
    shutil.copyfile(built, db)
    con = duckdb.connect(str(db))
    con.execute("create schema if not exists meta")
    con.execute("""create or replace table meta.load_issues (table_name varchar,
        file_name varchar, kind varchar, rule varchar, column_name varchar, rows bigint)""")
    con.execute("""insert into meta.load_issues values
        ('referrals', 'referrals.xlsx!referrals', 'empty_rows', 'empty_rows', null, 4),
        (null, 'referrals.xlsx!old', 'ignored_sheet', 'ignored_sheet', null, 0),
        (null, 'notes.txt', 'ignored_file', 'ignored_file', null, 0),
        ('victims', 'victims.csv', 'code_unmapped', 'code_unmapped', 'gender', 2)""")
    con.close()
    return db


def test_each_kind_of_load_note_present_is_explained(monkeypatch, warehouse):
    at = open_page(monkeypatch, warehouse, "data_quality")
    assert not at.exception
    texts = [m.value for m in at.markdown]
    [explained] = [t for t in texts if t.startswith("Code unmapped:")]
    assert explained == (
        "Code unmapped: demographic codes not in the contract, kept as unknown. "
        "Ignored file: files in the extract folder that are not one of the contract's "
        "tables, not read. "
        "Ignored sheet: workbook sheets that are not one of the contract's tables (or are "
        "hidden), not read. "
        "Empty rows: fully empty rows of a sheet, skipped (they hold no record).")
    assert "What the build read but did not load as records" in " ".join(texts)
