"""Working together (evidence.md, sections 5 and 6) on a hand-built extract:
multi_agency_share, redirect_resolved_10wd and listened_to_at_exit in
marts.indicator_monthly, and the marts agency_referrals, agency_flow and
outcomes_by_agency_count.

Working days: Monday to Friday less the bank holidays of England and Wales. Easter 2025:
Good Friday 18 April and Easter Monday 21 April are bank holidays. From Mon 14 April
2025 the working days are Tue 15 (1), Wed 16 (2), Thu 17 (3), Tue 22 (4), Wed 23 (5),
Thu 24 (6), Fri 25 (7), Mon 28 (8), Tue 29 (9), Wed 30 (10), Thu 1 May (11). Without the
bank holidays the 10th would be Mon 28 April. The extract and what each row is for are
in tests/working_together_support.py; every expected figure is worked out by
hand in its comment.
"""

from __future__ import annotations

import pytest

from metrics.queries import wilson_interval
from tests.support import indicator, victim
from tests.support import warehouse_from_rows as build
from tests.working_together_support import APRIL, AS_OF, JUNE, MAY, TABLES, case, sent


@pytest.fixture(scope="module")
def con():
    return build(TABLES, AS_OF)


def figures(con, indicator_id, month, agency="all"):
    row = indicator(con, indicator_id, month, agency)
    assert row is not None, (indicator_id, month, agency)
    return row["status"], row["numerator"], row["denominator"], row["value"], row["persons"]


# --- multi_agency_share ---------------------------------------------------------------


def test_multi_agency_share_counts_the_lead_agency_only_through_a_service(con):
    # base r1..r5 (r6 not assessed); two or more agencies: r1, r3
    assert figures(con, "multi_agency_share", APRIL) == ("ok", 2.0, 5.0, 0.4, 5)


@pytest.mark.parametrize(("agency", "expected"), [
    ("victim_support", ("ok", 2.0, 5.0, 0.4, 5)),  # involved in every referral
    ("hate_crime", ("ok", 1.0, 2.0, 0.5, 2)),  # r1 (two agencies), r4 (one)
    ("older_people", ("ok", 0.0, 1.0, 0.0, 1)),  # r2; r4's declined referral not involved
    ("lgbt", ("ok", 1.0, 1.0, 1.0, 1)),  # r3
    ("young_people", ("empty_base", None, None, None, 0)),  # r3 redirected: not involved
    ("nhs_mental_health", ("empty_base", None, None, None, 0)),  # r6 not assessed
])
def test_multi_agency_share_agency_rows_are_involvement_rows(con, agency, expected):
    assert figures(con, "multi_agency_share", APRIL, agency) == expected


def test_multi_agency_share_without_services_or_agency_referrals_is_no_data():
    tables = {"victims": [victim("v1")],
              "referrals": [case("r1", "v1")]}
    row = indicator(build(tables, AS_OF), "multi_agency_share", APRIL)
    assert row["status"] == "no_data"


# --- redirect_resolved_10wd -----------------------------------------------------------


def test_redirect_picked_up_on_the_tenth_working_day_counts_on_the_eleventh_not(con):
    # a4: picked up Wed 30 Apr (10th, across Easter) counts; a6: Thu 1 May (11th) not
    assert figures(con, "redirect_resolved_10wd", APRIL) == ("ok", 1.0, 2.0, 0.5, 2)


@pytest.mark.parametrize(("agency", "expected"), [
    ("young_people", ("ok", 1.0, 1.0, 1.0, 1)),  # the agency that redirected a4
    ("witness_care", ("ok", 0.0, 1.0, 0.0, 1)),  # redirected a6, not picked up in time
    ("lgbt", ("empty_base", None, None, None, 0)),  # picked up, redirected nothing
    ("hate_crime", ("empty_base", None, None, None, 0)),
])
def test_redirect_agency_row_is_the_agency_redirected_from(con, agency, expected):
    assert figures(con, "redirect_resolved_10wd", APRIL, agency) == expected


def test_redirect_before_its_deadline_is_outside_the_base(con):
    # a10 redirected Wed 25 Jun: its 10th working day (Wed 9 Jul) is after the as-of date
    assert figures(con, "redirect_resolved_10wd", JUNE)[0] == "empty_base"


