"""The dashboard pages under Streamlit's AppTest, on warehouses whose figures are known.

`model_db` is built by every SQL model from the rows in app_support.MODEL_TABLES (the
arithmetic is in write_model_fixture's docstring).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests import app_support
from tests.app_support import write_model_fixture

PAGES = [
    "scorecard",
    "wellbeing",
    "prevention",
    "nhs_demand",
    "value_for_money",
    "operations",
    "equity",
    "data_quality",
    "methods",
]
MANAGER_ONLY_OR_PCC = {"operations", "data_quality"}
FEBRUARY = {"months": ["2026-02", "2026-02"]}


@pytest.fixture(scope="module")
def model_db(tmp_path_factory) -> Path:
    return write_model_fixture(tmp_path_factory.mktemp("model") / "warehouse.duckdb")


def open_app(
    monkeypatch,
    db: Path,
    audience: str = "manager",
    params: dict | None = None,
    page: str | None = None,
) -> AppTest:
    return app_support.open_page(monkeypatch, db, page, audience, params)


def metric(at: AppTest, label: str):
    hits = [m for m in at.metric if plain(m.label) == label]
    assert len(hits) == 1, f"expected one metric {label!r}, found {len(hits)}"
    return hits[0]


def texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.warning, *at.title)]
    return "\n".join(str(p) for p in parts)


def plain(text: str) -> str:
    """Markdown with the escapes taken out, for comparing with expected text."""
    return text.replace("\\", "")


COPED = "People who cope better by the end of support"


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("audience", ["manager", "pcc", "public"])
def test_every_page_renders_without_an_error(monkeypatch, model_db, page, audience):
    if audience == "public" and page in MANAGER_ONLY_OR_PCC:
        # not in the public view's navigation at all
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            open_app(monkeypatch, model_db, audience, page=page)
        return
    at = open_app(monkeypatch, model_db, audience, page=page)
    assert not at.exception
    assert not at.error
    assert len(at.title) == 1


def test_scorecard_shows_the_warehouse_figures_for_the_period(monkeypatch, model_db):
    at = open_app(monkeypatch, model_db, params=FEBRUARY)
    assert not at.exception
    # February 2026: 2 of 3 coped better -> 66.7%
    assert metric(at, COPED).value == "66.7%"
    # Wilson 95% for 2 of 3: centre (0.6667 + 0.6403) / 2.2805 = 0.5731,
    # half 1.96 * sqrt(0.0741 + 0.1067) / 2.2805 = 0.3654 -> 20.8% to 93.9%
    assert "2 of 3; 95% CI 20.8% to 93.9%" in plain(texts(at))
    # homes made safer in February: r1's target hardening -> 1
    assert metric(at, "Homes made safer (target hardening)").value == "1"


def test_filters_change_the_figures(monkeypatch, model_db):
    at = open_app(monkeypatch, model_db, params=FEBRUARY)
    at.selectbox(key="agency").set_value("hate_crime").run()
    assert not at.exception
    # hate_crime was involved in r1 only, who coped better: 1 of 1
    assert metric(at, COPED).value == "100.0%"
    assert "1 of 1" in plain(texts(at))
    at.select_slider(key="months").set_value(("2026-04", "2026-04")).run()
    # April: nobody hate_crime was involved with closed -> no one in the base, not 0%
    assert not [m for m in at.metric if plain(m.label) == COPED]
    assert "Nobody in the base" in texts(at)


def test_query_params_restore_the_view(monkeypatch, model_db):
    at = open_app(
        monkeypatch, model_db, params={**FEBRUARY, "agency": "Hate crime service", "money": "false"}
    )
    assert at.selectbox(key="agency").value == "hate_crime"
    assert at.select_slider(key="months").value == ("2026-02", "2026-02")
    assert at.toggle(key="money").value is False
    assert metric(at, COPED).value == "100.0%"
    assert "Monetisation off" in [m.value for m in at.metric]
    quarter = open_app(
        monkeypatch, model_db, params={"period": "Financial quarter", "quarter": "2025/26-Q4"}
    )
    # 2025/26 Q4 is January to March 2026: the February cohort only -> 2 of 3
    assert quarter.selectbox(key="quarter").value == "2025/26-Q4"
    assert metric(quarter, COPED).value == "66.7%"


def test_month_with_no_event_shows_zero_and_counts_stay_apart_from_missing(monkeypatch, model_db):
    at = open_app(monkeypatch, model_db, params={"months": ["2026-03", "2026-03"]})
    # homes made safer is a count of events: March had none -> 0, shown as a number
    assert metric(at, "Homes made safer (target hardening)").value == "0"
    # coped better has nobody in its base in March: a label, not a number
    assert not [m for m in at.metric if plain(m.label) == COPED]
    assert "Nobody in the base" in texts(at)


def test_no_warehouse_says_how_to_build_one(monkeypatch, tmp_path):
    at = open_app(monkeypatch, tmp_path / "absent.duckdb")
    assert not at.exception
    assert "hubvalue build --input" in texts(at)


def test_a_damaged_warehouse_is_reported_without_details(monkeypatch, tmp_path):
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(b"not a database" * 100)
    at = open_app(monkeypatch, damaged)
    assert not at.exception
    assert any("could not be read" in e.value for e in at.error)


def test_public_view_has_no_record_filters_and_ignores_them_in_the_url(monkeypatch, model_db):
    at = open_app(
        monkeypatch,
        model_db,
        "public",
        params={"agency": "Hate crime service", "period": "Month range"},
    )
    assert not at.exception
    assert not [s for s in at.selectbox if s.key in ("agency", "crime")]
    assert at.radio(key="period").options == ["Financial quarter"]
    assert at.radio(key="period").value == "Financial quarter"


def test_rebuild_is_picked_up_without_restart(monkeypatch, model_db, tmp_path):
    db = tmp_path / "live.duckdb"
    db.write_bytes(model_db.read_bytes())
    at = open_app(monkeypatch, db, params=FEBRUARY)
    assert metric(at, COPED).value == "66.7%"
    # a rebuild writes a new file and swaps it in; here r2's exit score is now better
    fresh = tmp_path / "fresh.duckdb"
    fresh.write_bytes(model_db.read_bytes())
    con = duckdb.connect(str(fresh))
    con.execute(
        "update marts.indicator_monthly set numerator = 3, value = 1.0 "
        "where indicator_id = 'coped_better_at_exit' and agency = 'all' "
        "and month = date '2026-02-01'"
    )
    con.close()
    fresh.replace(db)
    at.run()
    assert metric(at, COPED).value == "100.0%"


def test_exception_lists_only_for_managers(monkeypatch, model_db):
    manager = open_app(monkeypatch, model_db, page="operations")
    assert "Cases past a deadline" in [h.value for h in manager.header]
    pcc = open_app(monkeypatch, model_db, "pcc", page="operations")
    assert "Cases past a deadline" not in [h.value for h in pcc.header]


def test_value_for_money_moves_when_an_assumption_changes(monkeypatch, model_db):
    con = duckdb.connect(str(model_db), read_only=True)
    wellby, gp, response, other = (
        con.execute("select central from ref.parameters where name = ?", [n]).fetchone()[0]
        for n in ("wellby_value_gbp", "unit_cost_gp_appointments",
                  "crime_cost_response_burglary_residential",
                  "crime_cost_residual_burglary_residential")
    )
    con.close()
    at = open_app(monkeypatch, model_db, params=FEBRUARY, page="value_for_money")
    assert not at.exception
    # wellbeing: +2 points x WELLBY x (1 - 0.3) x 0.5 x A(1) = 0.7 x WELLBY
    # NHS: 6 GP appointments x cost x (1 - 0.5) x 0.5 x A(2, 0.5, 0.035),
    #      A = 1 + 0.5 / 1.035;
    # crime (r1, burglary): 0.17 repeat x 0.20 effect = 0.034 victims spared, valued at the
    #      police and criminal justice cost plus the other non-overlapping cost
    wellbeing = 0.7 * wellby
    nhs = 6 * gp * 0.25 * (1 + 0.5 / 1.035)
    crime = 0.034 * (response + other)
    shown = metric(at, "Projected public value").value
    assert shown == gbp(wellbeing + nhs + crime)
    # value per pound: funding 1,000 in February
    assert metric(at, "Value per pound").value == f"£{(wellbeing + nhs + crime) / 1000:,.2f}"
    # the what-if editor's inputs are drawn once it is opened
    assert not at.number_input
    at.session_state["vfm_what_if_open"] = True
    at.run()
    at.number_input(key="vfm_attribution_wellbeing").set_value(1.0)
    [apply] = [b for b in at.button if b.label == "Apply"]
    apply.click().run()
    assert not at.exception
    # attribution 0.5 -> 1.0 doubles the wellbeing part
    assert metric(at, "Projected public value").value == gbp(2 * wellbeing + nhs + crime)
    assert any("What-if" in w.value for w in at.warning)


def gbp(value: float) -> str:
    """The dashboard's £ format, written out for the test: three significant figures."""
    for threshold, suffix in ((1e6, "m"), (1e3, "k")):
        if value >= threshold:
            scaled = value / threshold
            decimals = max(0, 3 - len(str(int(scaled))))
            return f"£{scaled:.{decimals}f}{suffix}"
    return f"£{value:,.0f}"


