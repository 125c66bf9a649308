"""The area breakdowns on a theme page and on the equity page under Streamlit's AppTest, on
the SMALL_HUB of tests/place_support.py (figures worked out in tests/test_place_breakdowns.py):

* wellbeing, coping better, May 2025: the whole hub 2 of 4 (50.0%); A01 1 of 2, A02 1 of 1,
  no area 0 of 1, A03 nobody in the base. Every area's 95% interval holds 50%, so no area
  differs from the hub beyond chance;
* equity, April to June 2025: people referred A01 2, A02 1, no area 1, A03 0 (shown as 0).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests import app_support
from tests.place_support import SMALL_AS_OF, SMALL_HUB, write_warehouse

MAY = {"months": ["2025-05", "2025-05"]}
QUARTER = {"months": ["2025-04", "2025-06"]}
BREAKDOWNS = {"wellbeing_section": "Breakdowns", "wellbeing_split": "coped_better_at_exit"}
AREA_TABLE = "table_wellbeing_coped_better_at_exit_by_area"
EQUITY_TABLE = "table_equity_by_area"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return write_warehouse(tmp_path_factory.mktemp("place_pages") / "hub.duckdb", SMALL_HUB,
                           SMALL_AS_OF)


def open_page(monkeypatch, db: Path, page: str, audience: str = "manager",
              params: dict | None = None, table: str | None = None) -> AppTest:
    at = app_support.open_page(monkeypatch, db, page, audience, params)
    if table is not None:  # open the chart's data table
        at.session_state[table] = True
        at.run()
    return at


def texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.warning, *at.title)]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def frame_with(at: AppTest, column: str, value: str):
    for element in at.dataframe:
        frame = element.value
        if column in frame.columns and value in set(frame[column]):
            return frame
    raise AssertionError("no such table on the page")


def test_theme_page_breaks_the_outcome_down_by_every_area(monkeypatch, db):
    at = open_page(monkeypatch, db, "wellbeing", params={**MAY, **BREAKDOWNS},
                   table=AREA_TABLE)
    assert not at.exception and not at.error
    shown = texts(at)
    assert ("People who cope better by the end of support: no area differs from the whole "
            "hub (50.0%) beyond chance") in shown
    assert "1 with nobody in the base in the period (shown as such, not as 0)" in shown
    assert "Base: 4 referrals in the base across the areas." in shown
    table = frame_with(at, "area", "A03").set_index("area")
    assert list(table.index) == ["all", "A01", "A02", "A03", "unknown"]  # the hub first
    assert (table.loc["A01", "numerator"], table.loc["A01", "denominator"]) == (1, 2)
    assert table.loc["A02", "value"] == 1.0
    assert table.loc["A03", "status"] == "empty_base"
    assert table.loc["all", "value"] == 0.5


def test_theme_page_area_breakdown_for_the_pcc_hides_small_areas(monkeypatch, db):
    at = open_page(monkeypatch, db, "wellbeing", "pcc", params={**MAY, **BREAKDOWNS},
                   table=AREA_TABLE)
    assert not at.exception and not at.error
    # every area's count is under 8: none shown, and no 'beyond chance' on rounded counts
    assert ("People who cope better by the end of support by area: no area shown (small "
            "numbers); the whole hub (50.0%)") in texts(at)
    table = frame_with(at, "area", "A03").set_index("area")
    assert table.loc["A01", "status"] == "suppressed"
    assert table.loc["A01", "suppressed"] == "fewer than 8"
    assert table.loc["A03", "status"] == "empty_base"


def test_equity_page_shows_where_people_were_referred_from(monkeypatch, db):
    at = open_page(monkeypatch, db, "equity", params=QUARTER, table=EQUITY_TABLE)
    assert not at.exception and not at.error
    shown = texts(at)
    assert ("Most people referred came from A01 (2, 50.0%); nobody was referred from 1 of 3 "
            "areas") in shown
    assert "25.0% of the people referred have no area recorded" in shown
    assert "Base: 4 people referred." in shown
    table = frame_with(at, "area", "A03").set_index("area")
    assert table.loc["A03", "persons"] == 0 and table.loc["A03", "referrals"] == 0
    assert (table.loc["A01", "persons"], table.loc["A01", "referrals"]) == (2, 3)


def test_the_public_sees_no_area_breakdown(monkeypatch, db):
    at = open_page(monkeypatch, db, "equity", "public")
    assert not at.exception
    assert "referred came from" not in texts(at)
    assert "area" not in " ".join(str(h.value) for h in at.markdown if "####" in str(h.value))


def test_working_together_says_where_the_flow_breaks_and_titles_the_areas(monkeypatch, db):
    # April 2025: hate crime 1 sent, 1 accepted; older people 2 sent, 1 accepted: 2 of 3
    # accepted (66.7%), older people's the smallest share (1 of 2). Cases shared (April
    # referrals assessed): 1 of 4 = 25.0%, A01 1 of 2, A02 0 of 1, no area 0 of 1, A03
    # nobody: every interval holds 25%.
    april = {"months": ["2025-04", "2025-04"]}
    at = open_page(monkeypatch, db, "working_together", params=april)
    assert not at.exception and not at.error
    assert ("3 agency referrals sent in April 2025; 66.7% accepted; fewest accepted by "
            "Older people's service (50.0% of 2)") in texts(at)
    at = open_page(monkeypatch, db, "working_together",
                   params={**april, "working_together_section": "By area"})
    shown = texts(at)
    assert ("Cases worked on by two or more agencies: no area differs from the whole hub "
            "(25.0%) beyond chance") in shown
    assert "1 with nobody in the base in the period" in shown


def test_an_area_above_the_hub_beyond_chance_is_named():
    # whole hub 50%: B01 20 of 20 (Wilson 83.9% to 100%) lies wholly above it; B02 9 of 20
    # (25.8% to 65.8%) holds it
    from types import SimpleNamespace

    import pandas as pd

    from dashboard.indicators import with_intervals
    from dashboard.place import _rate_title

    areas = with_intervals(pd.DataFrame({
        "area": ["B01", "B02"], "label": ["B01", "B02"], "kind": "rate", "status": "ok",
        "numerator": [20.0, 9.0], "denominator": [20.0, 20.0], "value": [1.0, 0.45]}))
    hub = SimpleNamespace(status="ok", value=0.5)
    assert _rate_title("Rate", areas, hub) == (
        "Rate: 1 of 2 areas above the whole hub (50.0%) beyond chance, highest B01 at 100.0%")
    assert _rate_title("Rate", areas, hub, exact=False) == (
        "Rate: from 45.0% (B02) to 100.0% (B01) across the 2 of 2 areas shown; the whole "
        "hub (50.0%)")
    assert _rate_title("Rate", areas[areas["area"] == "B02"], hub, exact=False) == (
        "Rate: 45.0% in B02, the only area shown; the whole hub (50.0%)")
