"""``hubvalue build`` as a user runs it: exit codes, what the terminal shows, the atomic swap."""

from __future__ import annotations

import json

import duckdb
import pytest

from metrics.build import quarantine_path_for
from metrics.cli import main
from tests.ingest_support import REFERRALS, VICTIMS, write_extract

SECRET = "ZZSECRETVALUE"


def _extract(folder, extra_referrals=()):
    return write_extract(
        folder,
        {"victims.csv": VICTIMS, "referrals.csv": REFERRALS + list(extra_referrals)},
        manifest={"as_of": "2026-10-31", "period": "2026-10"},
    )


def test_build_prints_counts_not_values(tmp_path, capsys):
    bad = f"r9,{SECRET},theft,no,no,no,police,,,,2026-01-05,,,,"
    folder = _extract(tmp_path / "x", [bad])
    db = tmp_path / "w.duckdb"
    assert main(["build", "--input", str(folder), "--db", str(db)]) == 0
    out = capsys.readouterr()
    text = out.out + out.err
    assert "referrals.csv" in text and "orphan (victim_id): 1 rows" in text
    assert SECRET not in text
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute(
        "select rows_read, rows_loaded, rows_quarantined from meta.load_report "
        "where file_name = 'referrals.csv'"
    ).fetchone() == (4, 3, 1)
    # The warehouse holds counts only; the value is in the quarantine store.
    for (table,) in con.execute(
        "select schema_name || '.' || table_name from duckdb_tables()"
    ).fetchall():
        rows = con.execute(f"select * from {table}").fetchall()
        assert SECRET not in json.dumps(rows, default=str), table
    con.close()
    quarantine = duckdb.connect(str(quarantine_path_for(db)), read_only=True)
    assert SECRET in quarantine.execute("select raw_values::varchar from rows").fetchone()[0]


def test_failed_build_leaves_previous_warehouse_untouched(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    assert main(["build", "--input", str(_extract(tmp_path / "good")), "--db", str(db)]) == 0
    before = db.read_bytes()
    broken = write_extract(
        tmp_path / "broken",
        {
            "victims.csv": [VICTIMS[0] + ",Full Name"] + [r + f",{SECRET}" for r in VICTIMS[1:]],
            "referrals.csv": REFERRALS,
        },
        manifest={"as_of": "2026-10-31"},
    )
    assert main(["build", "--input", str(broken), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "victims.csv: column full name looks like a direct identifier" in err
    assert "previous warehouse is unchanged" in err
    assert SECRET not in err
    assert db.read_bytes() == before
    assert not list(tmp_path.glob(".w.duckdb*"))  # no temporary file left behind


def test_missing_as_of_asks_for_it(tmp_path, capsys):
    folder = write_extract(
        tmp_path / "extract", {"victims.csv": VICTIMS, "referrals.csv": REFERRALS}
    )
    assert main(["build", "--input", str(folder), "--db", str(tmp_path / "w.duckdb")]) == 2
    assert "give --as-of" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["csv"])
def test_building_twice_gives_identical_indicator_tables(tmp_path, fmt):
    folder = _extract(tmp_path / "x")
    tables = []
    for name in ("a", "b"):
        db = tmp_path / f"{name}.duckdb"
        assert main(["build", "--input", str(folder), "--db", str(db), "--quiet"]) == 0
        con = duckdb.connect(str(db), read_only=True)
        tables.append(
            (
                con.execute("select * from marts.indicator_monthly order by all").fetchall(),
                con.execute("select build_id from meta.build").fetchone(),
            )
        )
        con.close()
    assert tables[0] == tables[1]


def test_the_price_base_year_skips_parameters_that_are_not_money():
    # A register whose first row is not money (no base year, an empty text) and whose
    # money rows are uprated to 2026/27: the build records 2026/27, not the empty text.
    from metrics.build import set_price_base_year

    con = duckdb.connect(":memory:")
    con.execute("create schema meta")
    con.execute("create schema ref")
    con.execute("create table meta.build as select 'b1' as build_id, "
                "cast(null as varchar) as price_base_year")
    con.execute("create table ref.parameters as select * from (values "
                "('attribution', ''), ('wellby_value', '2026/27'), "
                "('gp_appointment_cost', '2026/27'), ('deadweight', '')) "
                "as t(name, base_year)")
    set_price_base_year(con)
    assert con.execute("select price_base_year from meta.build").fetchone() == ("2026/27",)


def test_a_built_warehouse_names_its_price_base_year(tmp_path):
    folder = _extract(tmp_path / "extract")
    db = tmp_path / "w.duckdb"
    assert main(["build", "--input", str(folder), "--db", str(db), "--quiet"]) == 0
    con = duckdb.connect(str(db), read_only=True)
    (year,) = con.execute("select price_base_year from meta.build").fetchone()
    # a financial year such as 2026/27, never empty
    assert year and len(year) == 7 and year[4] == "/"


def test_build_info_reads_the_register_when_the_recorded_year_is_empty():
    # a warehouse built before the fix recorded '' as its price base year: the data
    # layer then takes the year the register's money rows were uprated to
    from metrics import queries

    con = duckdb.connect(":memory:")
    con.execute("create schema meta")
    con.execute("create schema ref")
    con.execute("create table meta.build as select 'b1' as build_id, '' as price_base_year")
    con.execute("create table ref.parameters as select * from (values "
                "('attribution', ''), ('wellby_value', '2025/26')) as t(name, base_year)")
    frame = queries.build_info(con, "manager", queries.Filters())
    assert frame["price_base_year"].tolist() == ["2025/26"]
