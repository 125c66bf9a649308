"""A build's fixed costs: files every build reads are parsed once per process (keyed by
their content, so a changed file is read again), and callers get copies to change freely."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from metrics import build as build_module
from metrics import calendar, catalogue, file_read, read, register
from metrics.build import SMALL_EXTRACT_BYTES, build, default_threads
from metrics.snapshot import locate


@pytest.fixture
def counted_csv_reads(monkeypatch):
    calls = []
    real = pd.read_csv

    def read_csv(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(catalogue.pd, "read_csv", read_csv)
    catalogue._checked.cache_clear()  # files other tests read count from none
    return calls


def test_the_same_catalogue_file_is_parsed_once(tmp_path, counted_csv_reads):
    path = tmp_path / "catalogue.csv"
    shutil.copy(catalogue.CATALOGUE_PATH, path)
    first = catalogue.read_catalogue(path)
    second = catalogue.read_catalogue(path)
    assert len(counted_csv_reads) == 1
    pd.testing.assert_frame_equal(first, second)


def test_a_changed_catalogue_file_is_read_and_checked_again(tmp_path, counted_csv_reads):
    path = tmp_path / "catalogue.csv"
    shutil.copy(catalogue.CATALOGUE_PATH, path)
    rows = len(catalogue.read_catalogue(path))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")  # the last indicator dropped
    assert len(catalogue.read_catalogue(path)) == rows - 1
    duplicated = lines + [lines[1]]  # the first indicator twice
    path.write_text("".join(duplicated), encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError, match=r"^row \d+: indicator_id '.*' appears twice$"):
        catalogue.read_catalogue(path)
    assert len(counted_csv_reads) == 3


def test_a_caller_changing_its_catalogue_does_not_change_the_next_one(tmp_path):
    path = tmp_path / "catalogue.csv"
    shutil.copy(catalogue.CATALOGUE_PATH, path)
    first = catalogue.read_catalogue(path)
    as_read = first.copy()
    first.loc[0, "title"] = "changed"
    first.loc[0, "censor_days"] = 99
    del first["unit"]
    pd.testing.assert_frame_equal(catalogue.read_catalogue(path), as_read)


def test_the_calendar_is_made_once_per_range_and_handed_out_as_a_copy(monkeypatch):
    calls = []
    real = calendar.bank_holidays

    def counted(first_year, last_year):
        calls.append((first_year, last_year))
        return real(first_year, last_year)

    monkeypatch.setattr(calendar, "bank_holidays", counted)
    first_day, last_day = dt.date(1990, 12, 20), dt.date(1991, 1, 3)  # a range no one else uses
    first = calendar.calendar_frame(first_day, last_day)
    first.loc[0, "working_day_number"] = 99
    second = calendar.calendar_frame(first_day, last_day)
    assert calls == [(1990, 1991)]
    # 20 Dec 1990 (Thursday) is the first working day; 25, 26 Dec and 1 Jan are holidays
    assert list(second["working_day_number"]) == [1, 2, 2, 2, 3, 3, 3, 4, 5, 5, 5, 6, 6, 7, 8]


def test_table_look_ups_answer_without_a_frame(monkeypatch):
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.areas (area varchar, n integer)")
    con.execute("create view marts.area_names as select area from marts.areas")

    def no_frames(*_args, **_kwargs):
        raise AssertionError("a catalogue look-up made a data frame")

    monkeypatch.setattr(read, "_fetch", no_frames)
    assert read.has_table(con, "marts", "areas")
    assert read.has_table(con, "marts", "area_names")
    assert not read.has_table(con, "marts", "nothing")
    assert read.table_columns(con, "marts", "areas") == ["area", "n"]
    assert read.table_columns(con, "marts", "nothing") == []


REGISTER_CSV = (
    "name,low,central,high,unit,price_year,status,source,note\n"
    "cost_a,1,10,20,GBP,2020/21,verified,s,n\n"
    "cost_b,2,30,40,GBP per person,2022/23,verified,s,n\n"
    "cost_c,3,50,60,GBP,2020/21,unverified,s,n\n"
    "share_d,0.1,0.2,0.3,share,,verified,s,n\n"
)
DEFLATORS_CSV = (
    "financial_year,deflator_index,is_forecast,source,note\n"
    "2020/21,80,false,s,n\n"
    "2022/23,90,false,s,n\n"
    "2024/25,100,false,s,n\n"
)


@pytest.fixture
def register_files(tmp_path):
    (tmp_path / "assumptions.csv").write_text(REGISTER_CSV, encoding="utf-8")
    (tmp_path / "deflators.csv").write_text(DEFLATORS_CSV, encoding="utf-8")
    return tmp_path / "assumptions.csv", tmp_path / "deflators.csv"


def test_the_register_and_deflators_are_parsed_once_per_content(register_files, monkeypatch):
    register_path, deflators_path = register_files
    calls = []
    real = pd.read_csv

    def read_csv(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(register.pd, "read_csv", read_csv)
    first = register.load_register(register_path)
    first.loc[0, "central"] = -1.0  # a caller's change stays its own
    assert register.load_register(register_path).loc[0, "central"] == 10.0
    register.load_deflators(deflators_path)
    register.load_deflators(deflators_path)
    assert len(calls) == 2
    register_path.write_text(REGISTER_CSV.replace("cost_a,1,10", "cost_a,1,11"), encoding="utf-8")
    assert register.load_register(register_path).loc[0, "central"] == 11.0
    assert len(calls) == 3


def test_money_is_uprated_once_per_price_year(register_files, monkeypatch):
    register_path, deflators_path = register_files
    years = []
    real = register.uprate_factor

    def counted(price_year, base_year, deflators):
        years.append(price_year)
        return real(price_year, base_year, deflators)

    monkeypatch.setattr(register, "uprate_factor", counted)
    frame = register.parameters(
        dt.date(2024, 6, 30), register_path=register_path, deflators_path=deflators_path
    ).set_index("name")
    assert years == ["2020/21", "2022/23"]
    # base 2024/25 (index 100): 2020/21 money x 100/80, 2022/23 money x 100/90
    assert frame.loc["cost_a", "central"] == pytest.approx(12.5)
    assert frame.loc["cost_b", "central"] == pytest.approx(30 * 100 / 90)
    assert frame.loc["cost_c", "central"] == pytest.approx(62.5)
    assert frame.loc["share_d", "central"] == pytest.approx(0.2)
    assert list(frame["uprate_factor"]) == pytest.approx([1.25, 100 / 90, 1.25, 1.0])


TINY = Path(__file__).parent / "corpus" / "booleans" / "extract"


def _build_configs(monkeypatch) -> list[dict]:
    configs = []
    real = duckdb.connect

    def connect(database, *args, **kwargs):
        if "config" in kwargs and str(database).endswith(".tmp"):  # the build's warehouse
            configs.append(dict(kwargs["config"]))
        return real(database, *args, **kwargs)

    monkeypatch.setattr(build_module.duckdb, "connect", connect)
    return configs


def test_a_tiny_extract_builds_on_one_duckdb_thread(tmp_path, monkeypatch):
    configs = _build_configs(monkeypatch)
    assert build(TINY, tmp_path / "w.duckdb").models > 0
    assert [c.get("threads") for c in configs] == [1]


def test_threads_asked_for_win_over_the_small_extract_default(tmp_path, monkeypatch):
    configs = _build_configs(monkeypatch)
    build(TINY, tmp_path / "w.duckdb", threads=2)
    assert [c.get("threads") for c in configs] == [2]


def test_an_extract_of_a_mebibyte_or_more_keeps_duckdbs_default(tmp_path):
    extract = tmp_path / "extract"
    shutil.copytree(TINY, extract)
    assert default_threads(locate(extract)) == 1
    victims = extract / "victims.csv"
    header, *rows = victims.read_text(encoding="utf-8").splitlines(keepends=True)
    padding = SMALL_EXTRACT_BYTES - sum(f.stat().st_size for f in extract.glob("*.csv"))
    extra = "".join(rows[0].replace("v1,", f"p{i:07d},", 1) for i in range(padding // 30 + 1))
    victims.write_text(header + "".join(rows) + extra, encoding="utf-8")
    assert sum(f.stat().st_size for f in extract.glob("*.csv")) >= SMALL_EXTRACT_BYTES
    assert default_threads(locate(extract)) is None


def test_a_rebuild_reads_the_archive_and_the_live_warehouse_without_a_database_each(
    tmp_path, monkeypatch
):
    db = tmp_path / "w.duckdb"
    build(TINY, db)
    opened = []
    real = duckdb.connect

    def connect(database=":memory:", *args, **kwargs):
        opened.append((Path(str(database)).name, bool(kwargs.get("read_only"))))
        return real(database, *args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", connect)
    build(TINY, db)
    # only the new warehouse: the live warehouse's as-of date and the archive's releases,
    # revisions and quarters are read, and the build's mark written in the staged archive
    # (the same extract adds no release), by attaching the files, not by a database each
    assert [read_only for _name, read_only in opened] == [False]
    assert opened[0][0].startswith(".w.duckdb.") and opened[0][0].endswith(".tmp")


def test_a_file_read_sees_the_file_as_written_and_leaves_it_free(tmp_path):
    path = tmp_path / "small.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table t as select 1 as n")
    con.close()
    with file_read.read_only(path) as cur:
        assert cur.execute("select n from t").fetchall() == [(1,)]
        with pytest.raises(duckdb.Error):
            cur.execute("insert into t values (2)")
    con = duckdb.connect(str(path))  # detached: the file can be written again
    con.execute("insert into t values (2)")
    con.close()
    with file_read.read_only(path) as cur:
        assert cur.execute("select n from t order by n").fetchall() == [(1,), (2,)]


def test_a_file_that_is_not_a_database_is_a_duckdb_error(tmp_path):
    path = tmp_path / "not.duckdb"
    path.write_text("referral_id\nr1\n", encoding="utf-8")
    with pytest.raises(duckdb.Error), file_read.read_only(path):
        pass
    with pytest.raises(duckdb.Error), file_read.read_only(tmp_path / "absent.duckdb"):
        pass
    good = tmp_path / "good.duckdb"
    duckdb.connect(str(good)).close()
    with file_read.read_only(good) as cur:  # still usable after
        assert cur.execute("select 1").fetchall() == [(1,)]


def test_threads_reading_one_file_take_turns(tmp_path):
    path = tmp_path / "small.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table t as select range as n from range(10)")
    con.close()
    answers = []

    def reader():
        for _ in range(20):
            with file_read.read_only(path) as cur:
                answers.append(cur.execute("select sum(n) from t").fetchone()[0])

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [45] * 60


def test_a_forked_child_reads_with_a_database_of_its_own(tmp_path):
    path = tmp_path / "small.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table t as select 7 as n")
    con.close()
    with file_read.read_only(path) as cur:  # the parent's database exists before the fork
        assert cur.execute("select n from t").fetchone() == (7,)
    child = os.fork()
    if child == 0:  # the child: exit code 0 only if it read the file
        code = 1
        try:
            with file_read.read_only(path) as cur:
                code = 0 if cur.execute("select n from t").fetchone() == (7,) else 1
        finally:
            os._exit(code)
    _pid, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
