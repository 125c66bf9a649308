"""Parquet columns in their own types: validated as typed values, with the CSV path as reference.

A Parquet column whose type already is the contract's (DATE/TIMESTAMP for dates, integers for
``int``, numbers for ``decimal``, BOOLEAN for ``bool``) is not cast to text and parsed back: only
the range rules apply. These tests build small hand-made Parquet extracts with the real build
and check, row by row, what is loaded and what is quarantined (with which reason, record number
and values as read), that the same values written as CSV text give the same result, that no raw
value reaches the terminal, a log or an error, and that a broken parent or child file stops the
build and leaves the previous warehouse as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import io
import json
import logging
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from metrics.build import build, quarantine_path_for
from metrics.cli import main
from metrics.snapshot import ExtractError
from tests.support import holds_secret

AS_OF = "2026-10-31"
UTC = dt.UTC
SECRET = re.compile("secret-", re.IGNORECASE)
# Values of rejected rows that are unique enough to search for in text: the out-of-range
# integers and the pre-1900 dates of the typed extract below.
RAW_NUMBERS_AND_DATES = ("3000000123", "4000000000", "1850-06-01", "1899-12-31")

CODE_MAP = [
    "table,column,source_value,code",
    "victims,disability,1,yes",
    "victims,disability,0,no",
    "assessments,stage,1,intake",
    "assessments,stage,2,review",
    "assessments,stage,3,exit",
    "funding,agency,1,victim_support",
    "funding,agency,2,hate_crime",
]

# ---------------------------------------------------------------------------
# The typed extract and its CSV twin (same values, written as a CMS would print them)


def typed_tables() -> dict[str, pa.Table]:
    """Every column in the Parquet type a system would write; bad rows hold SECRET- ids."""
    date = pa.date32()
    return {
        "victims": pa.table(
            {
                "victim_id": ["v1", "v2", "v3"],
                "age_band": ["25-34", "75+", "0-17"],
                "gender": ["female", "male", "non_binary"],
                "ethnic_group": ["white", "asian", "mixed"],
                # Codes stored as integers: mapped by code_map.csv (disability) or not (lgbt).
                "disability": pa.array([1, 0, 1], pa.int8()),
                "lgbt": pa.array([7, 7, 7], pa.int8()),
            }
        ),
        "referrals": pa.table(
            {
                "referral_id": ["r1", "SECRET-R2", "SECRET-R3", "r4", "SECRET-R5"],
                "victim_id": ["v1", "v2", "v3", "v3", "v1"],
                "crime_type": ["theft", "theft", "violence_with_injury", "theft", "theft"],
                "hate_crime": pa.array([False, None, True, False, False], pa.bool_()),
                # A bool column stored as text still parses.
                "domestic_abuse": ["Y", "no", "no", "no", "n"],
                "enhanced_rights": pa.array([True, False, True, False, False], pa.bool_()),
                "source": ["police", "self", "police", "police", "self"],
                "crime_date": pa.array(
                    [dt.date(2026, 1, 2), None, dt.date(1850, 6, 1), None, None], date
                ),
                # A local timestamp (no zone): its date as written.
                "reported_date": pa.array(
                    [dt.datetime(2026, 1, 3, 23, 30), None, None, None, None], pa.timestamp("us")
                ),
                "referral_date": pa.array(
                    [
                        dt.date(2026, 1, 5),
                        dt.date(2026, 2, 3),
                        dt.date(2026, 4, 3),
                        dt.date(2026, 1, 10),
                        dt.date(1899, 12, 31),
                    ],
                    date,
                ),
                # An instant (UTC): the date in England and Wales.
                "first_contact_date": pa.array(
                    [
                        dt.datetime(2026, 7, 15, 23, 30, tzinfo=UTC),
                        None,
                        None,
                        dt.datetime(2026, 1, 15, 23, 30, tzinfo=UTC),
                        None,
                    ],
                    pa.timestamp("us", tz="UTC"),
                ),
                "closed_date": pa.array([dt.date(2026, 8, 1), None, None, None, None], date),
                "closure_reason": ["support_completed", None, None, None, None],
            }
        ),
        "services": pa.table(
            {
                "service_id": ["s1", "SECRET-S2", "SECRET-S3", "SECRET-S4"],
                "referral_id": ["r1", "r1", "r4", "r4"],
                "agency": ["hate_crime", "hate_crime", "victim_support", "victim_support"],
                "service_type": ["advocacy", "advocacy", "practical_help", "practical_help"],
                "start_date": pa.array(
                    [dt.date(2026, 1, d) for d in (20, 21, 22, 23)], pa.date32()
                ),
                "cost_gbp": pa.array([12.5, float("nan"), float("inf"), -5.0], pa.float64()),
            }
        ),
        "assessments": pa.table(
            {
                "assessment_id": ["a1", "SECRET-A2", "SECRET-A3", "SECRET-A4", "SECRET-A5", "a6"],
                "referral_id": ["r1", "r1", "r1", "r1", "r4", "r4"],
                "stage": pa.array([1, 3, 2, 2, 9, 2], pa.int8()),
                "assessment_date": pa.array(
                    [
                        dt.date(2026, 1, 8),
                        dt.date(2026, 2, 20),
                        dt.date(2026, 2, 1),
                        dt.date(2026, 2, 2),
                        dt.date(2026, 1, 12),
                        dt.date(2026, 1, 13),
                    ],
                    pa.date32(),
                ),
                "swemwbs": pa.array([14, 3_000_000_123, 36, None, None, None], pa.int64()),
                "swemwbs_metric": pa.array(
                    [None, None, None, None, None, decimal.Decimal("19.98")],
                    pa.decimal128(5, 2),
                ),
                "life_satisfaction": pa.array([5, 6, None, -1, None, None], pa.int32()),
                "safety": pa.array([3, 4, None, None, None, 5], pa.uint8()),
            }
        ),
        "health_use": pa.table(
            {
                "referral_id": ["r1", "r1", "r4"],
                "window": ["pre_6m", "post_6m", "pre_6m"],
                "gp_appointments": pa.array([2, -1, 0], pa.int64()),
                "ae_attendances": pa.array([0, 1, 4_000_000_000], pa.uint32()),
                "source": ["self_report", "self_report", "linked_record"],
            }
        ),
        "funding": pa.table(
            {
                "month": ["2026-09", "2026-09", "2026-09"],
                "agency": pa.array([1, 2, 5], pa.int8()),
                "amount_gbp": pa.array(
                    [decimal.Decimal("1234.56"), None, decimal.Decimal("10.00")],
                    pa.decimal128(10, 2),
                ),
            }
        ),
    }


# The same records as CSV text. The UTC instants are written as the London date a CMS in
# England would print (23:30 UTC on 15 July is 00:30 BST on 16 July; 15 January is GMT).
CSV_TWIN = {
    "victims": [
        "victim_id,age_band,gender,ethnic_group,disability,lgbt",
        "v1,25-34,female,white,1,7",
        "v2,75+,male,asian,0,7",
        "v3,0-17,non_binary,mixed,1,7",
    ],
    "referrals": [
        "referral_id,victim_id,crime_type,hate_crime,domestic_abuse,enhanced_rights,source,"
        "crime_date,reported_date,referral_date,first_contact_date,closed_date,closure_reason",
        "r1,v1,theft,false,Y,true,police,2026-01-02,2026-01-03 23:30:00,2026-01-05,2026-07-16,"
        "2026-08-01,support_completed",
        "SECRET-R2,v2,theft,,no,false,self,,,2026-02-03,,,",
        "SECRET-R3,v3,violence_with_injury,true,no,true,police,1850-06-01,,2026-04-03,,,",
        "r4,v3,theft,false,no,false,police,,,2026-01-10,2026-01-15,,",
        "SECRET-R5,v1,theft,false,n,false,self,,,1899-12-31,,,",
    ],
    "services": [
        "service_id,referral_id,agency,service_type,start_date,cost_gbp",
        "s1,r1,hate_crime,advocacy,2026-01-20,12.5",
        "SECRET-S2,r1,hate_crime,advocacy,2026-01-21,NaN",
        "SECRET-S3,r4,victim_support,practical_help,2026-01-22,inf",
        "SECRET-S4,r4,victim_support,practical_help,2026-01-23,-5.0",
    ],
    "assessments": [
        "assessment_id,referral_id,stage,assessment_date,swemwbs,swemwbs_metric,"
        "life_satisfaction,safety",
        "a1,r1,1,2026-01-08,14,,5,3",
        "SECRET-A2,r1,3,2026-02-20,3000000123,,6,4",
        "SECRET-A3,r1,2,2026-02-01,36,,,",
        "SECRET-A4,r1,2,2026-02-02,,,-1,",
        "SECRET-A5,r4,9,2026-01-12,,,,",
        "a6,r4,2,2026-01-13,,19.98,,5",
    ],
    "health_use": [
        "referral_id,window,gp_appointments,ae_attendances,source",
        "r1,pre_6m,2,0,self_report",
        "r1,post_6m,-1,1,self_report",
        "r4,pre_6m,0,4000000000,linked_record",
    ],
    "funding": [
        "month,agency,amount_gbp",
        "2026-09,1,1234.56",
        "2026-09,2,",
        "2026-09,5,10.00",
    ],
}

# Every rejected row, in the store's order: contract table order, then record number (row 1 is
# the first data row). Several tables have bad rows, and tables load two at a time.
EXPECTED_QUARANTINE = [
    ("referrals", 2, "missing_value", "hate_crime"),  # BOOLEAN NULL in a required bool
    ("referrals", 3, "invalid_date", "crime_date"),  # DATE 1850-06-01: before 1900
    ("referrals", 5, "invalid_date", "referral_date"),  # DATE 1899-12-31: the day before 1900
    ("services", 2, "invalid_number", "cost_gbp"),  # DOUBLE NaN
    ("services", 3, "invalid_number", "cost_gbp"),  # DOUBLE +inf
    ("services", 4, "out_of_range", "cost_gbp"),  # -5.0 < 0
    ("assessments", 2, "invalid_number", "swemwbs"),  # int64 3000000123 > 2**31 - 1
    ("assessments", 3, "out_of_range", "swemwbs"),  # 36 > 35
    ("assessments", 4, "out_of_range", "life_satisfaction"),  # -1 < 0
    ("assessments", 5, "unknown_code", "stage"),  # int 9: not in code_map, not a stage
    ("health_use", 2, "out_of_range", "gp_appointments"),  # int64 -1 < 0
    ("health_use", 3, "invalid_number", "ae_attendances"),  # uint32 4000000000 > 2**31 - 1
    ("funding", 2, "missing_value", "amount_gbp"),  # DECIMAL NULL in a required decimal
    ("funding", 3, "unknown_code", "agency"),  # int 5: not in code_map, not an agency
]

# (file, rows read, loaded, quarantined): read = loaded + quarantined, per file.
EXPECTED_REPORT = {
    "victims": (3, 3, 0),
    "referrals": (5, 2, 3),  # r1, r4 loaded; records 2, 3, 5 quarantined
    "services": (4, 1, 3),  # s1 loaded
    "assessments": (6, 2, 4),  # a1, a6 loaded
    "health_use": (3, 1, 2),  # (r1, pre_6m) loaded
    "funding": (3, 1, 2),  # (2026-09, victim_support) loaded
}


def write_parquet_extract(folder: Path, tables: dict[str, pa.Table]) -> Path:
    """Two rows per row group, so record numbers run across row groups (records 3 and 5 of a
    file are the first rows of its second and third groups)."""
    folder.mkdir(parents=True)
    for name, table in tables.items():
        pq.write_table(table, folder / f"{name}.parquet", row_group_size=2)
    (folder / "code_map.csv").write_text("\n".join(CODE_MAP) + "\n", encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({"as_of": AS_OF}), encoding="utf-8")
    return folder


def write_csv_extract(folder: Path, tables: dict[str, list[str]]) -> Path:
    folder.mkdir(parents=True)
    for name, lines in tables.items():
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "code_map.csv").write_text("\n".join(CODE_MAP) + "\n", encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({"as_of": AS_OF}), encoding="utf-8")
    return folder


@dataclass
class Built:
    db: Path
    store: Path
    terminal: str = ""
    log: str = ""


def run_cli_build(folder: Path, db: Path) -> Built:
    """``hubvalue build`` as a user runs it, with its terminal output and log records."""
    out, err, log = io.StringIO(), io.StringIO(), io.StringIO()
    handler = logging.StreamHandler(log)
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["build", "--input", str(folder), "--db", str(db)])
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert code == 0, err.getvalue()
    return Built(db, quarantine_path_for(db), out.getvalue() + err.getvalue(), log.getvalue())


@pytest.fixture(scope="module")
def typed_build(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("typed")
    folder = write_parquet_extract(root / "extract", typed_tables())
    return run_cli_build(folder, root / "warehouse" / "w.duckdb")


@pytest.fixture(scope="module")
def csv_build(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("csv")
    folder = write_csv_extract(root / "extract", CSV_TWIN)
    db = root / "warehouse" / "w.duckdb"
    build(folder, db)
    return Built(db, quarantine_path_for(db))


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def store_rows(built: Built) -> list[tuple]:
    """The quarantine store's rows in stored order (no ORDER BY on the values)."""
    return query(
        built.store, "select table_name, record_number, rule, column_name from rows order by rowid"
    )


