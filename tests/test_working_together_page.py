"""The Working together page under Streamlit's AppTest, on the warehouse built from the
hand-made extract of tests/working_together_support.py (the figures are worked out in
tests/test_working_together_models.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests import app_support
from tests.working_together_support import write_warehouse

APRIL = {"months": ["2025-04", "2025-04"]}
MAY = {"months": ["2025-05", "2025-05"]}
TABS = ["Flow between agencies", "No wrong door", "Cases shared", "Listened to",
        "Outcomes by agencies involved", "By area"]


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return write_warehouse(tmp_path_factory.mktemp("together") / "warehouse.duckdb")


def open_page(monkeypatch, db: Path, audience: str = "manager", params: dict | None = None
              ) -> AppTest:
    return app_support.open_page(monkeypatch, db, "working_together", audience, params)


def texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.warning, *at.title)]
    return "\n".join(str(p) for p in parts).replace("\\", "")


@pytest.mark.parametrize("audience", ["manager", "pcc"])
@pytest.mark.parametrize("tab", TABS)
def test_every_tab_renders(monkeypatch, db, audience, tab):
    at = open_page(monkeypatch, db, audience,
                   {**APRIL, "working_together_section": tab})
    assert not at.exception
    assert not at.error
    assert [t.value for t in at.title] == ["Working together"]


def test_the_public_view_has_no_working_together_page(monkeypatch, db):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(monkeypatch, db, "public")


def test_flow_title_counts_every_agency_referral_sent(monkeypatch, db):
    at = open_page(monkeypatch, db, params=APRIL)
    # April 2025: a1 to a9 sent; a1, a2, a3, a5, a8 accepted -> 5 of 9 = 55.6%
    assert "9 agency referrals sent in" in texts(at)
    assert "55.6% accepted" in texts(at)
    keys = {b.key for b in at.get("download_button")}
    assert {"dl_working_together_flow_csv", "dl_working_together_speed_csv"} <= keys
    # the medians by agency pair: hate crime 3 and 10 working days -> 6.5
    speed = [t.value for t in at.table]
    assert speed and "6.5 working days" in speed[0].to_string()


def test_agency_filter_narrows_the_flow(monkeypatch, db):
    at = open_page(monkeypatch, db, params={**APRIL, "agency": "Older people's service"})
    assert not at.exception
    assert at.selectbox(key="agency").value == "older_people"
    # a3 accepted, a7 declined -> 2 sent, 50.0% accepted
    assert "2 agency referrals sent in" in texts(at)
    assert "50.0% accepted" in texts(at)


def test_outcomes_are_labelled_descriptive_not_causal(monkeypatch, db):
    at = open_page(monkeypatch, db, params={
        **MAY, "working_together_section": "Outcomes by agencies involved"})
    shown = texts(at)
    assert "descriptive, not causal" in shown.lower()
    # coped better, May 2025: one agency r2, r4 of r2, r4, r5 = 66.7%; two or more r1 of
    # r1, r3 = 50.0%
    assert "66.7% with one agency, 50.0% with two or more" in shown


def test_pcc_sees_small_sensitive_flows_withheld(monkeypatch, db):
    at = open_page(monkeypatch, db, "pcc", params=APRIL)
    assert not at.exception
    at.session_state["table_working_together_flow"] = True
    at.run()
    table = at.dataframe[0].value.set_index("to_agency")
    # hate crime (sensitive): 2 sent, fewer than 10 -> withheld; witness care (not
    # sensitive for the pcc view) keeps its 1
    assert table.loc["Hate crime service", "suppressed"] == "fewer than 10"
    assert table.loc["Hate crime service", "sent"] != table.loc["Hate crime service", "sent"]
    assert table.loc["Witness care", "sent"] == 1


def test_by_area_lists_every_area_and_not_recorded(monkeypatch, db):
    at = open_page(monkeypatch, db, params={**APRIL, "working_together_section": "By area"})
    assert not at.exception
    at.session_state["table_working_together_multi_agency_share_by_area"] = True
    at.run()
    table = at.dataframe[0].value
    rows = dict(zip(table["area"], table["status"], strict=True))
    # the whole hub first (2 of 5); A03 (r6 not assessed) and A04 (no referral) are
    # empty, not left out
    assert rows == {"all": "ok", "A01": "ok", "A02": "ok", "A03": "empty_base",
                    "A04": "empty_base", "unknown": "ok"}
    assert list(table["area"])[0] == "all"
    assert "2 with nobody in the base in the period" in texts(at)
