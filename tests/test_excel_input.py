"""Excel workbooks as extracts (metrics/excel.py): cells, sheets, row references.

Small hand-made workbooks, each built with the real ``hubvalue build``; expected values are
worked out by hand from the cells written. Every bad row carries a ``SECRET-`` value that
must never reach the terminal.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook

from metrics.build import quarantine_path_for
from metrics.cli import main
from metrics.excel import cell_text

SECRET = re.compile("secret-", re.IGNORECASE)
MANIFEST = {"as_of": "2026-10-31", "period": "2026-10", "source_system": "excel test"}
VICTIMS = [
    ["victim_id", "age_band", "gender", "ethnic_group", "disability", "lgbt"],
    ["v1", "25-34", "female", "white", "no", "no"],
    ["v2", "75+", "male", "asian", "yes", "unknown"],
]
REFERRAL_HEADER = [
    "referral_id", "victim_id", "crime_type", "hate_crime", "domestic_abuse",
    "enhanced_rights", "source", "referral_date",
]  # fmt: skip


def referral(rid: str, when: object, victim: str = "v1", crime: str = "theft") -> list:
    return [rid, victim, crime, False, "no", True, "police", when]


def write_book(path: Path, sheets: dict[str, list[list]], hidden: tuple[str, ...] = ()) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


def extract(tmp_path: Path, sheets: dict[str, list[list]], **kwargs) -> Path:
    folder = tmp_path / "extract"
    folder.mkdir(exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps(MANIFEST), encoding="utf-8")
    write_book(folder / "hub.xlsx", sheets, **kwargs)
    return folder


def build(folder: Path, tmp_path: Path, capsys, *extra: str) -> tuple[int, str, Path]:
    db = tmp_path / "w.duckdb"
    code = main(["build", "--input", str(folder), "--db", str(db), *extra])
    captured = capsys.readouterr()
    terminal = captured.out + captured.err
    assert "Traceback" not in terminal
    assert not SECRET.search(terminal), "a raw value reached the terminal"
    return code, terminal, db


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def quarantined(db: Path) -> list[tuple]:
    return rows(
        quarantine_path_for(db),
        "select file_name, record_number, rule, column_name from rows order by all",
    )


# --- cells ---------------------------------------------------------------------------------


def test_cell_text_by_column_type():
    assert cell_text(dt.date(2026, 2, 3), "date", None) == "2026-02-03"
    assert cell_text(dt.datetime(2026, 2, 3, 23, 59), "date", "uk") == "03/02/2026"
    assert cell_text(dt.date(2026, 2, 1), "month", None) == "2026-02"
    # Excel serial 46056 = 1899-12-30 + 46056 days = 2026-02-03
    assert cell_text(46056.0, "date", None) == "2026-02-03"
    assert cell_text(46056.75, "date", None) == "2026-02-03"  # a time of day dropped
    assert cell_text(3.0, "int", None) == "3"
    assert cell_text(12.34, "decimal", None) == "12.34"
    assert cell_text(1.0, "code", None) == "1"  # a code typed as a number, for code_map.csv
    assert cell_text(True, "bool", None) == "true"
    assert cell_text(None, "text", None) == ""
    assert cell_text("46056", "date", None) == "46056"  # a serial typed as text stays text


def test_excel_dates_text_dates_and_serials(tmp_path, capsys):
    folder = extract(
        tmp_path,
        {
            "victims": VICTIMS,
            "referrals": [
                REFERRAL_HEADER,
                referral("r1", dt.date(2026, 2, 3)),
                referral("r2", dt.datetime(2026, 3, 4, 10, 30)),
                referral("r3", "2026-04-05"),
                referral("r4", "06/05/2026"),
                referral("r5", 46056),  # a date cell that lost its format: a serial
                referral("r6", "46056"),  # a serial typed as text: not guessed
                referral("SECRET-r7", "31/02/2026"),
            ],
        },
    )
    code, terminal, db = build(folder, tmp_path, capsys)
    assert code == 0, terminal
    assert rows(db, "select referral_id, referral_date from raw.referrals order by 1") == [
        ("r1", dt.date(2026, 2, 3)),
        ("r2", dt.date(2026, 3, 4)),
        ("r3", dt.date(2026, 4, 5)),
        ("r4", dt.date(2026, 5, 6)),
        ("r5", dt.date(2026, 2, 3)),
    ]
    # Sheet rows: the header is row 1, r6 is on row 7 and r7 on row 8.
    assert quarantined(db) == [
        ("hub.xlsx!referrals", 7, "invalid_date", "referral_date"),
        ("hub.xlsx!referrals", 8, "invalid_date", "referral_date"),
    ]
    assert "hub.xlsx!referrals" in terminal


def test_row_numbers_are_the_sheets_own_and_empty_rows_are_skipped(tmp_path, capsys):
    folder = extract(
        tmp_path,
        {
            "victims": VICTIMS,
            "referrals": [
                [],  # row 1 empty: the header is on row 2
                REFERRAL_HEADER,
                referral("r1", dt.date(2026, 2, 3)),  # row 3
                [],  # row 4 empty: not a record
                referral("r2", dt.date(2026, 2, 3), victim="SECRET-nobody"),  # row 5: orphan
                referral("r3", dt.date(2026, 2, 4)),  # row 6
                [" "],  # rows 7 and 8: a stray space, no value (trailing)
                [None, " "],
            ],
        },
    )
    code, terminal, db = build(folder, tmp_path, capsys)
    assert code == 0, terminal
    assert quarantined(db) == [("hub.xlsx!referrals", 5, "orphan", "victim_id")]
    assert rows(
        db,
        "select rows_read, rows_loaded, rows_quarantined from meta.load_report "
        "where table_name = 'referrals'",
    ) == [(3, 2, 1)]
    assert "hub.xlsx!referrals: 3 empty rows" in terminal
    assert rows(db, "select file_name, rows from meta.load_issues where kind = 'empty_rows'") == [
        ("hub.xlsx!referrals", 3)
    ]


def test_formula_cells_give_their_cached_value(tmp_path, capsys):
    folder = extract(
        tmp_path,
        {
            "victims": VICTIMS,
            "referrals": [REFERRAL_HEADER, referral("r1", dt.date(2026, 2, 3))],
            "funding": [["month", "agency", "amount_gbp"], ["2026-01", "lgbt", 100]],
        },
    )
    book = folder / "hub.xlsx"
    # openpyxl writes no cached values: put a formula with its cached value (what Excel
    # saves) into the funding sheet's C2 by hand.
    with zipfile.ZipFile(book) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet_part = "xl/worksheets/sheet3.xml"
    xml = parts[sheet_part].decode()
    cell = re.search(r'<c r="C2"[^>]*>.*?</c>', xml).group(0)
    parts[sheet_part] = xml.replace(
        cell, '<c r="C2"><f>SUM(9000,250.5)</f><v>9250.5</v></c>'
    ).encode()
    with zipfile.ZipFile(book, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    code, terminal, db = build(folder, tmp_path, capsys)
    assert code == 0, terminal
    assert rows(db, "select month, agency, amount_gbp from raw.funding") == [
        ("2026-01", "lgbt", 9250.5)
    ]


def test_hidden_sheets_are_not_read_and_are_reported(tmp_path, capsys):
    folder = extract(
        tmp_path,
        {
            "victims": VICTIMS,
            "referrals": [REFERRAL_HEADER, referral("r1", dt.date(2026, 2, 3))],
            # A hidden sheet named after a table is not read: the build would otherwise load
            # rows nobody sees. Its only row would be quarantined (orphan) if it were read.
            "services": [
                ["service_id", "referral_id", "agency", "service_type", "start_date"],
                ["s1", "SECRET-hidden", "lgbt", "advocacy", dt.date(2026, 3, 1)],
            ],
            "notes for staff": [["anything"]],
        },
        hidden=("services",),
    )
    code, terminal, db = build(folder, tmp_path, capsys)
    assert code == 0, terminal
    assert "hub.xlsx!services: a hidden sheet, not read" in terminal
    assert "hub.xlsx!notes for staff: not a contract table, not read" in terminal
    assert rows(db, "select count(*) from raw.services") == [(0,)]
    assert rows(
        db,
        "select file_name, kind, rows from meta.load_issues "
        "where kind = 'ignored_sheet' order by 1",
    ) == [
        ("hub.xlsx!notes for staff", "ignored_sheet", 0),
        ("hub.xlsx!services", "ignored_sheet", 0),
    ]
    assert rows(db, "select table_name from meta.load_report order by 1") == [
        ("referrals",),
        ("victims",),
    ]


def test_merged_header_stops_the_file(tmp_path, capsys):
    folder = extract(
        tmp_path,
        {"victims": VICTIMS, "referrals": [REFERRAL_HEADER, referral("r1", dt.date(2026, 2, 3))]},
    )
    from openpyxl import load_workbook

    book = load_workbook(folder / "hub.xlsx")
    book["referrals"].merge_cells("C1:D1")  # crime_type and hate_crime merged: D1 is blank
    book.save(folder / "hub.xlsx")
    code, terminal, db = build(folder, tmp_path, capsys)
    assert code == 2
    # The merged cell's value is in C1 only: D1 (hate_crime) reads as blank.
    assert "error: hub.xlsx!referrals: required column hate_crime is missing" in terminal
    assert not db.exists()


def test_title_row_above_the_header_stops_the_file(tmp_path, capsys):
    folder = extract(
        tmp_path,
        {
            "victims": VICTIMS,
            "referrals": [["Referrals export"], REFERRAL_HEADER, referral("r1", "2026-02-03")],
        },
    )
    code, terminal, _ = build(folder, tmp_path, capsys)
    assert code == 2
    assert "hub.xlsx!referrals: required column referral_id is missing" in terminal


def test_repeated_header_row_is_quarantined(tmp_path, capsys):
    folder = extract(
        tmp_path,
        {
            "victims": VICTIMS,
            "referrals": [
                REFERRAL_HEADER,
                referral("r1", dt.date(2026, 2, 3)),
                REFERRAL_HEADER,  # row 3: two exports pasted together
                referral("r2", dt.date(2026, 2, 4)),
            ],
        },
    )
    code, terminal, db = build(folder, tmp_path, capsys)
    assert code == 0, terminal
    assert quarantined(db) == [("hub.xlsx!referrals", 3, "repeated_header", None)]
    assert rows(db, "select referral_id from raw.referrals order by 1") == [("r1",), ("r2",)]


def test_cell_longer_than_the_line_limit_is_quarantined(tmp_path, capsys):
    folder = extract(
        tmp_path,
        {
            "victims": VICTIMS,
            "referrals": [
                REFERRAL_HEADER,
                referral("r1", dt.date(2026, 2, 3)),
                referral("SECRET-" + "x" * 3000, dt.date(2026, 2, 4)),  # row 3
                referral("r3", dt.date(2026, 2, 5)),
            ],
        },
    )
    code, terminal, db = build(folder, tmp_path, capsys, "--max-line-bytes", "1024")
    assert code == 0, terminal
    assert quarantined(db) == [("hub.xlsx!referrals", 3, "line_too_long", None)]
    assert rows(db, "select referral_id from raw.referrals order by 1") == [("r1",), ("r3",)]


def test_a_missing_required_sheet_stops_the_build(tmp_path, capsys):
    folder = extract(tmp_path, {"victims": VICTIMS, "Sheet1": [["a"]]})
    code, terminal, db = build(folder, tmp_path, capsys)
    assert code == 2
    assert "required table referrals is missing" in terminal
    assert "a sheet referrals in a workbook" in terminal
    assert not db.exists()


def test_two_sheets_for_one_table_stop_the_build(tmp_path, capsys):
    folder = extract(
        tmp_path,
        {
            "victims": VICTIMS,
            "referrals": [REFERRAL_HEADER],
            "Referrals ": [REFERRAL_HEADER],  # the same table, by case and spaces
        },
    )
    code, terminal, _ = build(folder, tmp_path, capsys)
    assert code == 2
    assert "error: hub.xlsx: has two sheets for the table referrals: keep one" in terminal


def test_a_sheet_and_a_csv_file_for_one_table_stop_the_build(tmp_path, capsys):
    folder = extract(tmp_path, {"victims": VICTIMS, "referrals": [REFERRAL_HEADER]})
    (folder / "referrals.csv").write_text(",".join(REFERRAL_HEADER) + "\n", encoding="utf-8")
    code, terminal, _ = build(folder, tmp_path, capsys)
    assert code == 2
    assert "both hub.xlsx!referrals and referrals.csv are present: keep one" in terminal


def test_one_workbook_per_table(tmp_path, capsys):
    folder = tmp_path / "extract"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps(MANIFEST), encoding="utf-8")
    write_book(folder / "victims.xlsx", {"Sheet1": VICTIMS})
    write_book(
        folder / "referrals.xlsx",
        {
            "Export": [REFERRAL_HEADER, referral("r1", dt.date(2026, 2, 3))],
            "referrals": [REFERRAL_HEADER, referral("r2", dt.date(2026, 2, 4))],
        },
    )
    code, terminal, db = build(folder, tmp_path, capsys)
    assert code == 0, terminal
    # referrals.xlsx has two sheets: the one named after the table is read.
    assert rows(db, "select referral_id from raw.referrals") == [("r2",)]
    assert "referrals.xlsx!Export: not read" in terminal
    assert sorted(rows(db, "select file_name from meta.load_report")) == [
        ("referrals.xlsx!referrals",),
        ("victims.xlsx!Sheet1",),
    ]


def test_a_file_that_is_not_a_workbook_stops(tmp_path, capsys):
    folder = extract(tmp_path, {"victims": VICTIMS, "referrals": [REFERRAL_HEADER]})
    (folder / "services.xlsx").write_bytes(b"SECRET-not a zip file")
    code, terminal, _ = build(folder, tmp_path, capsys)
    assert code == 2
    assert "error: services.xlsx: is not a readable Excel workbook (.xlsx)" in terminal


@pytest.mark.parametrize("date_format", ["uk", "iso"])
def test_date_cells_follow_the_manifest_date_format(tmp_path, capsys, date_format):
    folder = extract(
        tmp_path,
        {"victims": VICTIMS, "referrals": [REFERRAL_HEADER, referral("r1", dt.date(2026, 2, 3))]},
    )
    manifest = {**MANIFEST, "date_format": date_format}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    code, terminal, db = build(folder, tmp_path, capsys)
    assert code == 0, terminal
    assert rows(db, "select referral_date from raw.referrals") == [(dt.date(2026, 2, 3),)]


def test_excels_lock_file_is_not_a_workbook(tmp_path, capsys):
    folder = extract(
        tmp_path,
        {"victims": VICTIMS, "referrals": [REFERRAL_HEADER, referral("r1", dt.date(2026, 2, 3))]},
    )
    (folder / "~$hub.xlsx").write_bytes(b"\x00lock")  # Excel's owner file of an open workbook
    code, terminal, db = build(folder, tmp_path, capsys)
    assert code == 0, terminal
    assert "~$hub.xlsx: not a contract table" in terminal


def test_period_folders_win_over_a_workbook_beside_them(tmp_path, capsys):
    root = tmp_path / "extracts"
    period = root / "2026-10"
    period.mkdir(parents=True)
    write_book(
        period / "hub.xlsx",
        {"victims": VICTIMS, "referrals": [REFERRAL_HEADER, referral("r1", dt.date(2026, 2, 3))]},
    )
    # The hub's template kept beside the period folders: empty tables, not the extract.
    write_book(root / "hub_extract_template.xlsx", {"victims": VICTIMS[:1]})
    code, terminal, db = build(root, tmp_path, capsys)
    assert code == 0, terminal
    assert "as-of date  2026-10-31 (from the folder name)" in terminal
    assert rows(db, "select referral_id from raw.referrals") == [("r1",)]
