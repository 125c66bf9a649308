"""A national build's output (hubvalue lake build) as the dashboard and reports read it:
one warehouse per area, an area filter only when there is more than one area, and clear
one-line errors for a bad lake or area."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from metrics import national
from metrics.cli import main
from tests.app_support import write_mart_fixture
from tests.report_support import small_hub_file

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


@pytest.fixture(scope="module")
def one_warehouse(tmp_path_factory) -> Path:
    return write_mart_fixture(tmp_path_factory.mktemp("fixture") / "warehouse.duckdb")


def national_output(root: Path, warehouse: Path, areas: list[str]) -> Path:
    """A national output folder whose area warehouses are copies of the fixture, each
    with its own build id (build<area>) so the page shows which one it read."""
    folder = root / national.AREAS_DIR
    folder.mkdir(parents=True)
    for area in areas:
        copy = folder / f"{area}.duckdb"
        shutil.copy(warehouse, copy)
        con = duckdb.connect(str(copy))
        con.execute("update meta.build set build_id = ?", [f"build{area}"])
        con.close()
    return root


def test_warehouse_for_a_file_an_only_area_and_a_named_area(tmp_path, one_warehouse):
    assert national.warehouse_for(one_warehouse, None) == one_warehouse
    single = national_output(tmp_path / "one", one_warehouse, ["north"])
    assert national.warehouse_for(single, None) == single / "areas" / "north.duckdb"
    several = national_output(tmp_path / "two", one_warehouse, ["north", "south"])
    assert national.warehouse_for(several, "south") == several / "areas" / "south.duckdb"
    with pytest.raises(national.AreaError, match=r"--area: .* holds 2 areas; name one "
                       r"\(north, south\)"):
        national.warehouse_for(several, None)
    with pytest.raises(national.AreaError, match=r"--area: no area of that code"):
        national.warehouse_for(several, "west")
    with pytest.raises(national.AreaError, match=r"only a national build's output"):
        national.warehouse_for(one_warehouse, "north")


def _open(monkeypatch, db: Path, params: dict | None = None) -> AppTest:
    monkeypatch.setenv("HUBVALUE_DB", str(db))
    monkeypatch.setenv("HUBVALUE_AUDIENCE", "manager")
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return at


def _area_boxes(at: AppTest) -> list:
    return [box for box in at.sidebar.selectbox if box.label == "PCC area"]


def _captions(at: AppTest) -> str:
    return "\n".join(str(c.value) for c in at.sidebar.caption)


def test_the_dashboard_offers_an_area_only_when_there_are_several(
        tmp_path, monkeypatch, one_warehouse):
    several = national_output(tmp_path / "two", one_warehouse, ["north", "south"])
    at = _open(monkeypatch, several)
    (box,) = _area_boxes(at)
    assert box.options == ["north", "south"]
    assert "buildnorth" in _captions(at)  # the first area until another is chosen
    box.select("south").run()
    assert "buildsouth" in _captions(at)
    assert "buildnorth" not in _captions(at)
    # the choice is in the address, like the other filters
    at = _open(monkeypatch, several, {"pcc_area": "south"})
    assert "buildsouth" in _captions(at)

    single = national_output(tmp_path / "one", one_warehouse, ["north"])
    at = _open(monkeypatch, single)
    assert _area_boxes(at) == []
    assert "buildnorth" in _captions(at)

    at = _open(monkeypatch, one_warehouse)
    assert _area_boxes(at) == []
    assert "fixture0001" in _captions(at)


def test_report_needs_an_area_of_a_national_output(tmp_path, capsys):
    hub = small_hub_file(tmp_path / "hub.duckdb")
    several = national_output(tmp_path / "two", hub, ["north", "south"])
    out = tmp_path / "report.html"
    code = main(["report", "--db", str(several), "--audience", "manager",
                 "--period", "2026-10", "--out", str(out)])
    assert code == 2
    assert "--area:" in capsys.readouterr().err
    assert not out.exists()
    code = main(["report", "--db", str(several), "--area", "south", "--audience", "manager",
                 "--period", "2026-10", "--out", str(out)])
    assert code == 0
    assert "buildsouth" in out.read_text(encoding="utf-8")


def test_lake_build_refuses_a_folder_that_is_not_a_lake(tmp_path, capsys):
    empty = tmp_path / "lake"
    empty.mkdir()
    (empty / "pcc_area=north").mkdir()
    (empty / "pcc_area=north" / "raw.referrals.parquet").write_bytes(b"")
    out = tmp_path / "national"
    code = main(["lake", "build", "--lake", str(empty), "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == ["hubvalue lake build: error: --lake: pcc_area=north: needs raw, meta and "
                   "ref tables; nothing was changed"]
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["lake"]  # no half-written output


def test_lake_build_refuses_an_unknown_engine_and_a_bad_setting(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["lake", "build", "--lake", str(tmp_path), "--out", str(tmp_path / "o"),
              "--engine", "spark", "--conf", "master=local"])
    assert stop.value.code == 2
    assert "--conf: must be KEY=VALUE with a key starting 'spark.'" in capsys.readouterr().err