def raw_values(built: Built, table: str, record: int) -> str:
    return query(
        built.store,
        "select raw_values::varchar from rows where table_name = ? and record_number = ?",
        [table, record],
    )[0][0]


def reject_constant(name: str):
    raise ValueError(f"not a JSON value: {name}")


def strict_json(text: str) -> dict:
    """Standard JSON only: NaN and Infinity are not JSON numbers."""
    return json.loads(text, parse_constant=reject_constant)


# ---------------------------------------------------------------------------
# Reasons, record numbers, order and accounting


def test_store_holds_each_bad_row_in_table_then_record_order(typed_build):
    assert store_rows(typed_build) == EXPECTED_QUARANTINE


def test_csv_twin_quarantines_the_same_rows_for_the_same_reasons(csv_build):
    # The CSV path is the reference: typed Parquet values must fail the same rules.
    assert store_rows(csv_build) == EXPECTED_QUARANTINE


def test_rows_read_equal_loaded_plus_quarantined_per_file(typed_build):
    report = query(
        typed_build.db,
        "select table_name, file_name, rows_read, rows_loaded, rows_quarantined "
        "from meta.load_report order by table_name",
    )
    assert {t: (r, lo, q) for t, _, r, lo, q in report} == EXPECTED_REPORT
    assert all(f == f"{t}.parquet" for t, f, *_ in report)
    for table, read, loaded, quarantined in ((t, *v) for t, v in EXPECTED_REPORT.items()):
        assert read == loaded + quarantined, table
        assert query(typed_build.db, f"select count(*) from raw.{table}")[0][0] == loaded
        in_store = query(
            typed_build.store, "select count(*) from rows where table_name = ?", [table]
        )[0][0]
        assert in_store == quarantined, table


