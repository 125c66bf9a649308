"""Working together (evidence.md, sections 5 and 6) on a hand-built extract:
multi_agency_share, redirect_resolved_10wd and listened_to_at_exit in
marts.indicator_monthly, and the marts fct_agency_referrals, agency_flow and
outcomes_by_agency_count.

Working days: Monday to Friday less the bank holidays of England and Wales. Easter 2025:
Good Friday 18 April and Easter Monday 21 April are bank holidays. From Mon 14 April
2025 the working days are Tue 15 (1), Wed 16 (2), Thu 17 (3), Tue 22 (4), Wed 23 (5),
Thu 24 (6), Fri 25 (7), Mon 28 (8), Tue 29 (9), Wed 30 (10), Thu 1 May (11). Without the
bank holidays the 10th would be Mon 28 April. Every expected figure is worked out by
hand in its comment.
"""

from __future__ import annotations

import pytest

from metrics.queries import wilson_interval
from tests.support import indicator, referral, victim
from tests.support import warehouse_from_rows as build

AS_OF = "2025-06-30"
APRIL = "2025-04-01"
MAY = "2025-05-01"
JUNE = "2025-06-01"


def placed(victim_id: str, area: str | None) -> dict:
    return {**victim(victim_id), "area": area}


def case(rid: str, vid: str, **fields) -> dict:
    """An April 2025 referral, assessed the next day."""
    return referral(rid, vid, "2025-04-01", assessment_date="2025-04-02", **fields)


def completed(rid: str, vid: str, closed: str) -> dict:
    return case(rid, vid, closed_date=closed, closure_reason="support_completed")


def sent(ar_id, rid, agency, sent_date, outcome, outcome_date=None, first_contact=None):
    return {"agency_referral_id": ar_id, "referral_id": rid, "agency": agency,
            "sent_date": sent_date, "outcome": outcome, "outcome_date": outcome_date,
            "first_contact_date": first_contact}


def service(sid, rid, agency, start="2025-04-03"):
    return {"service_id": sid, "referral_id": rid, "agency": agency,
            "service_type": "emotional_support", "start_date": start}


def coping(rid, intake, exit_score, exit_date):
    return [
        {"assessment_id": f"{rid}-in", "referral_id": rid, "stage": "intake",
         "assessment_date": "2025-04-02", "coping": intake},
        {"assessment_id": f"{rid}-ex", "referral_id": rid, "stage": "exit",
         "assessment_date": exit_date, "coping": exit_score},
    ]


def survey(rid, survey_date, listened_to):
    return {"referral_id": rid, "survey_date": survey_date, "satisfaction": 4,
            "listened_to": listened_to}


TABLES = {
    # A04 has a victim but no referral (the place breakdown shows it as empty).
    "victims": [placed("v1", "A01"), placed("v2", "A01"), placed("v3", "A02"),
                placed("v4", None), placed("v5", "A01"), placed("v6", "A03"),
                placed("v7", "A04")],
    "referrals": [
        completed("r1", "v1", "2025-05-09"),  # lead service + hate_crime accepted: 2 agencies
        completed("r2", "v2", "2025-05-09"),  # only older_people counts (lead by referral): 1
        completed("r3", "v3", "2025-05-09"),  # lead service + lgbt accepted: 2 agencies
        completed("r4", "v4", "2025-05-20"),  # hate_crime accepted (older_people declined): 1
        completed("r5", "v5", "2025-05-20"),  # lead service only: single agency
        # not assessed: two agencies, but outside the multi_agency_share base
        referral("r6", "v6", "2025-04-01"),
    ],
    "services": [
        service("s1", "r1", "victim_support"),
        service("s3", "r3", "victim_support"),
        service("s5", "r5", "victim_support"),
        service("s6a", "r6", "victim_support"),
        service("s6b", "r6", "nhs_mental_health"),
    ],
    "agency_referrals": [
        # Thu 3 Apr -> Tue 8 Apr: 3 working days to acceptance; first contact Thu 10: 5
        sent("a1", "r1", "hate_crime", "2025-04-03", "accepted", "2025-04-08", "2025-04-10"),
        # an agency referral to the lead agency does not make it count
        sent("a2", "r2", "victim_support", "2025-04-03", "accepted", "2025-04-04"),
        # Thu 3 Apr -> Mon 7 Apr: 2 working days
        sent("a3", "r2", "older_people", "2025-04-03", "accepted", "2025-04-07"),
        # redirected Mon 14 Apr; lgbt (sent before the redirect) accepts Wed 30 Apr, the
        # 10th working day: resolved. Thu 3 -> Wed 30 Apr: 17 working days; contact Fri
        # 2 May: 19.
        sent("a4", "r3", "young_people", "2025-04-07", "redirected", "2025-04-14"),
        sent("a5", "r3", "lgbt", "2025-04-03", "accepted", "2025-04-30", "2025-05-02"),
        # redirected Mon 14 Apr; hate_crime accepts Thu 1 May, the 11th working day: not
        # resolved. Tue 15 Apr -> Thu 1 May: 10 working days.
        sent("a6", "r4", "witness_care", "2025-04-07", "redirected", "2025-04-14"),
        sent("a7", "r4", "older_people", "2025-04-07", "declined", "2025-04-10"),
        sent("a8", "r4", "hate_crime", "2025-04-15", "accepted", "2025-05-01"),
        sent("a9", "r5", "nhs_mental_health", "2025-04-08", "withdrawn", "2025-04-09"),
        # June: a redirect whose deadline (10 working days after Wed 25 Jun) has not
        # passed by the as-of date, and a referral still pending
        sent("a10", "r6", "older_people", "2025-06-20", "redirected", "2025-06-25"),
        sent("a11", "r5", "witness_care", "2025-06-26", "pending"),
    ],
    "assessments": [
        *coping("r1", 2, 4, "2025-05-09"),  # two or more agencies: better
        *coping("r3", 3, 3, "2025-05-09"),  # two or more agencies: not better
        *coping("r2", 2, 3, "2025-05-09"),  # at most one: better
        *coping("r4", 1, 2, "2025-05-20"),  # at most one: better
        *coping("r5", 4, 4, "2025-05-20"),  # at most one: not better
    ],
    "exit_surveys": [
        survey("r1", "2025-05-10", 5),
        survey("r2", "2025-05-12", 3),
        survey("r5", "2025-05-20", 4),
        survey("r4", "2025-05-15", None),  # no listened_to score: outside the base
    ],
}


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


def test_fct_agency_referrals_carries_area_and_redirect_flags(con):
    rows = {r[0]: r[1:] for r in con.execute(
        "select agency_referral_id, area, is_redirect_in_base, is_redirect_resolved "
        "from marts.fct_agency_referrals").fetchall()}
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