def test_redirect_deadline_uses_the_bank_holidays(con):
    deadlines = dict(con.execute(
        "select agency_referral_id, deadline_date from intermediate.int_referral_redirects"
    ).fetchall())
    assert str(deadlines["a4"]) == "2025-04-30"
    assert str(deadlines["a10"]) == "2025-07-09"


def test_a_pick_up_by_the_same_agency_does_not_resolve_a_redirect():
    tables = {
        "victims": [victim("v1")],
        "referrals": [case("r1", "v1")],
        "agency_referrals": [
            sent("a1", "r1", "young_people", "2025-04-07", "redirected", "2025-04-14"),
            sent("a2", "r1", "young_people", "2025-04-15", "accepted", "2025-04-16"),
        ],
    }
    row = indicator(build(tables, AS_OF), "redirect_resolved_10wd", APRIL)
    assert (row["status"], row["numerator"], row["denominator"]) == ("ok", 0.0, 1.0)


def test_a_pick_up_before_the_redirect_does_not_resolve_it():
    tables = {
        "victims": [victim("v1")],
        "referrals": [case("r1", "v1")],
        "agency_referrals": [
            sent("a1", "r1", "young_people", "2025-04-07", "redirected", "2025-04-14"),
            sent("a2", "r1", "lgbt", "2025-04-03", "accepted", "2025-04-11"),
        ],
    }
    row = indicator(build(tables, AS_OF), "redirect_resolved_10wd", APRIL)
    assert (row["status"], row["numerator"], row["denominator"]) == ("ok", 0.0, 1.0)


# --- listened_to_at_exit --------------------------------------------------------------


@pytest.mark.parametrize(("agency", "expected"), [
    ("all", ("ok", 2.0, 3.0, 2 / 3, 3)),  # r1 5, r2 3, r5 4; r4 has no score
    ("victim_support", ("ok", 2.0, 3.0, 2 / 3, 3)),
    ("hate_crime", ("ok", 1.0, 1.0, 1.0, 1)),  # r1 (r4 unscored)
    ("older_people", ("ok", 0.0, 1.0, 0.0, 1)),  # r2
    ("young_people", ("empty_base", None, None, None, 0)),
])
def test_listened_to_at_exit(con, agency, expected):
    status, numerator, denominator, value, persons = figures(
        con, "listened_to_at_exit", MAY, agency)
    assert (status, numerator, denominator, persons) == (
        expected[0], expected[1], expected[2], expected[4])
    assert value == pytest.approx(expected[3]) if expected[3] is not None else value is None


# --- agency_flow ----------------------------------------------------------------------


def flow(con):
    rows = con.execute(
        "select month, from_agency, to_agency, sent, accepted, declined, redirected, "
        "withdrawn, pending, persons, median_working_days_to_acceptance, "
        "median_working_days_to_first_contact from marts.agency_flow"
    ).fetchall()
    return {(str(r[0]), r[2]): r[1:2] + r[3:] for r in rows}


def test_agency_flow_counts_each_outcome_and_medians_in_working_days(con):
    assert flow(con) == {
        # r1: 3 days, contact 5; r4: 10 days across Easter -> median 6.5
        (APRIL, "hate_crime"): ("victim_support", 2, 2, 0, 0, 0, 0, 2, 6.5, 5.0),
        (APRIL, "victim_support"): ("victim_support", 1, 1, 0, 0, 0, 0, 1, 1.0, None),
        (APRIL, "older_people"): ("victim_support", 2, 1, 1, 0, 0, 0, 2, 2.0, None),
        (APRIL, "young_people"): ("victim_support", 1, 0, 0, 1, 0, 0, 1, None, None),
        (APRIL, "lgbt"): ("victim_support", 1, 1, 0, 0, 0, 0, 1, 17.0, 19.0),
        (APRIL, "witness_care"): ("victim_support", 1, 0, 0, 1, 0, 0, 1, None, None),
        (APRIL, "nhs_mental_health"): ("victim_support", 1, 0, 0, 0, 1, 0, 1, None, None),
        (JUNE, "older_people"): ("victim_support", 1, 0, 0, 1, 0, 0, 1, None, None),
        (JUNE, "witness_care"): ("victim_support", 1, 0, 0, 0, 0, 1, 1, None, None),
    }


