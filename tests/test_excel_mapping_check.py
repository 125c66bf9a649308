"""A new hub's extract as it comes: a workbook, the system's own column names, a column map.

* The same data as contract CSV files, as a workbook, and as a workbook with the system's
  own column names plus ``column_map.csv``, build identical marts.
* ``column_map.csv`` errors are one line naming the map's line; nothing is created.
* ``hubvalue check`` prints the load report and the as-of date and writes nothing; its exit
  code is the build's.
* ``hubvalue template`` and ``hubvalue generate --format xlsx``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from metrics import contract
from metrics.cli import main
from metrics.excel_write import csv_extract_to_workbook
from metrics.template import ABOUT_SHEET, LISTS_SHEET

SECRET = re.compile("secret-", re.IGNORECASE)
# The system's own names for some contract columns (what a hub's export says).
RENAMES = {
    "victims": {"victim_id": "Client ID", "age_band": "Age Group", "gender": "Gender"},
    "referrals": {
        "referral_id": "Case Ref",
        "victim_id": "Client ID",
        "referral_date": "Date Referred",
        "closed_date": "Date Closed",
        "closure_reason": "Closure Reason",
    },
    "services": {"service_id": "Service No", "start_date": "Started On"},
}


def marts(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        return {n: con.execute(f'select * from marts."{n}" order by all').fetchall() for n in names}
    finally:
        con.close()


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def csv_extract(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("csv") / "extract"
    assert (
        main(
            [
                "generate",
                "--out",
                str(folder),
                "--referrals",
                "300",
                "--seed",
                "3",
                "--months",
                "12",
                "--end",
                "2026-09",
                "--quiet",
            ]
        )  # fmt: skip
        == 0
    )
    return folder


@pytest.fixture(scope="module")
def csv_marts(csv_extract, tmp_path_factory) -> dict[str, list[tuple]]:
    db = tmp_path_factory.mktemp("csv_build") / "w.duckdb"
    assert main(["build", "--input", str(csv_extract), "--db", str(db), "--quiet"]) == 0
    found = marts(db)
    assert sum(len(rows) for rows in found.values()) > 100  # a real warehouse, not empty marts
    return found


def workbook_extract(csv_extract: Path, folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copyfile(csv_extract / "manifest.json", folder / "manifest.json")
    csv_extract_to_workbook(csv_extract, folder / "hub export.xlsx")
    return folder


def test_a_workbook_builds_the_same_marts_as_the_csv_files(csv_extract, csv_marts, tmp_path):
    folder = workbook_extract(csv_extract, tmp_path / "xlsx")
    db = tmp_path / "w.duckdb"
    assert main(["build", "--input", str(folder), "--db", str(db), "--quiet"]) == 0
    assert marts(db) == csv_marts


def system_named_workbook(csv_extract: Path, folder: Path) -> Path:
    """The workbook with the system's own column names and one extra column, and its map."""
    workbook_extract(csv_extract, folder)
    path = folder / "hub export.xlsx"
    book = load_workbook(path)
    lines = ["table,source_column,contract_column"]
    for table, names in RENAMES.items():
        sheet = book[table]
        for cell in sheet[1]:
            if cell.value in names:
                lines.append(f"{table},{names[cell.value]},{cell.value}")
                cell.value = names[cell.value]
    sheet = book["referrals"]
    sheet.cell(1, sheet.max_column + 1, "Team")  # a column the contract does not want
    lines.append("referrals,Team,")
    book.save(path)
    (folder / "column_map.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_system_column_names_through_a_map_build_the_same_marts(
    csv_extract, csv_marts, tmp_path, capsys
):
    folder = system_named_workbook(csv_extract, tmp_path / "mapped")
    db = tmp_path / "w.duckdb"
    # Without the map, the workbook's sheets lack the contract's names: the build stops.
    (folder / "column_map.csv").rename(tmp_path / "column_map.csv")
    code, _, err = run(["build", "--input", str(folder), "--db", str(db)], capsys)
    assert code == 2
    assert "hub export.xlsx!victims: required column victim_id is missing" in err
    # With the map given on the command line, the check says what would load and the build
    # then gives the marts of the contract CSV files.
    code, out, _ = run(
        ["check", "--input", str(folder), "--column-map", str(tmp_path / "column_map.csv")],
        capsys,
    )
    assert code == 0
    assert "as-of date  2026-09-30 (from the manifest)" in out
    assert "columns mapped by column_map.csv" in out
    assert "hub export.xlsx!referrals: column team is not in the contract" in out
    assert not db.exists()
    code, out, _ = run(
        [
            "build",
            "--input",
            str(folder),
            "--db",
            str(db),
            "--column-map",
            str(tmp_path / "column_map.csv"),
        ],  # fmt: skip
        capsys,
    )
    assert code == 0
    assert marts(db) == csv_marts


