"""Figures by area (evidence.md, Place) on the hand-built SMALL_HUB of tests/place_support.py:
the list of areas, a theme outcome by area and the people referred by area, for the
manager and the PCC. A03 has a victim but nobody referred: it is listed, with zero
people and an empty base, never left out."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from metrics import queries
from tests.place_support import SMALL_AS_OF, SMALL_HUB, write_warehouse

MAY = queries.Filters(dt.date(2025, 5, 1), dt.date(2025, 5, 1))
QUARTER = queries.Filters(dt.date(2025, 4, 1), dt.date(2025, 6, 1))
COPED = "coped_better_at_exit"


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = write_warehouse(tmp_path_factory.mktemp("place") / "hub.duckdb", SMALL_HUB,
                           SMALL_AS_OF, release=False)
    connection = queries.connect(Path(path))
    yield connection
    connection.close()


def by_area(frame, area_column="area"):
    return frame.set_index(area_column).to_dict("index")


def test_areas_are_every_area_among_the_victims(con):
    # a4 (A03) has no referral and a5 has no area: both still give an area
    areas = con.execute("select area, victims from marts.areas order by area").fetchall()
    assert areas == [("A01", 2), ("A02", 1), ("A03", 1), ("unknown", 1)]


def test_coped_better_by_area_hand_computed(con):
    frame = queries.area_breakdown(con, "manager", MAY, indicator=COPED)
    rows = by_area(frame, "category")
    # closed in May 2025: r1 (A01, better), r2 (A01, not), r3 (A02, better), r4 (no area,
    # not better)
    assert list(frame["category"]) == ["A01", "A02", "A03", "unknown"]
    assert (rows["A01"]["numerator"], rows["A01"]["denominator"]) == (1, 2)
    assert rows["A01"]["value"] == 0.5 and rows["A01"]["status"] == "ok"
    assert (rows["A02"]["numerator"], rows["A02"]["denominator"], rows["A02"]["value"]) \
        == (1, 1, 1.0)
    assert (rows["unknown"]["numerator"], rows["unknown"]["denominator"]) == (0, 1)
    # A03: nobody in the base. Listed, as an empty base, not as 0 %
    assert rows["A03"]["status"] == "empty_base"
    assert rows["A03"]["denominator"] == 0 and math.isnan(rows["A03"]["value"])
    # the areas add up to the whole hub's figure: 2 of 4
    assert frame["numerator"].sum() == 2 and frame["denominator"].sum() == 4


def test_people_referred_by_area_shows_zero_for_an_area_nobody_was_referred_from(con):
    frame = queries.referrals_by_area(con, "manager", QUARTER)
    rows = by_area(frame)
    # April to June 2025: A01 r1, r2, r5 (a1 twice, a2), A02 r3, no area r4
    assert list(frame["area"]) == ["A01", "A02", "A03", "unknown"]
    assert (rows["A01"]["referrals"], rows["A01"]["persons"]) == (3, 2)
    assert (rows["A02"]["referrals"], rows["A02"]["persons"]) == (1, 1)
    assert (rows["unknown"]["referrals"], rows["unknown"]["persons"]) == (1, 1)
    assert (rows["A03"]["referrals"], rows["A03"]["persons"], rows["A03"]["share"]) == (0, 0, 0)
    assert rows["A01"]["share"] == 0.5 and rows["A02"]["share"] == 0.25
    assert frame["total_persons"].iloc[0] == 4


def test_for_the_pcc_small_areas_are_hidden_and_zero_stays_zero(con):
    frame = queries.referrals_by_area(con, "pcc", QUARTER)
    rows = by_area(frame)
    for area in ("A01", "A02", "unknown"):  # 1 or 2 people: fewer than 8
        assert math.isnan(rows[area]["persons"]) and math.isnan(rows[area]["referrals"])
        assert rows[area]["suppressed"] == "fewer than 8"
    assert (rows["A03"]["persons"], rows["A03"]["suppressed"]) == (0, "")
    outcome = by_area(queries.area_breakdown(con, "pcc", MAY, indicator=COPED), "category")
    assert outcome["A01"]["status"] == "suppressed" and math.isnan(outcome["A01"]["value"])
    assert outcome["A03"]["status"] == "empty_base"
    assert "persons" not in queries.area_breakdown(con, "pcc", MAY, indicator=COPED).columns


def test_area_breakdown_is_only_for_the_theme_outcomes(con):
    with pytest.raises(ValueError, match="no area breakdown"):
        queries.area_breakdown(con, "manager", MAY, indicator="open_cases")
    with pytest.raises(queries.NotPermitted):
        queries.area_breakdown(con, "public", MAY, indicator=COPED)