def test_loaded_rows_equal_the_csv_twin(typed_build, csv_build):
    for table in EXPECTED_REPORT:
        sql = f"select * from raw.{table} order by all"
        assert query(typed_build.db, sql) == query(csv_build.db, sql), table


# ---------------------------------------------------------------------------
# Each Parquet type


def test_integers_keep_their_range_rules(typed_build):
    int_rows = [r for r in store_rows(typed_build) if r[0] in ("assessments", "health_use")]
    assert int_rows == [
        ("assessments", 2, "invalid_number", "swemwbs"),  # int64 beyond the 32-bit range
        ("assessments", 3, "out_of_range", "swemwbs"),  # above 35
        ("assessments", 4, "out_of_range", "life_satisfaction"),  # negative
        ("assessments", 5, "unknown_code", "stage"),
        ("health_use", 2, "out_of_range", "gp_appointments"),  # negative, minimum 0
        ("health_use", 3, "invalid_number", "ae_attendances"),  # uint32 beyond the 32-bit range
    ]
    loaded = query(
        typed_build.db,
        "select assessment_id, swemwbs, life_satisfaction, safety, typeof(swemwbs) "
        "from raw.assessments order by assessment_id",
    )
    # int8/int64/int32/uint8 values load as the contract's integer.
    assert loaded == [("a1", 14, 5, 3, "INTEGER"), ("a6", None, None, 5, "INTEGER")]


