"""Fuzzing ingestion: Hypothesis mutates a small valid extract and checks what must always hold.

Mutations: drop, duplicate or swap columns; duplicate or join rows; blank values; random
unicode, tricky values (``1e400``, ``NaN``, ``31/02/2026``, digits of other scripts, ...),
quotes or cut-short rows; random bytes anywhere; another encoding (UTF-8 with BOM,
Windows-1252, UTF-16) or line ending. The header line is never cut or joined: a header that
swallows a data row puts data values among the column names (see ``_check_header``). Whatever comes out:

* either the build stops with an ``ExtractError`` naming a file of the extract, or
* every file's rows read = rows loaded + rows quarantined, the quarantine store holds exactly
  the quarantined rows, each with a known reason, and a file without quotes has as many rows
  read as it has non-blank lines after the header (no silent loss);
* the rows in ``raw.*`` are valid under the contract, checked again here in Python
  (required values, codes, dates from 1900 to the as-of date, ranges, date order, keys,
  parents);
* no value of the extract reaches an error message or the load report.

The CI run is short (``max_examples`` below); ``pytest -m slow`` runs a long one.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from metrics import contract
from metrics.ingest import ingest
from metrics.reference_data import swemwbs_conversion
from metrics.snapshot import ExtractError, locate
from tests.support import examples

AS_OF = dt.date(2026, 10, 31)
# Every value of the base extract carries this marker: it must never appear in a message.
MARK = "zqx"

BASE: dict[str, list[list[str]]] = {
    "victims.csv": [
        ["victim_id", "age_band", "gender", "ethnic_group", "disability", "lgbt", "area"],
        ["v1zqx", "25-34", "female", "white", "no", "no", "Areazqx North"],
        ["v2zqx", "75+", "male", "asian", "yes", "unknown", "Areazqx East"],
        ["v3zqx", "0-17", "non_binary", "mixed", "no", "yes", ""],
        ["v4zqx", "45-54", "female", "black", "unknown", "no", "Areazqx West"],
    ],
    "referrals.csv": [
        [
            "referral_id",
            "victim_id",
            "crime_type",
            "hate_crime",
            "domestic_abuse",
            "enhanced_rights",
            "source",
            "reported_date",
            "referral_date",
            "closed_date",
            "closure_reason",
        ],
        [
            "r1zqx",
            "v1zqx",
            "burglary_residential",
            "no",
            "no",
            "yes",
            "police",
            "2026-01-03",
            "2026-01-05",
            "2026-03-01",
            "support_completed",
        ],
        ["r2zqx", "v2zqx", "theft", "false", "false", "false", "self", "", "03/02/2026", "", ""],
        [
            "r3zqx",
            "v3zqx",
            "violence_with_injury",
            "n",
            "y",
            "1",
            "police",
            "2026-04-01",
            "2026-04-03",
            "",
            "",
        ],
        [
            "r4zqx",
            "v4zqx",
            "fraud",
            "no",
            "no",
            "no",
            "partner_agency",
            "",
            "2026-06-10",
            "2026-07-01",
            "declined",
        ],
    ],
    "assessments.csv": [
        [
            "assessment_id",
            "referral_id",
            "stage",
            "assessment_date",
            "swemwbs",
            "life_satisfaction",
            "coping",
        ],
        ["a1zqx", "r1zqx", "intake", "2026-01-08", "14", "5", "2"],
        ["a2zqx", "r1zqx", "exit", "2026-02-27", "21", "7", "4"],
        ["a3zqx", "r4zqx", "intake", "2026-06-12", "", "3", ""],
    ],
    "services.csv": [
        [
            "service_id",
            "referral_id",
            "agency",
            "service_type",
            "start_date",
            "end_date",
            "cost_gbp",
        ],
        [
            "s1zqx",
            "r1zqx",
            "victim_support",
            "target_hardening",
            "2026-01-10",
            "2026-01-10",
            "£120.50",
        ],
        ["s2zqx", "r3zqx", "young_people", "advocacy", "2026-04-05", "", ""],
    ],
}
FILES = sorted(BASE)

# ---------------------------------------------------------------------------
# Mutations


def _file() -> st.SearchStrategy[str]:
    return st.sampled_from(FILES)


_index = st.integers(min_value=0, max_value=50)
_value_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12
).map(lambda s: s + MARK if s else s)

# Values that parsers disagree on: exotic numbers and dates, digits from other scripts, nulls.
TRICKY_VALUES = (
    "NaN",
    "inf",
    "-inf",
    "1e400",
    "1e3",
    "-0",
    "+7",
    "--7",
    "7.0",
    "7.5",
    " 7 ",
    "0x10",
    "\u0663",
    "\uff12\uff10\uff12\uff16-01-01",
    "1,000",
    "1,0",
    "£",
    "£-1",
    "-£1",
    "2026-02-30",
    "2026-13-01",
    "31/02/2026",
    "0000-01-01",
    "9999-12-31",
    "2026-10-31",
    "2026-11-01",
    "00/00/0000",
    "1/1/2026",
    "2026-01-01T25:61",
    "TRUE",
    "Y",
    "yes ",
    "NULL",
    "null",
    "N/A",
    "\\N",
    "''",
    "0",
    "35",
    "36",
    "-1",
    "\t",
    "\x00",
    "\u00a0",
    "\u00a0v1zqx\t",
    "\ufeffr1zqx",
    "\u2028",
)

MUTATIONS = st.one_of(
    st.tuples(st.just("tricky_value"), _file(), _index, _index, st.sampled_from(TRICKY_VALUES)),
    st.tuples(st.just("join_rows"), _file(), _index),
    st.tuples(st.just("drop_column"), _file(), _index),
    st.tuples(st.just("duplicate_column"), _file(), _index),
    st.tuples(st.just("swap_columns"), _file(), _index, _index),
    st.tuples(st.just("duplicate_row"), _file(), _index),
    st.tuples(st.just("blank_value"), _file(), _index, _index),
    st.tuples(st.just("unicode_value"), _file(), _index, _index, _value_text),
    st.tuples(st.just("quote_value"), _file(), _index, _index, _index),
    st.tuples(st.just("truncate_row"), _file(), _index, _index),
    st.tuples(
        st.just("random_bytes"), _file(), st.integers(0, 10_000), st.binary(min_size=1, max_size=4)
    ),
    st.tuples(st.just("encoding"), _file(), st.sampled_from(["utf-8-sig", "cp1252", "utf-16"])),
    st.tuples(st.just("newline"), _file(), st.sampled_from(["\r\n", "\r"])),
)


def _mutate_table(rows: list[list[str]], mutation: tuple) -> None:
    kind, _, *args = mutation
    width = len(rows[0])
    data = len(rows) - 1
    if kind == "drop_column" and width > 1:
        for row in rows:
            if len(row) > args[0] % width:
                del row[args[0] % width]
    elif kind == "duplicate_column":
        for row in rows:
            if len(row) > args[0] % width:
                row.append(row[args[0] % width])
    elif kind == "swap_columns":
        i, j = args[0] % width, args[1] % width
        for row in rows:
            if len(row) > max(i, j):
                row[i], row[j] = row[j], row[i]
    elif kind == "duplicate_row" and data:
        rows.append(list(rows[1 + args[0] % data]))
    elif kind == "join_rows" and data > 1:
        # Two data rows on one line (a lost line break).
        at = 1 + args[0] % (data - 1)
        rows[at] = rows[at] + rows.pop(at + 1)
    elif kind in ("blank_value", "unicode_value", "tricky_value", "quote_value") and data:
        row = rows[1 + args[0] % data]
        if not row:
            return
        col = args[1] % len(row)
        if kind == "blank_value":
            row[col] = ""
        elif kind in ("unicode_value", "tricky_value"):
            row[col] = args[2]
        else:
            at = args[2] % (len(row[col]) + 1)
            row[col] = row[col][:at] + '"' + row[col][at:]
    elif kind == "truncate_row" and data:
        # A data row cut short (the header line is never cut: see the module notes).
        row = rows[1 + args[0] % data]
        del row[args[1] % (len(row) + 1) :]


def render(mutations: list[tuple]) -> dict[str, bytes]:
    tables = {name: [list(r) for r in rows] for name, rows in BASE.items()}
    encodings = dict.fromkeys(FILES, "utf-8")
    newlines = dict.fromkeys(FILES, "\n")
    for mutation in mutations:
        kind, name = mutation[0], mutation[1]
        if kind == "encoding":
            encodings[name] = mutation[2]
        elif kind == "newline":
            newlines[name] = mutation[2]
        elif kind != "random_bytes":
            _mutate_table(tables[name], mutation)
    files = {}
    for name, rows in tables.items():
        text = newlines[name].join(",".join(r) for r in rows) + newlines[name]
        files[name] = text.encode(encodings[name], errors="replace")
    for mutation in mutations:
        if mutation[0] == "random_bytes":
            data = files[mutation[1]]
            at = mutation[2] % (len(data) + 1)
            files[mutation[1]] = data[:at] + mutation[3] + data[at:]
    return files


# ---------------------------------------------------------------------------
# The contract, checked again in Python over the loaded rows


def contract_violations(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[str]:
    problems: list[str] = []
    loaded: dict[str, list[dict]] = {}
    metrics = {round(m, 2) for m in swemwbs_conversion()["metric"]}
    for table in contract.ordered_tables():
        names = table.column_names
        quoted = ", ".join(f'"{n}"' for n in names)
        rows = [
            dict(zip(names, r, strict=True))
            for r in con.execute(f"select {quoted} from raw.{table.name}").fetchall()
        ]
        loaded[table.name] = rows
        where = table.name
        keys = Counter(tuple(r[k] for k in table.key) for r in rows)
        problems += [f"{where}: duplicate key" for k, n in keys.items() if n > 1]
        for row in rows:
            problems += _row_violations(table, row, as_of, metrics)
        for column, parent, parent_column in table.parents:
            parents = {p[parent_column] for p in loaded[parent]}
            problems += [f"{where}: orphan" for r in rows if r[column] not in parents]
    stages = Counter(
        (r["referral_id"], r["stage"])
        for r in loaded["assessments"]
        if r["stage"] in ("intake", "exit")
    )
    problems += [f"assessments: two {k[1]} rows" for k, n in stages.items() if n > 1]
    referral_dates = {r["referral_id"]: r["referral_date"] for r in loaded["referrals"]}
    problems += [
        "agency_referrals: sent before referral"
        for r in loaded["agency_referrals"]
        if r["sent_date"] < referral_dates[r["referral_id"]]
    ]
    return problems


def _row_violations(table: contract.Table, row: dict, as_of: dt.date, metrics: set) -> list[str]:
    out = []
    where = table.name
    for column in table.columns:
        value = row[column.name]
        if value is None:
            if column.required:
                out.append(f"{where}.{column.name}: missing")
            continue
        if isinstance(value, str) and value.replace("\ufeff", "").strip() == "":
            out.append(f"{where}.{column.name}: blank text instead of NULL")
        elif isinstance(value, str) and value != value.strip():
            out.append(f"{where}.{column.name}: white space around the value")
        if column.type == "code" and value not in column.codes:
            out.append(f"{where}.{column.name}: not a code")
        if column.type == "date" and not isinstance(value, dt.date):
            # DuckDB hands Python a string for a date Python cannot hold (year 0, BC).
            out.append(f"{where}.{column.name}: not a date of years 1-9999")
            continue
        if column.type == "date" and not dt.date(1900, 1, 1) <= value <= as_of:
            out.append(f"{where}.{column.name}: before 1900 or after the as-of date")
        if column.type == "month" and not (
            re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value) and value <= as_of.strftime("%Y-%m")
        ):
            out.append(f"{where}.{column.name}: bad month")
        if column.type in ("int", "decimal") and not math.isfinite(value):
            out.append(f"{where}.{column.name}: not finite")
        if column.minimum is not None and value < column.minimum:
            out.append(f"{where}.{column.name}: below minimum")
        if column.maximum is not None and value > column.maximum:
            out.append(f"{where}.{column.name}: above maximum")
        before = column.not_before and row.get(column.not_before)
        if isinstance(before, dt.date) and value < before:
            out.append(f"{where}.{column.name}: before {column.not_before}")
    if table.name == "referrals" and (row["closed_date"] is None) != (
        row["closure_reason"] is None
    ):
        out.append("referrals: closure_reason without closed_date or the reverse")
    if table.name == "agency_referrals" and row["outcome"] != "pending" and not row["outcome_date"]:
        out.append("agency_referrals: decided without an outcome date")
    goals = (row.get("goals_achieved"), row.get("goals_set"))
    if table.name == "exit_surveys" and None not in goals and goals[0] > goals[1]:
        out.append("exit_surveys: more goals achieved than set")
    metric = row.get("swemwbs_metric")
    if table.name == "assessments" and metric is not None and round(metric, 2) not in metrics:
        out.append("assessments: swemwbs_metric not in the conversion table")
    characteristic = row.get("characteristic")
    if characteristic and row["category"] not in contract.CHARACTERISTICS[characteristic]:
        out.append("population: category not of its characteristic")
    return out


# ---------------------------------------------------------------------------
# The property


def nonblank_lines_after_header(data: bytes) -> int | None:
    """Records in a file without quotes: its non-blank lines after the first (None if unsure)."""
    if b'"' in data or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    lines = re.split(rb"\r\n|\r|\n", data)
    return sum(1 for line in lines[1:] if line.strip(b"\xef\xbb\xbf") != b"")


def check_extract(folder: Path, files: dict[str, bytes]) -> str:
    """Write and ingest one mutated extract, assert the invariants; returns the outcome kind."""
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder / "manifest.json").write_text(json.dumps({"as_of": AS_OF.isoformat()}))
    con = duckdb.connect()
    con.execute("create schema quarantine")
    try:
        result = ingest(con, locate(folder))
    except ExtractError as exc:
        message = str(exc)
        assert exc.file in (*files, folder.name), message
        assert message.startswith(f"{exc.file}: "), message
        assert MARK not in message.lower(), message
        return f"error: {exc.rule}"
    report = "\n".join(result.report.lines())
    assert MARK not in report.lower()
    quarantined = Counter(
        file for (file,) in con.execute("select file_name from quarantine.rows").fetchall()
    )
    assert sorted(f.file_name for f in result.report.files) == sorted(files)
    for f in result.report.files:
        assert f.rows_read == f.rows_loaded + f.rows_quarantined, f.file_name
        assert quarantined[f.file_name] == f.rows_quarantined, f.file_name
        loaded = con.execute(f"select count(*) from raw.{f.table}").fetchone()[0]
        assert loaded == f.rows_loaded, f.file_name
        assert sum(f.reasons.values()) == f.rows_quarantined, f.file_name
        expected_rows = nonblank_lines_after_header(files[f.file_name])
        if expected_rows is not None:
            assert f.rows_read == expected_rows, f.file_name
    numbers = con.execute(
        "select file_name, record_number, count(*) from quarantine.rows "
        "group by all having count(*) > 1"
    ).fetchall()
    assert numbers == [], "two quarantined rows with one record number"
    rules = {r for (r,) in con.execute("select distinct rule from quarantine.rows").fetchall()}
    assert rules <= set(contract.REASONS)
    assert contract_violations(con, AS_OF) == []
    return "loaded, some rows quarantined" if result.report.rows_quarantined else "loaded whole"


FUZZ_SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}


def test_base_extract_loads_whole(tmp_path):
    """The control: unmutated, every row loads and the Python re-check finds nothing."""
    assert check_extract(tmp_path / "x", render([])) == "loaded whole"
    con = duckdb.connect()
    con.execute("create schema quarantine")
    result = ingest(con, locate(tmp_path / "x"))
    # 4 victims + 4 referrals + 3 assessments + 2 services, nothing quarantined.
    assert [(f.file_name, f.rows_loaded) for f in result.report.files] == [
        ("victims.csv", 4),
        ("referrals.csv", 4),
        ("services.csv", 2),
        ("assessments.csv", 3),
    ]
    assert result.report.rows_quarantined == 0


def test_contract_recheck_can_fail(tmp_path):
    """The Python re-check is not vacuous: a row written past ingestion's rules is caught."""
    check_extract(tmp_path / "x", render([]))
    con = duckdb.connect()
    con.execute("create schema quarantine")
    ingest(con, locate(tmp_path / "x"))
    con.execute(
        "insert into raw.assessments (assessment_id, referral_id, stage, assessment_date, swemwbs) "
        "values ('bad', 'r2zqx', 'intake', date '2026-11-01', 36)"
    )
    assert sorted(contract_violations(con, AS_OF)) == [
        "assessments.assessment_date: before 1900 or after the as-of date",
        "assessments.swemwbs: above maximum",
    ]


# 15 extracts in make test, 200 in make test-all (and the 3,000-extract run below)
@settings(max_examples=examples(15), **FUZZ_SETTINGS)
@given(mutations=st.lists(MUTATIONS, min_size=1, max_size=4))
def test_fuzzed_extracts_keep_the_loading_guarantees(tmp_path_factory, mutations):
    folder = tmp_path_factory.mktemp("fuzz") / "extract"
    event(check_extract(folder, render(mutations)))


@pytest.mark.slow
@settings(max_examples=3000, **FUZZ_SETTINGS)
@given(mutations=st.lists(MUTATIONS, min_size=1, max_size=8))
def test_fuzzed_extracts_long_run(tmp_path_factory, mutations):
    folder = tmp_path_factory.mktemp("fuzz") / "extract"
    event(check_extract(folder, render(mutations)))