def test_agency_referrals_carries_area_and_redirect_flags(con):
    rows = {r[0]: r[1:] for r in con.execute(
        "select agency_referral_id, area, is_redirect_in_base, is_redirect_resolved "
        "from marts.agency_referrals").fetchall()}
    assert rows["a4"] == ("A02", True, True)
    assert rows["a6"] == (None, True, False)
    assert rows["a10"] == ("A03", False, None)
    assert rows["a1"] == ("A01", None, None)


# --- outcomes_by_agency_count ---------------------------------------------------------


def test_outcomes_by_agency_count_with_wilson_intervals(con):
    rows = {r[0]: r[1:] for r in con.execute(
        "select agency_count, base, successes, value, ci_low, ci_high, persons "
        "from marts.outcomes_by_agency_count "
        "where indicator_id = 'coped_better_at_exit' and month = date '2025-05-01'"
    ).fetchall()}
    assert set(rows) == {"at_most_one", "two_or_more"}
    base, successes, value, low, high, persons = rows["two_or_more"]  # r1 better, r3 not
    assert (base, successes, value, persons) == (2, 1, 0.5, 2)
    # 1 of 2: centre 0.5, half-width 1.96 sqrt(0.125 + 3.8415/16) / 2.9207 = 0.4055
    assert (low, high) == pytest.approx((0.0945, 0.9055), abs=1e-4)
    base, successes, value, low, high, persons = rows["at_most_one"]  # r2, r4 better; r5 not
    assert (base, successes, persons) == (3, 2, 3)
    assert value == pytest.approx(2 / 3)
    assert (low, high) == pytest.approx(wilson_interval(2, 3))


def test_outcomes_by_agency_count_leaves_out_outcomes_without_a_base(con):
    indicators = {r[0] for r in con.execute(
        "select distinct indicator_id from marts.outcomes_by_agency_count").fetchall()}
    assert indicators == {"coped_better_at_exit"}  # no SWEMWBS or safety in the fixture


# --- collaboration_by_area (Place) ----------------------------------------------------


def by_area(con, indicator_id, month):
    return {r[0]: r[1:] for r in con.execute(
        "select area, numerator, denominator, persons from marts.collaboration_by_area "
        "where indicator_id = ? and month = ?", [indicator_id, month]).fetchall()}


def test_every_area_is_listed_even_without_anybody_in_the_base(con):
    # A01: r1 (two agencies), r2, r5; A02: r3 (two); blank area (r4) -> unknown;
    # A03: r6 is not assessed; A04 has a victim but no referral.
    assert by_area(con, "multi_agency_share", "2025-04-01") == {
        "A01": (1.0, 3.0, 3), "A02": (1.0, 1.0, 1), "unknown": (0.0, 1.0, 1),
        "A03": (0.0, 0.0, 0), "A04": (0.0, 0.0, 0)}


def test_redirects_and_listening_by_area(con):
    redirects = by_area(con, "redirect_resolved_10wd", "2025-04-01")
    assert redirects["A02"] == (1.0, 1.0, 1)  # a4, picked up on the 10th working day
    assert redirects["unknown"] == (0.0, 1.0, 1)  # a6, on the 11th
    assert redirects["A01"] == (0.0, 0.0, 0)
    listened = by_area(con, "listened_to_at_exit", "2025-05-01")
    assert listened["A01"] == (2.0, 3.0, 3)  # r1 5, r2 3, r5 4
    assert listened["unknown"] == (0.0, 0.0, 0)  # r4 has no score


def test_areas_add_up_to_the_hub(con):
    for indicator_id, month in (("multi_agency_share", APRIL),
                                ("redirect_resolved_10wd", APRIL),
                                ("listened_to_at_exit", MAY)):
        numerator, denominator = con.execute(
            "select sum(numerator), sum(denominator) from marts.collaboration_by_area "
            "where indicator_id = ? and month = ?", [indicator_id, month]).fetchone()
        hub = indicator(con, indicator_id, month)
        assert (numerator, denominator) == (hub["numerator"], hub["denominator"])