def test_decimals_load_the_exact_value_and_reject_nan_and_infinity(typed_build):
    assert query(typed_build.db, "select service_id, cost_gbp from raw.services") == [("s1", 12.5)]
    assert [r for r in store_rows(typed_build) if r[0] == "services"] == [
        ("services", 2, "invalid_number", "cost_gbp"),  # DOUBLE NaN
        ("services", 3, "invalid_number", "cost_gbp"),  # DOUBLE +inf
        ("services", 4, "out_of_range", "cost_gbp"),  # -5.0 below the minimum 0
    ]
    # DECIMAL(10,2) 1234.56 loads as 1234.56, as the text '1234.56' does.
    assert query(typed_build.db, "select month, agency, amount_gbp from raw.funding") == [
        ("2026-09", "victim_support", 1234.56)
    ]
    # DECIMAL(5,2) 19.98 is a value of the SWEMWBS conversion table, so the row loads.
    assert query(
        typed_build.db, "select swemwbs_metric from raw.assessments where assessment_id = 'a6'"
    ) == [(19.98,)]


def test_booleans_typed_and_as_text(typed_build):
    rows = query(
        typed_build.db,
        "select referral_id, hate_crime, domestic_abuse, enhanced_rights "
        "from raw.referrals order by referral_id",
    )
    # r1: BOOLEAN false, text 'Y' -> true, BOOLEAN true; r4: false, text 'no' -> false, false.
    assert rows == [("r1", False, True, True), ("r4", False, False, False)]
    assert ("referrals", 2, "missing_value", "hate_crime") in store_rows(typed_build)