def test_monetisation_can_be_switched_off(monkeypatch, model_db):
    at = open_app(
        monkeypatch, model_db, params={**FEBRUARY, "money": "false"}, page="value_for_money"
    )
    assert not at.exception
    assert any("Monetisation is switched off" in w.value for w in at.warning)
    assert not [m for m in at.metric if plain(m.label) == "Projected public value"]


def chart_names(at: AppTest) -> list[str]:
    """The names of the charts drawn (each chart's key is chart_<name>)."""
    return [c.key.removeprefix("chart_") for c in at.get("plotly_chart")]


def test_every_chart_has_its_data_and_a_download(monkeypatch, model_db):
    at = open_app(monkeypatch, model_db, params=FEBRUARY, page="wellbeing")
    names = chart_names(at)
    # the page opens on its first tab, the short horizon: four wellbeing indicators
    assert len(names) == 4
    assert "wellbeing_coped_better_at_exit" in names
    download_keys = {b.key for b in at.get("download_button")}
    assert {f"dl_{n}_csv" for n in names} <= download_keys
    # the tables behind the charts are drawn only once their expander is opened
    assert not at.dataframe
    for name in names:
        at.session_state[f"table_{name}"] = True
    at.run()
    assert not at.exception
    assert len(at.dataframe) == len(names)
    tables = [d.value for d in at.dataframe]
    assert all({"period_start", "status", "numerator", "denominator", "value"}
               <= set(t.columns) for t in tables)
    # coped better, February 2026: 2 of 3 (write_model_fixture's docstring)
    february = [t[t["period_start"] == "2026-02"] for t in tables
                if (t["value"].round(4) == round(2 / 3, 4)).any()]
    assert february and february[0][["numerator", "denominator"]].iloc[0].tolist() == [2, 3]


