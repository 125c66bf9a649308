"""The ingest's fast path for clean files (``ingest._load_if_clean``).

A file in which every row passes every rule is loaded in one pass, straight into ``raw``;
any failing row sends the file down the careful path, which quarantines exactly the failing
rows. Both ways must give the same warehouse: this is checked on every case of the corpus
of malformed extracts (differential), and on small hand-made files for each rule that
compares rows (duplicate keys, orphans, an agency referral sent before its referral).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from metrics import ingest
from metrics.snapshot import ExtractError, locate

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").is_file())


def _reaches_the_tables(name: str) -> bool:
    """Whether the case's extract is located at all (some stop at the manifest)."""
    try:
        locate(CORPUS / name / "extract")
    except ExtractError:
        return False
    return True


LOADED_CASES = [name for name in CASES if _reaches_the_tables(name)]


def _load(extract: Path, fast: bool, monkeypatch) -> dict:
    """Ingest an extract into memory; everything the ingest leaves, as comparable text."""
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(ingest, "_load_if_clean", lambda *args, **kwargs: False)
        con = duckdb.connect(":memory:")
        con.execute("attach ':memory:' as quarantine")
        try:
            result = ingest.ingest(con, locate(extract), workers=2)
        except ExtractError as exc:
            return {"error": str(exc)}
        tables = con.execute(
            "select database_name, schema_name, table_name from duckdb_tables() "
            "where not temporary order by all"
        ).fetchall()
        out = {
            f"{db}.{schema}.{name}": con.execute(
                f'select * from "{db}"."{schema}"."{name}"'
            ).fetchall()
            for db, schema, name in tables
        }
        out["report"] = result.report.lines()
        con.close()
        return out


def test_most_corpus_cases_reach_the_tables():
    assert len(LOADED_CASES) >= 50


@pytest.mark.parametrize("name", LOADED_CASES)
def test_fast_and_careful_paths_give_the_same_warehouse(name, monkeypatch):
    extract = CORPUS / name / "extract"
    fast = _load(extract, True, monkeypatch)
    careful = _load(extract, False, monkeypatch)
    assert fast == careful


def _extract(tmp_path: Path, changes: dict[str, str]) -> Path:
    """The corpus's valid baseline with some files replaced by hand-written ones."""
    folder = tmp_path / "extract"
    shutil.copytree(CORPUS / "valid_baseline" / "extract", folder)
    for file_name, text in changes.items():
        (folder / file_name).write_text(text, encoding="utf-8")
    return folder


def _inspected(folder: Path, table: str, con) -> tuple[ingest.Inspected, str, str]:
    snapshot = locate(folder)
    item = ingest.inspect(snapshot.files[table], con, folder)
    source, _ = ingest._read_csv(con, item)
    checks = ingest.validation_sql(
        item, source, f"date '{snapshot.as_of.isoformat()}'", snapshot.date_format, {}
    )
    return item, source, checks


def _fast_load_into(
    folder: Path, table: str, parents: dict[str, str] | None = None
) -> tuple[bool, ingest.FileReport, duckdb.DuckDBPyConnection]:
    """Load ``table`` the fast way after its parents (made from the SQL given here):
    whether the fast path took it, its report, and the connection holding raw."""
    con = duckdb.connect(":memory:")
    con.execute("create schema raw")
    for parent, rows_sql in (parents or {}).items():
        con.execute(f"create table raw.{parent} as {rows_sql}")
    ingest._create_raw_table(con, ingest.contract.TABLES_BY_NAME[table])
    item, source, checks = _inspected(folder, table, con)
    report = ingest.FileReport(table, item.file.path.name)
    taken = ingest._load_if_clean(con, item, source, checks, {}, report)
    return taken, report, con


def _fast_load(folder: Path, table: str, parents: dict[str, str]) -> tuple[bool, int]:
    """Whether the fast path took ``table``, and the rows it left in raw."""
    taken, _, con = _fast_load_into(folder, table, parents)
    return taken, con.execute(f"select count(*) from raw.{table}").fetchone()[0]


VICTIMS = "victim_id,age_band,gender,ethnic_group,disability,lgbt,area\n"
VICTIM_ROWS = (
    "v1,25-34,female,white,no,no,north\n"
    "v2,35-44,male,asian,yes,no,south\n"
    "v3,65-74,female,black,no,yes,north\n"
)
PARENT_VICTIMS = {"victims": "select unnest(['v1', 'v2', 'v3']) as victim_id"}


def test_a_clean_file_is_taken_by_the_fast_path_in_file_order(tmp_path):
    folder = _extract(tmp_path, {"victims.csv": VICTIMS + VICTIM_ROWS})
    taken, report, con = _fast_load_into(folder, "victims")
    assert taken
    # three rows written, three read, none quarantined, in the file's order
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (3, 3, 0)
    assert con.execute("select victim_id from raw.victims").fetchall() == [
        ("v1",), ("v2",), ("v3",)
    ]


def test_an_unmapped_demographic_code_is_counted_on_the_fast_path(tmp_path):
    # "martian" is no ethnic group code: read as unknown, counted once; the row still loads
    rows = VICTIM_ROWS.replace("v3,65-74,female,black", "v3,65-74,female,martian")
    folder = _extract(tmp_path, {"victims.csv": VICTIMS + rows})
    taken, report, con = _fast_load_into(folder, "victims")
    assert taken
    assert report.code_unmapped == {"ethnic_group": 1}
    assert con.execute(
        "select ethnic_group from raw.victims where victim_id = 'v3'"
    ).fetchone() == ("unknown",)


@pytest.mark.parametrize(
    ("rows", "why"),
    [
        (VICTIM_ROWS + "v2,25-34,male,white,no,no,east\n", "v2 twice: a duplicate key"),
        (VICTIM_ROWS + ",25-34,male,white,no,no,east\n", "no victim_id: a missing value"),
    ],
)
def test_any_failing_row_sends_the_file_the_careful_way_and_leaves_raw_empty(
    tmp_path, rows, why
):
    folder = _extract(tmp_path, {"victims.csv": VICTIMS + rows})
    taken, left = _fast_load(folder, "victims", {})
    assert (taken, left) == (False, 0), why


def test_an_orphan_sends_the_file_the_careful_way(tmp_path):
    header = (CORPUS / "valid_baseline" / "extract" / "repeat_crimes.csv").read_text(
        encoding="utf-8"
    ).splitlines()[0]
    columns = header.split(",")
    values = {"crime_ref": "c1", "victim_id": "v9", "crime_date": "2026-01-05",
              "crime_type": "robbery"}
    line = ",".join(values.get(c, "") for c in columns)
    folder = _extract(tmp_path, {"repeat_crimes.csv": header + "\n" + line + "\n"})
    # v9 is not among the loaded victims v1..v3
    assert _fast_load(folder, "repeat_crimes", PARENT_VICTIMS) == (False, 0)
    # the same row with a known victim is taken
    folder = _extract(tmp_path / "known", {
        "repeat_crimes.csv": header + "\n" + line.replace("v9", "v2") + "\n"
    })
    assert _fast_load(folder, "repeat_crimes", PARENT_VICTIMS) == (True, 1)