def test_dates_timestamps_and_instants(typed_build):
    rows = query(
        typed_build.db,
        "select referral_id, crime_date, reported_date, referral_date, first_contact_date, "
        "closed_date from raw.referrals order by referral_id",
    )
    assert rows == [
        (
            "r1",
            dt.date(2026, 1, 2),
            dt.date(2026, 1, 3),  # TIMESTAMP 2026-01-03 23:30 (local): its own date
            dt.date(2026, 1, 5),
            dt.date(2026, 7, 16),  # 23:30 UTC on 15 July = 00:30 BST on 16 July in London
            dt.date(2026, 8, 1),
        ),
        # 23:30 UTC on 15 January is 23:30 GMT: the same day in London.
        ("r4", None, None, dt.date(2026, 1, 10), dt.date(2026, 1, 15), None),
    ]


def test_codes_stored_as_integers_are_read_as_text(typed_build):
    victims = query(
        typed_build.db, "select victim_id, disability, lgbt from raw.victims order by victim_id"
    )
    # disability 1/0 mapped by code_map.csv; lgbt 7 is no code: a demographic reads as unknown.
    assert victims == [("v1", "yes", "unknown"), ("v2", "no", "unknown"), ("v3", "yes", "unknown")]
    unmapped = query(
        typed_build.db,
        "select file_name, column_name, rows from meta.load_issues where kind = 'code_unmapped'",
    )
    assert unmapped == [("victims.parquet", "lgbt", 3)]
    # stage 1 -> intake, 2 -> review; agency 1 -> victim_support (code_map.csv).
    assert query(
        typed_build.db, "select assessment_id, stage from raw.assessments order by all"
    ) == [("a1", "intake"), ("a6", "review")]