def test_a_theme_page_draws_only_its_open_tab(monkeypatch, model_db):
    at = open_app(monkeypatch, model_db, params=FEBRUARY, page="wellbeing")
    assert [t.label for t in at.tabs] == ["During support", "3 to 12 months after",
                                          "A year and more after", "Breakdowns",
                                          "How scores moved"]
    assert not [n for n in chart_names(at) if "_by_" in n]
    # the tab is in the address: a link to the breakdowns opens them
    split = open_app(monkeypatch, model_db, params={**FEBRUARY,
                                                    "wellbeing_section": "Breakdowns"},
                     page="wellbeing")
    assert not split.exception
    names = chart_names(split)
    assert "wellbeing_coped_better_at_exit" not in names
    assert any(n.startswith("wellbeing_by_agency_") for n in names)
    public = open_app(monkeypatch, model_db, "public", page="wellbeing")
    assert "Breakdowns" not in [t.label for t in public.tabs]


def test_operations_shows_one_standard_at_a_time(monkeypatch, model_db):
    at = open_app(monkeypatch, model_db, params={**FEBRUARY, "operations_section":
                                                 "Timeliness by agency"}, page="operations")
    assert not at.exception
    # the first standard in the list (operations.TIMELINESS order) is drawn, alone
    assert [n for n in chart_names(at) if n.endswith("_by_agency")] == [
        "operations_police_referral_2wd_by_agency"]
    at.selectbox(key="operations_standard").set_value("first_contact_2wd").run()
    assert not at.exception
    assert [n for n in chart_names(at) if n.endswith("_by_agency")] == [
        "operations_first_contact_2wd_by_agency"]
    # every standard stays one click away, as a table and a download
    assert "dl_operations_timeliness_all_csv" in {b.key for b in at.get("download_button")}


def test_the_scorecard_trend_is_a_small_svg_with_gaps(monkeypatch, model_db):
    at = open_app(monkeypatch, model_db, params={"months": ["2026-02", "2026-04"]})
    assert not at.exception
    # coped better by month up to April: January no one in the base, February 2 of 3,
    # March no one in the base, April 0 of 1 -> [gap, 0.667, gap, 0.0]. In the 160 x 32
    # picture with 3 px padding: x = 3 + i * 154 / 3 -> February 54.3, April 157;
    # y = 3 for the highest value (67%), 29 for the lowest (0%). The gaps leave two
    # single points; the latest (April) gets the larger dot.
    [caption] = [c.value for c in at.caption if "Trend over 4 months: from 66.7%" in c.value]
    assert ('aria-label="Trend over 4 months: from 66.7% to 0.0%, lowest 0.0%, highest 66.7%; '
            '2 months without a value (a gap in the line)."') in caption
    assert '<circle cx="54.3" cy="3" r="1.5"' in caption
    assert '<circle cx="157" cy="29" r="2.5"' in caption
    assert "<polyline" not in caption  # no two neighbouring months both have a value
    # the figure itself is still a metric, over February to April: 2 + 0 of 3 + 1 = 50%
    assert metric(at, COPED).value == "50.0%"