# --- column map errors ------------------------------------------------------------------------

VICTIMS = "victim_id,age_band,gender,ethnic_group,disability,lgbt\nv1,25-34,female,white,no,no\n"
REFERRALS = (
    "Case Ref,victim_id,crime_type,hate_crime,domestic_abuse,enhanced_rights,source,"
    "Date Referred\nr1,v1,theft,no,no,no,police,2026-02-03\n"
)


def small_extract(folder: Path, column_map: str) -> Path:
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"as_of": "2026-10-31"}), encoding="utf-8")
    (folder / "victims.csv").write_text(VICTIMS, encoding="utf-8")
    (folder / "referrals.csv").write_text(REFERRALS, encoding="utf-8")
    (folder / "column_map.csv").write_text(
        "table,source_column,contract_column\n" + column_map, encoding="utf-8"
    )
    return folder


def test_a_column_map_of_a_csv_extract(tmp_path, capsys):
    folder = small_extract(
        tmp_path / "x", "referrals,Case Ref,referral_id\nreferrals,date referred ,referral_date\n"
    )
    db = tmp_path / "w.duckdb"
    code, out, err = run(["build", "--input", str(folder), "--db", str(db)], capsys)
    assert code == 0, err
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute(
            "select referral_id, referral_date::varchar from raw.referrals"
        ).fetchall() == [("r1", "2026-02-03")]
    finally:
        con.close()


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            "referrals,Case Ref,referral_id\nreferral,Date Referred,referral_date\n",
            "column_map.csv: line 3: referral is not a contract table",
        ),
        (
            "referrals,Case Ref,referral_id\nreferrals,Date Referred,referred_on\n",
            "column_map.csv: line 3: referred_on is not a column of the referrals table",
        ),
        (
            "referrals,Case Ref,referral_id\nreferrals,Date Referred,referral_id\n",
            "column_map.csv: line 3: referrals.referral_id has two source columns (line 2)",
        ),
        (
            "referrals,Case Ref,referral_id\n",
            "column_map.csv: line 2: the required column referrals.referral_date is neither "
            "mapped nor in referrals.csv",
        ),
        (
            "referrals,Case Ref,referral_id\nreferrals,Date Referred,referral_date\n"
            "referrals,Client Name,victim_id\n",
            "column_map.csv: line 4: the source column client name looks like a direct identifier",
        ),
        (
            "referrals,Case Ref,referral_id\nreferrals,Date Referred,referral_date\n"
            "referrals,Closure Reason,closure_reason\n",
            "column_map.csv: line 4: referrals.csv has no column closure reason",
        ),
        (
            "referrals,Case Ref,referral_id\nreferrals,case ref,crime_type\n",
            "column_map.csv: line 3: the source column case ref of referrals is mapped again "
            "(line 2)",
        ),
        ("referrals,Case Ref\n", "column_map.csv: line 2: does not have 3 fields"),
    ],
)
def test_column_map_errors_name_the_line(tmp_path, capsys, lines, message):
    folder = small_extract(tmp_path / "x", lines)
    db = tmp_path / "w.duckdb"
    for command in ("check", "build"):
        argv = [command, "--input", str(folder)] + (["--db", str(db)] if command == "build" else [])
        code, out, err = run(argv, capsys)
        assert code == 2
        errors = [line for line in err.splitlines() if "error:" in line]
        assert len(errors) == 1, err
        assert message in errors[0]
    assert not db.exists()


# --- hubvalue check ------------------------------------------------------------------------


def test_check_reports_quarantine_and_writes_nothing(tmp_path, capsys):
    folder = small_extract(
        tmp_path / "x", "referrals,Case Ref,referral_id\nreferrals,Date Referred,referral_date\n"
    )
    with (folder / "referrals.csv").open("a", encoding="utf-8") as handle:
        handle.write("r2,v1,SECRET-crime,no,no,no,police,2026-02-04\n")
        handle.write("r3,v1,theft,no,no,no,police,2099-01-01\n")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    code, out, err = run(["check", "--input", str(folder), "--quiet"], capsys)
    assert code == 0, err
    assert not SECRET.search(out + err)
    assert "as-of date  2026-10-31 (from the manifest)" in out
    assert re.search(r"referrals\.csv\s+3\s+1\s+2", out)
    assert "quarantined  referrals.csv: unknown_code (crime_type): 1 rows" in out
    assert "quarantined  referrals.csv: future_date (referral_date): 1 rows" in out
    assert "a build would load 2 rows and quarantine 2 (nothing was written)" in out
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_check_exit_code_says_a_build_would_stop(tmp_path, capsys):
    folder = small_extract(tmp_path / "x", "referrals,Case Ref,referral_id\n")
    code, _, err = run(["check", "--input", str(folder)], capsys)
    assert code == 2
    assert "hubvalue check: error: column_map.csv: line 2" in err