# ---------------------------------------------------------------------------
# Values as read: in the quarantine store only


def test_raw_values_hold_the_typed_values_as_read(typed_build):
    # Typed columns are JSON numbers, booleans and ISO date strings; text columns are strings
    # (code-mapped: stage 3 is stored as the code it maps to, as on the CSV path).
    assert strict_json(raw_values(typed_build, "assessments", 2)) == {
        "assessment_id": "SECRET-A2",
        "referral_id": "r1",
        "stage": "exit",
        "assessment_date": "2026-02-20",
        "swemwbs": 3000000123,
        "swemwbs_metric": None,
        "life_satisfaction": 6,
        "safety": 4,
    }
    assert strict_json(raw_values(typed_build, "health_use", 3)) == {
        "referral_id": "r4",
        "window": "pre_6m",
        "gp_appointments": 0,
        "ae_attendances": 4000000000,
        "source": "linked_record",
    }
    # agency is an int8 read as text; amount_gbp a DECIMAL(10,2).
    assert strict_json(raw_values(typed_build, "funding", 3)) == {
        "month": "2026-09",
        "agency": "5",
        "amount_gbp": 10.0,
    }
    assert strict_json(raw_values(typed_build, "referrals", 2)) == {
        "referral_id": "SECRET-R2",
        "victim_id": "v2",
        "crime_type": "theft",
        "hate_crime": None,
        "domestic_abuse": "no",
        "enhanced_rights": False,
        "source": "self",
        "crime_date": None,
        "reported_date": None,
        "referral_date": "2026-02-03",
        "first_contact_date": None,
        "closed_date": None,
        "closure_reason": None,
    }
    assert strict_json(raw_values(typed_build, "referrals", 3))["crime_date"] == "1850-06-01"


def test_raw_values_of_nan_and_infinity_are_standard_json(typed_build):
    # The CSV path keeps the text read ("NaN", "inf"); a typed NaN must not break the JSON.
    nan = strict_json(raw_values(typed_build, "services", 2))["cost_gbp"]
    infinity = strict_json(raw_values(typed_build, "services", 3))["cost_gbp"]
    assert str(nan).lower() == "nan"
    assert str(infinity).lower() in ("inf", "infinity")


def test_no_raw_value_reaches_the_terminal_the_log_or_the_warehouse(typed_build):
    assert "quarantined" in typed_build.terminal  # the control: the summary was printed
    for text in (typed_build.terminal, typed_build.log):
        assert not SECRET.search(text)
        for value in RAW_NUMBERS_AND_DATES:
            assert value not in text
    assert not holds_secret(typed_build.db.read_bytes())
    # The control for the checks above: the values are in the store, where they belong.
    stored = " ".join(
        v for (v,) in query(typed_build.store, "select raw_values::varchar from rows")
    )
    # One SECRET- id per rejected row that has one: R2 R3 R5, S2 S3 S4, A2 A3 A4 A5 = 3 + 3 + 4.
    assert len(SECRET.findall(stored)) == 10
    for value in RAW_NUMBERS_AND_DATES:
        assert value in stored


# ---------------------------------------------------------------------------
# Nanosecond instants and 32-bit floats (read as the value written)


