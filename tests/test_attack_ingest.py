"""Issue 12 (outside attack), the ingest side: hostile or broken extracts.

Direct identifiers hidden by nested Parquet columns, look-alike letters and abbreviations;
control and bidi characters in column and file names; very long CSV lines; a manifest
nested 200,000 deep or with a date Python reads but the contract does not; a header line
repeated mid-file; a code map that rewrites ids or dates, or has 100,000 rows. Each stops
with a one-line error naming the file and rule (exit 2, the previous warehouse byte for byte
as it was) or quarantines exactly the bad rows. The corpus (``tests/corpus``) holds the
small cases; the ones here need a configured line limit, big files or internals.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from metrics import contract, identifiers, ingest
from metrics import snapshot as snapshot_module
from metrics.build import quarantine_path_for
from metrics.cli import main
from metrics.snapshot import ExtractError, locate

CORPUS = Path(__file__).resolve().parent / "corpus"
BASELINE = CORPUS / "valid_baseline" / "extract"
VICTIMS_HEADER = "victim_id,age_band,gender,ethnic_group,disability,lgbt,area"
VICTIM_ROWS = [
    "v1,25-34,female,white,no,no,E05000001",
    "v2,75+,male,asian,yes,unknown,E05000002",
    "v3,0-17,non_binary,mixed,no,yes,",
]
LIMIT = 64 * 1024  # the line limit these tests configure (bytes)


@pytest.fixture(scope="module")
def previous(baseline_build) -> Path:
    """A warehouse built from the corpus's valid baseline: what a refused build must leave
    (the session's build, tests/conftest.py; the tests build over copies of it only)."""
    return baseline_build / "w.duckdb"


def _extract(tmp_path: Path, files: dict[str, str | bytes], name: str = "extract") -> Path:
    """The valid baseline extract with some files replaced."""
    folder = tmp_path / name
    shutil.copytree(BASELINE, folder)
    for file_name, content in files.items():
        path = folder / file_name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def _build(previous: Path, tmp_path: Path, extract: Path, *flags: str) -> tuple[int, Path]:
    """``hubvalue build`` over a copy of the previous warehouse: its exit code and the db."""
    folder = tmp_path / "warehouse"
    folder.mkdir()
    db = folder / "w.duckdb"
    shutil.copyfile(previous, db)
    shutil.copyfile(quarantine_path_for(previous), quarantine_path_for(db))
    return main(["build", "--input", str(extract), "--db", str(db), "--quiet", *flags]), db


def _refused(previous, tmp_path, capsys, extract, *flags) -> str:
    """Build and check the refusal: exit 2, one error line (returned), nothing changed."""
    folder = tmp_path / "warehouse"
    folder.mkdir()
    db = folder / "w.duckdb"
    shutil.copyfile(previous, db)
    shutil.copyfile(quarantine_path_for(previous), quarantine_path_for(db))
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    code = main(["build", "--input", str(extract), "--db", str(db), "--quiet", *flags])
    err = capsys.readouterr().err
    assert code == 2, err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1, err
    assert "Traceback" not in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    return errors[0]


# ---------------------------------------------------------------------------
# 6. The direct-identifier stop


@pytest.mark.parametrize(
    "name",
    [
        "n\u0430me",  # Cyrillic a
        "\u0435mail",  # Cyrillic e
        "ph\u043ene",  # Cyrillic o
        "pos\u0442code",  # Cyrillic te
        "ph\u03bfne",  # Greek omicron
        "\uff4e\uff41\uff4d\uff45",  # fullwidth
        "na\u200bme",  # a zero-width space inside
        "n\u00e2me",  # an accent
        "nhs_no",
        "ni_no",
        "addr_line_1",
        "tel",
        "TelNo",
        "mob_no",
        "birth_dt",
        "narrative",
        "remarks",
        "Full Name",
        "Date-of-Birth",
        "e-mail",
    ],
)
def test_look_alike_and_abbreviated_identifiers_are_recognised(name):
    assert contract.is_direct_identifier(name)


@pytest.mark.parametrize(
    "name", ["shoe_size", "case_ref", "region", "case_type", "hotel_nights", "crime_number"]
)
def test_harmless_extra_columns_are_not_identifiers(name):
    # "tel" and "mob" are whole words only: hotel_nights is no telephone number
    assert not contract.is_direct_identifier(name)


def test_names_fold_to_latin_words():
    # fullwidth A folds to A; the Cyrillic El (no look-alike) is dropped, splitting the word
    assert identifiers.words("\uff21ddr\u041bine1") == ["addr", "ine", "1"]
    assert identifiers.words("addrLine1") == ["addr", "line", "1"]
    assert identifiers.squashed("Po\u0455t C\u043ede") == "postcode"


def test_printable_escapes_controls_bidi_and_look_alikes():
    assert identifiers.printable("shoe\x1b[31m\u202esize") == "shoe\\x1b[31m\\u202esize"
    assert identifiers.printable("n\u0430me") == "n\\u0430me"
    assert identifiers.printable("a\\b") == "a\\\\b"
    assert identifiers.printable("x\U0001f600") == "x\\U0001f600"
    # messages keep ordinary letters, escape only what a terminal would act on
    assert identifiers.without_controls("caf\u00e9 \u202e\x07") == "caf\u00e9 \\u202e\\x07"


def _parquet(path: Path, sql: str) -> None:
    con = duckdb.connect()
    con.execute(f"copy ({sql}) to '{path}' (format parquet)")
    con.close()


def test_parquet_columns_list_every_nested_path(tmp_path):
    path = tmp_path / "n.parquet"
    _parquet(
        path,
        "select 'v1' as victim_id, {'first': 'a', 'last': 'b'} as full_name, "
        "map(['k'], ['v']) as nhs_number, ['x'] as email, [{'phone': 1}] as contacts",
    )
    columns = ingest._parquet_columns(duckdb.connect(), path)
    assert [(c.name, c.nested) for c in columns] == [
        ("victim_id", False),
        ("full_name", True),
        ("nhs_number", True),
        ("email", True),
        ("contacts", True),
    ]
    assert columns[1].paths == [("full_name", "first"), ("full_name", "last")]
    assert columns[2].paths == [
        ("nhs_number", "key_value"),
        ("nhs_number", "key_value", "key"),
        ("nhs_number", "key_value", "value"),
    ]
    assert columns[4].paths[-1] == ("contacts", "list", "element", "phone")


def test_a_harmless_nested_column_is_ignored_and_the_rest_loads(previous, tmp_path):
    victims = tmp_path / "victims.parquet"
    _parquet(
        victims,
        "select 'v' || i as victim_id, '25-34' as age_band, 'female' as gender, "
        "'white' as ethnic_group, 'no' as disability, 'no' as lgbt, "
        "{'shoe_size': 9} as extras from range(1, 4) t(i)",
    )
    extract = _extract(tmp_path, {"victims.parquet": victims.read_bytes()})
    (extract / "victims.csv").unlink()
    code, db = _build(previous, tmp_path, extract)
    assert code == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from raw.victims").fetchone() == (3,)
    assert con.execute(
        "select column_name from meta.load_issues where kind = 'ignored_column'"
    ).fetchall() == [("extras",)]


def test_an_identifier_with_a_bidi_override_is_named_escaped(previous, tmp_path, capsys):
    header = VICTIMS_HEADER + ",em\u202eail\x1b[2J"
    rows = [f"{row},x" for row in VICTIM_ROWS]
    extract = _extract(tmp_path, {"victims.csv": "\n".join([header, *rows]) + "\n"})
    line = _refused(previous, tmp_path, capsys, extract)
    assert "column em\\u202eail\\x1b[2j looks like a direct identifier" in line
    assert "\u202e" not in line and "\x1b" not in line


def test_a_file_name_with_control_characters_is_listed_escaped(previous, tmp_path, capsys):
    extract = _extract(tmp_path, {"notes\u202e\x1b.txt": "x"})
    code = main(["build", "--input", str(extract), "--db", str(tmp_path / "w.duckdb")])
    out = capsys.readouterr().out
    assert code == 0
    assert "notes\\u202e\\x1b.txt: not a contract table" in out
    assert "\u202e" not in out and "\x1b" not in out


# ---------------------------------------------------------------------------
# 8. Very long CSV lines


def test_the_scan_finds_exactly_the_lines_over_the_limit(tmp_path):
    # lines of exactly the limit pass, one byte more does not, wherever the chunks fall
    limit = 1024
    lines = [b"a" * limit, b"b" * (limit + 1), b"c" * 10, b"d" * (3 * limit), b"e" * limit]
    path = tmp_path / "x.csv"
    path.write_bytes(b"\r\n".join(lines))  # the last line has no line break
    scan = ingest._scan_text(path, limit)
    b_start = limit + 2
    d_start = b_start + limit + 1 + 2 + 10 + 2
    assert scan.long_lines == [(b_start, b_start + limit + 1), (d_start, d_start + 3 * limit)]
    path.write_bytes(b"\n".join(lines[:1] + [b"z" * (limit + 5)]))  # ends in a long line
    assert ingest._scan_text(path, limit).long_lines == [(limit + 1, 2 * limit + 6)]


def test_a_header_over_the_line_limit_stops_the_file(previous, tmp_path, capsys):
    header = VICTIMS_HEADER + "," + "h" * (3 * 1024 * 1024)
    extract = _extract(tmp_path, {"victims.csv": "\n".join([header, *VICTIM_ROWS]) + "\n"})
    line = _refused(previous, tmp_path, capsys, extract, "--max-line-bytes", str(LIMIT))
    assert "error: victims.csv: its header line is longer than the line limit of 65,536" in line


def test_a_row_over_the_line_limit_is_quarantined_unread(previous, tmp_path, capsys):
    long_row = "v9,25-34,female,white,no,no," + "SECRET-" * (3 * 1024 * 1024 // 7)
    rows = [VICTIM_ROWS[0], long_row, *VICTIM_ROWS[1:]]
    extract = _extract(tmp_path, {"victims.csv": "\n".join([VICTIMS_HEADER, *rows]) + "\n"})
    code, db = _build(previous, tmp_path, extract, "--max-line-bytes", str(LIMIT))
    terminal = capsys.readouterr()
    assert code == 0, terminal.err
    assert "SECRET-" not in terminal.out + terminal.err
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute(
        "select rows_read, rows_loaded, rows_quarantined from meta.load_report "
        "where file_name = 'victims.csv'"
    ).fetchone() == (4, 3, 1)
    assert con.execute("select victim_id from raw.victims order by 1").fetchall() == [
        ("v1",),
        ("v2",),
        ("v3",),
    ]
    quarantine = duckdb.connect(str(quarantine_path_for(db)), read_only=True)
    rows = quarantine.execute(
        "select record_number, rule, raw_values::varchar from rows where table_name = 'victims'"
    ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [(2, "line_too_long")]
    assert "SECRET-" not in rows[0][2]  # the line itself is never read, so never kept


def test_the_same_row_under_a_higher_limit_is_read(previous, tmp_path):
    # the limit is the build's: at 8 MiB the 3 MB row is read (and loads: area is free text)
    long_row = "v9,25-34,female,white,no,no," + "x" * (3 * 1024 * 1024)
    rows = [*VICTIM_ROWS, long_row]
    extract = _extract(tmp_path, {"victims.csv": "\n".join([VICTIMS_HEADER, *rows]) + "\n"})
    code, db = _build(previous, tmp_path, extract, "--max-line-bytes", str(8 << 20))
    assert code == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from raw.victims").fetchone() == (4,)


def _ingest(extract: Path, fast: bool, monkeypatch, max_line_bytes: int = LIMIT) -> dict:
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(ingest, "_load_if_clean", lambda *args, **kwargs: False)
        con = duckdb.connect(":memory:")
        con.execute("attach ':memory:' as quarantine")
        snapshot = locate(extract, max_line_bytes=max_line_bytes)
        result = ingest.ingest(con, snapshot, workers=2)
        out = {
            "victims": con.execute("select * from raw.victims").fetchall(),
            "quarantine": con.execute(
                "select table_name, record_number, rule, column_name from quarantine.rows"
            ).fetchall(),
            "report": result.report.lines(),
        }
        con.close()
        return out


@pytest.mark.parametrize(
    "spanning",
    [
        # the long line has an even number of quotes: the value closes on the next line
        ["x" * (LIMIT + 10) + '"" still quoted', 'East"'],
        # the long line closes the value (one quote): the marker keeps that quote, so v3
        # after it still reads as its own record
        ["x" * (LIMIT + 10) + '"'],
    ],
)
def test_a_long_line_inside_a_quoted_value_quarantines_its_record(tmp_path, monkeypatch, spanning):
    rows = [VICTIM_ROWS[0], 'v2,75+,male,asian,yes,unknown,"North', *spanning, VICTIM_ROWS[2]]
    extract = _extract(tmp_path, {"victims.csv": "\n".join([VICTIMS_HEADER, *rows]) + "\n"})
    careful = _ingest(extract, False, monkeypatch)
    assert [r[0] for r in careful["victims"]] == ["v1", "v3"]
    assert [q for q in careful["quarantine"] if q[0] == "victims"] == [
        ("victims", 2, "line_too_long", None)
    ]
    # the fast path gives the same warehouse (it sends the file the careful way)
    assert _ingest(extract, True, monkeypatch) == careful


def test_a_long_row_gives_the_same_warehouse_on_both_paths(tmp_path, monkeypatch):
    rows = [*VICTIM_ROWS, "v9,25-34,female,white,no,no," + "y" * (2 * LIMIT)]
    extract = _extract(tmp_path, {"victims.csv": "\n".join([VICTIMS_HEADER, *rows]) + "\n"})
    careful = _ingest(extract, False, monkeypatch)
    assert ("victims", 4, "line_too_long", None) in careful["quarantine"]
    assert _ingest(extract, True, monkeypatch) == careful


def test_a_line_limit_below_1024_bytes_is_refused(previous, tmp_path, capsys):
    line = _refused(previous, tmp_path, capsys, BASELINE, "--max-line-bytes", "10")
    assert "error: --max-line-bytes: must be at least 1024 bytes" in line


# ---------------------------------------------------------------------------
# 10. Manifest, repeated header, code map


def test_a_manifest_nested_200000_deep_is_refused_in_one_line(previous, tmp_path, capsys):
    nested = "[" * 200_000 + "]" * 200_000
    manifest = '{"as_of": "2026-10-31", "x": ' + nested + "}"
    extract = _extract(tmp_path, {"manifest.json": manifest})
    line = _refused(previous, tmp_path, capsys, extract)
    assert "error: manifest.json: is larger than 65,536 bytes" in line


def test_a_small_but_deep_manifest_is_refused_without_recursion(previous, tmp_path, capsys):
    # 10,000 deep in 20 kB: under the size cap, over the depth limit (json.loads would recurse)
    manifest = '{"as_of": "2026-10-31", "x": ' + "[" * 10_000 + "]" * 10_000 + "}"
    extract = _extract(tmp_path, {"manifest.json": manifest})
    line = _refused(previous, tmp_path, capsys, extract)
    assert "error: manifest.json: is nested more than 8 levels deep" in line


def test_json_depth_skips_brackets_inside_strings():
    assert snapshot_module._json_depth('{"a": "[[[[{{", "b": [1, {"c": []}]}') == 4
    assert snapshot_module._json_depth('{"a": "\\"[[["}') == 1
    assert snapshot_module._json_depth("[]") == 1


@pytest.mark.parametrize("as_of", ["20261031", "2026-W44-6", 20261031, "2026-10-31T00:00"])
def test_only_yyyy_mm_dd_is_an_as_of_date(previous, tmp_path, capsys, as_of):
    manifest = {"as_of": as_of, "period": "2026-10", "source_system": "corpus"}
    extract = _extract(tmp_path, {"manifest.json": json.dumps(manifest)})
    line = _refused(previous, tmp_path, capsys, extract)
    assert "error: manifest.json: 'as_of' must be a YYYY-MM-DD date" in line


def test_the_as_of_flag_is_yyyy_mm_dd_too(previous, tmp_path, capsys):
    line = _refused(previous, tmp_path, capsys, BASELINE, "--as-of", "20261031")
    assert "error: --as-of: 'as_of' must be a YYYY-MM-DD date" in line


def test_a_manifest_period_must_be_a_month(previous, tmp_path, capsys):
    manifest = {"as_of": "2026-10-31", "period": "2026-10\x1b[2J"}
    extract = _extract(tmp_path, {"manifest.json": json.dumps(manifest)})
    line = _refused(previous, tmp_path, capsys, extract)
    assert "'period' must be a YYYY-MM month" in line


def test_a_repeated_header_row_is_quarantined_on_both_paths(tmp_path, monkeypatch):
    rows = [VICTIM_ROWS[0], " " + VICTIMS_HEADER.replace("gender", "Gender"), *VICTIM_ROWS[1:]]
    extract = _extract(tmp_path, {"victims.csv": "\n".join([VICTIMS_HEADER, *rows]) + "\n"})
    careful = _ingest(extract, False, monkeypatch)
    assert [r[0] for r in careful["victims"]] == ["v1", "v2", "v3"]
    assert [q for q in careful["quarantine"] if q[0] == "victims"] == [
        ("victims", 2, "repeated_header", None)
    ]
    assert _ingest(extract, True, monkeypatch) == careful


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("victims,victim_id,v1,v2", "victims.victim_id"),
        ("referrals,referral_date,2026-01-05,2020-01-01", "referrals.referral_date"),
        ("services,cost_gbp,120.00,0", "services.cost_gbp"),
        ("referrals,hate_crime,Y,no", "referrals.hate_crime"),
    ],
)
def test_a_code_map_row_for_a_column_that_is_not_a_code_is_refused(
    previous, tmp_path, capsys, row, column
):
    code_map = "table,column,source_value,code\nreferrals,source,Police,police\n" + row + "\n"
    extract = _extract(tmp_path, {"code_map.csv": code_map})
    line = _refused(previous, tmp_path, capsys, extract)
    assert f"error: code_map.csv: row 2 maps {column}, which is not a code column" in line


def test_a_code_map_with_broken_quoting_is_one_line(previous, tmp_path, capsys):
    code_map = 'table,column,source_value,code\nreferrals,source,"' + "p" * 200_000 + "\n"
    extract = _extract(tmp_path, {"code_map.csv": code_map})
    line = _refused(previous, tmp_path, capsys, extract)
    assert "error: code_map.csv: is not a CSV file of table,column,source_value,code" in line


def test_a_code_map_line_over_the_line_limit_is_refused(previous, tmp_path, capsys):
    code_map = "table,column,source_value,code\nreferrals,source," + "p" * (2 * LIMIT) + ",x\n"
    extract = _extract(tmp_path, {"code_map.csv": code_map})
    line = _refused(previous, tmp_path, capsys, extract, "--max-line-bytes", str(LIMIT))
    assert "error: code_map.csv: has a line longer than the line limit of 65,536 bytes" in line


def _big_code_map(entries: int) -> str:
    lines = ["table,column,source_value,code"]
    lines += [f"referrals,crime_type,label {i},theft" for i in range(entries)]
    lines += ["referrals,crime_type,Burglary - dwelling,burglary_residential"]
    lines += ["victims,gender,F,female"]
    return "\n".join(lines) + "\n"


def test_a_big_code_map_is_a_join_not_a_case_per_entry(tmp_path):
    # the SQL does not grow with the map: 10 entries or 100,000, the same statement
    snapshot = locate(_extract(tmp_path, {}))
    con = duckdb.connect()
    (tmp_path / "work").mkdir()
    item = ingest.inspect(snapshot.files["referrals"], con, tmp_path / "work")
    small = {"crime_type": {f"label {i}": "theft" for i in range(10)}}
    big = {"crime_type": {f"label {i}": "theft" for i in range(100_000)}}
    as_of = "date '2026-10-31'"
    assert len(ingest.validation_sql(item, "_text", as_of, None, big)) == len(
        ingest.validation_sql(item, "_text", as_of, None, small)
    )


def test_a_100000_row_code_map_maps_codes_in_file_order(tmp_path, monkeypatch):
    referrals = (BASELINE / "referrals.csv").read_text(encoding="utf-8").splitlines()
    header, first = referrals[0], referrals[1].split(",")
    columns = header.split(",")
    extra = []
    for i, label in enumerate(["Burglary - dwelling", " label 99999 ", "Shoplifting"], 4):
        values = dict(zip(columns, first, strict=True))
        values.update(referral_id=f"r{i}", crime_type=label, closed_date="", closure_reason="")
        extra.append(",".join(values[c] for c in columns))
    victims = (BASELINE / "victims.csv").read_text(encoding="utf-8").rstrip("\n")
    extract = _extract(
        tmp_path,
        {
            "code_map.csv": _big_code_map(100_000),
            "referrals.csv": "\n".join([*referrals, *extra]) + "\n",
            "victims.csv": victims + "\nv4,25-34,F,white,no,no,\n",
        },
    )
    for fast in (True, False):
        with monkeypatch.context() as patch:
            if not fast:
                patch.setattr(ingest, "_load_if_clean", lambda *args, **kwargs: False)
            con = duckdb.connect(":memory:")
            con.execute("attach ':memory:' as quarantine")
            ingest.ingest(con, locate(extract), workers=2)
            assert con.execute("select referral_id, crime_type from raw.referrals").fetchall() == [
                ("r1", "burglary_residential"),
                ("r2", "theft"),
                ("r3", "violence_with_injury"),
                ("r4", "burglary_residential"),
                ("r5", "theft"),  # trimmed, then mapped
            ], fast
            assert con.execute(
                "select record_number, rule, column_name from quarantine.rows "
                "where table_name = 'referrals'"
            ).fetchall() == [(6, "unknown_code", "crime_type")]
            assert con.execute(
                "select gender from raw.victims where victim_id = 'v4'"
            ).fetchone() == ("female",)
            con.close()


def test_extract_error_escapes_control_characters_in_its_file_and_message():
    error = ExtractError("bad \u202e name", file="x\x1b.csv", rule="r")
    assert str(error) == "x\\x1b.csv: bad \\u202e name"