def test_check_refuses_an_as_of_date_the_extract_does_not_cover(tmp_path, capsys):
    folder = small_extract(
        tmp_path / "x", "referrals,Case Ref,referral_id\nreferrals,Date Referred,referral_date\n"
    )
    (folder / "manifest.json").unlink()
    code, _, err = run(["check", "--input", str(folder), "--as-of", "2026-12-31"], capsys)
    assert code == 2
    assert "as_of" in err or "as-of" in err


# --- template and generate --------------------------------------------------------------------


def test_template_has_every_table_header_and_drop_downs(tmp_path, capsys):
    target = tmp_path / "hub_extract_template.xlsx"
    code, out, _ = run(["template", "--out", str(target)], capsys)
    assert code == 0
    book = load_workbook(target)
    assert book.sheetnames == [ABOUT_SHEET, *contract.TABLE_NAMES, LISTS_SHEET]
    assert book[LISTS_SHEET].sheet_state == "hidden"
    for table in contract.TABLES:
        sheet = book[table.name]
        assert [c.value for c in sheet[1]] == list(table.column_names)
        validated = {
            str(ref).split(":")[0].rstrip("0123456789"): v.formula1
            for v in sheet.data_validations.dataValidation
            for ref in v.sqref.ranges
        }
        lists = {
            c.name: c.codes or ("yes", "no") for c in table.columns if c.codes or c.type == "bool"
        }
        assert len(validated) == len(lists), table.name
        for index, column in enumerate(table.columns, start=1):
            if column.name not in lists:
                continue
            formula = validated[sheet.cell(1, index).column_letter]
            # The list's range on the hidden sheet holds exactly the column's codes.
            cells = book[LISTS_SHEET][formula.split("!")[1].replace("$", "")]
            assert tuple(row[0].value for row in cells) == tuple(lists[column.name])
    about = [row for row in book[ABOUT_SHEET].iter_rows(values_only=True) if row[1]]
    assert len(about) == 1 + sum(len(t.columns) for t in contract.TABLES)  # header + columns


def test_a_filled_template_builds(tmp_path, capsys):
    folder = tmp_path / "extract"
    folder.mkdir()
    target = folder / "hub_extract_template.xlsx"
    run(["template", "--out", str(target)], capsys)
    book = load_workbook(target)
    book["victims"].append(["v1", "25-34", "female", "white", "no", "no", "E05000001"])
    book["referrals"].append(
        ["r1", "v1", "theft", "no", "no", "yes", "police", None, None, None, "2026-02-03"]
    )
    book.save(target)
    db = tmp_path / "w.duckdb"
    code, out, err = run(
        ["build", "--input", str(folder), "--db", str(db), "--as-of", "2026-02-28"], capsys
    )
    assert code == 0, err
    assert "hub_extract_template.xlsx!about: not a contract table, not read" in out
    assert "hub_extract_template.xlsx!lists: a hidden sheet, not read" in out
    assert re.search(r"hub_extract_template\.xlsx!referrals\s+1\s+1\s+0", out)


def test_generate_xlsx_writes_one_workbook_a_build_reads(tmp_path, capsys):
    out_dir = tmp_path / "demo"
    out_dir.mkdir()
    (out_dir / "victims.csv").write_text("stale\n", encoding="utf-8")  # an older extract
    code, out, _ = run(
        [
            "generate",
            "--out",
            str(out_dir),
            "--referrals",
            "50",
            "--months",
            "6",
            "--format",
            "xlsx",
            "--end",
            "2026-09",
        ],  # fmt: skip
        capsys,
    )
    assert code == 0
    assert sorted(p.name for p in out_dir.iterdir()) == ["extract.xlsx", "manifest.json"]
    assert f"written to {out_dir} (xlsx" in out
    assert load_workbook(out_dir / "extract.xlsx", read_only=True).sheetnames == list(
        contract.TABLE_NAMES
    )
    code, out, err = run(["check", "--input", str(out_dir), "--quiet"], capsys)
    assert code == 0, err
    assert re.search(r"extract\.xlsx!referrals\s+50\s+50\s+0", out)


def test_check_with_db_refuses_an_extract_older_than_the_warehouse(tmp_path, capsys):
    folder = small_extract(
        tmp_path / "x", "referrals,Case Ref,referral_id\nreferrals,Date Referred,referral_date\n"
    )
    db = tmp_path / "w.duckdb"
    assert run(["build", "--input", str(folder), "--db", str(db), "--quiet"], capsys)[0] == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    argv = ["check", "--input", str(folder), "--as-of", "2026-09-30", "--db", str(db)]
    code, _, err = run(argv, capsys)
    assert code == 2
    assert "older than the warehouse w.duckdb (as of 2026-10-31)" in err
    assert run([*argv, "--allow-older", "--quiet"], capsys)[0] == 0
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before