@pytest.fixture(scope="module")
def edge_build(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("edge")
    tables = typed_tables()
    tables["referrals"] = pa.table(
        {
            "referral_id": ["r1"],
            "victim_id": ["v1"],
            "crime_type": ["theft"],
            "hate_crime": pa.array([False]),
            "domestic_abuse": pa.array([False]),
            "enhanced_rights": pa.array([False]),
            "source": ["police"],
            # Nanosecond timestamps (what pandas 2 writes): local, and an instant in UTC.
            "reported_date": pa.array([dt.datetime(2026, 7, 15, 23, 30)], pa.timestamp("ns")),
            "referral_date": pa.array(
                [dt.datetime(2026, 7, 15, 23, 30, tzinfo=UTC)], pa.timestamp("ns", tz="UTC")
            ),
        }
    )
    # A FLOAT (32-bit) cost column, as pandas writes a float32 series.
    tables["services"] = pa.table(
        {
            "service_id": ["s1"],
            "referral_id": ["r1"],
            "agency": ["hate_crime"],
            "service_type": ["advocacy"],
            "start_date": pa.array([dt.date(2026, 8, 1)], pa.date32()),
            "cost_gbp": pa.array([12.34], pa.float32()),
        }
    )
    # A funding month written as a date (its first day), as many finance systems do.
    tables["funding"] = pa.table(
        {
            "month": pa.array([dt.date(2026, 9, 1)], pa.date32()),
            "agency": ["victim_support"],
            "amount_gbp": pa.array([1000.0], pa.float64()),
        }
    )
    for name in ("assessments", "health_use"):
        del tables[name]
    folder = write_parquet_extract(root / "extract", tables)
    db = root / "warehouse" / "w.duckdb"
    build(folder, db)
    return Built(db, quarantine_path_for(db))


def test_nanosecond_local_timestamp_keeps_its_date(edge_build):
    assert query(edge_build.db, "select reported_date from raw.referrals") == [
        (dt.date(2026, 7, 15),)
    ]


def test_nanosecond_instant_takes_the_london_date(edge_build):
    # 23:30 UTC on 15 July 2026 is 00:30 BST on 16 July, as for the microsecond instant.
    assert query(edge_build.db, "select referral_date from raw.referrals") == [
        (dt.date(2026, 7, 16),)
    ]


def test_month_written_as_a_date_is_read_as_its_month(edge_build):
    # 2026-09-01 as a Parquet DATE is the month 2026-09 (YYYY-MM, as the contract says).
    assert query(edge_build.db, "select month, amount_gbp from raw.funding") == [
        ("2026-09", 1000.0)
    ]


def test_float_column_loads_the_value_written(edge_build):
    assert query(edge_build.db, "select cost_gbp from raw.services") == [(12.34,)]


# ---------------------------------------------------------------------------
# A broken file stops the build; the previous warehouse is untouched


def truncate_to_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def wipe_data_pages(path: Path) -> None:
    """Overwrite every byte between the leading magic number and the footer: the footer (and
    so the schema) still reads, the data pages do not."""
    data = bytearray(path.read_bytes())
    footer_length = int.from_bytes(data[-8:-4], "little")
    footer_start = len(data) - 8 - footer_length
    data[4:footer_start] = b"\xab" * (footer_start - 4)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("file_name", "damage"),
    [
        ("referrals.parquet", truncate_to_half),  # a parent: its children never load
        ("services.parquet", truncate_to_half),  # a child
        ("referrals.parquet", wipe_data_pages),  # footer fine, pages broken: found while loading
        ("assessments.parquet", wipe_data_pages),  # a child loading beside another table
    ],
)
def test_broken_parquet_file_stops_the_build(typed_build, tmp_path, file_name, damage):
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    db = warehouse / "w.duckdb"
    shutil.copyfile(typed_build.db, db)
    shutil.copyfile(typed_build.store, quarantine_path_for(db))
    before = {p.name: p.read_bytes() for p in warehouse.iterdir()}
    folder = write_parquet_extract(tmp_path / "extract", typed_tables())
    damage(folder / file_name)

    with pytest.raises(ExtractError) as info:
        build(folder, db)

    message = str(info.value)
    assert message == f"{file_name}: is not a readable Parquet file"
    assert not SECRET.search(message)
    # Nothing left behind, nothing changed: same files, same bytes.
    assert {p.name: p.read_bytes() for p in warehouse.iterdir()} == before
