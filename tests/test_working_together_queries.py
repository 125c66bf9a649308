"""The working-together queries (metrics.queries: agency_flow, outcomes_by_agency_count,
collaboration_by_area) on the warehouse built from tests/working_together_support.py;
the figures are worked out there and in tests/test_working_together_models.py."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from metrics import queries
from tests.working_together_support import write_warehouse

APRIL = queries.Filters(dt.date(2025, 4, 1), dt.date(2025, 4, 1))
MAY = queries.Filters(dt.date(2025, 5, 1), dt.date(2025, 5, 1))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    db = write_warehouse(tmp_path_factory.mktemp("together_queries") / "w.duckdb")
    con = queries.connect(db)
    yield con
    con.close()


def run(con, name, audience="manager", filters=APRIL, **kwargs):
    return queries.QUERIES[name].function(con, audience, filters, **kwargs)


def test_agency_flow_over_the_period(con):
    flow = run(con, "agency_flow").set_index("to_agency")
    assert len(flow) == 7  # April: every agency that was sent a referral
    hate = flow.loc["hate_crime"]
    assert (hate["sent"], hate["accepted"], hate["redirected"]) == (2, 2, 0)
    assert (hate["median_days_to_acceptance"], hate["median_days_to_first_contact"]) == (6.5, 5)
    assert flow["sent"].sum() == 9


def test_agency_flow_follows_the_agency_and_crime_type_filters(con):
    older = run(con, "agency_flow", filters=queries.Filters(
        APRIL.first, APRIL.last, "older_people")).set_index("to_agency")
    assert list(older.index) == ["older_people"]
    assert (older.loc["older_people", "accepted"], older.loc["older_people", "declined"]) == (1, 1)
    assert run(con, "agency_flow", filters=queries.Filters(
        APRIL.first, APRIL.last, "no_such_agency")).empty
    assert run(con, "agency_flow", filters=queries.Filters(
        APRIL.first, APRIL.last, "all", "burglary_residential")).empty  # all are thefts


def test_agency_flow_for_pcc_withholds_small_sensitive_flows(con):
    flow = run(con, "agency_flow", "pcc").set_index("to_agency")
    assert "persons" not in flow.columns
    # hate_crime and lgbt are sensitive: 1 or 2 sent -> withheld
    for agency in ("hate_crime", "lgbt", "young_people", "nhs_mental_health"):
        assert math.isnan(flow.loc[agency, "sent"]), agency
        assert flow.loc[agency, "suppressed"] == "fewer than 10"
    # older_people is not sensitive: shown as in the manager view
    assert flow.loc["older_people", "sent"] == 2
    assert flow.loc["older_people", "suppressed"] == ""


def test_outcomes_by_agency_count_over_the_period(con):
    rows = run(con, "outcomes_by_agency_count", filters=MAY).set_index(
        ["indicator_id", "agency_count"])
    one = rows.loc[("coped_better_at_exit", "at_most_one")]
    more = rows.loc[("coped_better_at_exit", "two_or_more")]
    assert (one["numerator"], one["denominator"], one["status"]) == (2, 3, "ok")
    assert (more["numerator"], more["denominator"]) == (1, 2)
    assert (more["ci_low"], more["ci_high"]) == pytest.approx((0.0945, 0.9055), abs=1e-4)
    # no SWEMWBS in the extract: nobody in the base, not 0 %
    assert rows.loc[("wellbeing_gain_at_exit", "two_or_more"), "status"] == "empty_base"
    assert math.isnan(rows.loc[("wellbeing_gain_at_exit", "two_or_more"), "value"])


def test_collaboration_by_area_keeps_empty_areas(con):
    rows = run(con, "collaboration_by_area").set_index("area")
    assert list(rows.index) == ["A01", "A02", "A03", "A04", "unknown"]
    assert (rows.loc["A01", "numerator"], rows.loc["A01", "denominator"]) == (1, 3)
    assert rows.loc["A04", "status"] == "empty_base"
    assert math.isnan(rows.loc["A04", "value"])
    with pytest.raises(ValueError, match="no area breakdown"):
        run(con, "collaboration_by_area", indicator="satisfaction")


def test_collaboration_by_area_for_pcc_withholds_small_areas(con):
    rows = run(con, "collaboration_by_area", "pcc").set_index("area")
    assert "persons" not in rows.columns
    assert rows.loc["A01", "status"] == "suppressed"  # 1 of 3
    assert rows.loc["A04", "status"] == "empty_base"


def test_working_together_queries_are_not_for_the_public(con):
    for name in ("agency_flow", "outcomes_by_agency_count", "collaboration_by_area"):
        with pytest.raises(queries.NotPermitted):
            queries.QUERIES[name].function(con, "public", APRIL)
