"""Operations indicators on hand-built extracts (intermediate.int_family_operations via
marts.indicator_monthly).

Working days: Monday to Friday less the bank holidays of England and Wales. Around
Christmas 2026 the bank holidays are Fri 25 Dec, Mon 28 Dec (Boxing Day observed) and
Fri 1 Jan 2027. "Within N working days of D" = on or before the N-th working day
strictly after D. Every expected figure below is worked out by hand in its comment.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support import indicator, referral, victim
from tests.support import warehouse_from_rows as build


def figures(con, indicator_id: str, month: str, agency: str = "all") -> tuple:
    row = indicator(con, indicator_id, month, agency)
    assert row is not None, (indicator_id, month, agency)
    return row["status"], row["numerator"], row["denominator"], row["value"], row["persons"]


# --- police referral within 2 working days (Victims' Code) ------------------------------


@pytest.fixture(scope="module")
def police_con():
    # Every referral is contacted the day it arrives, so first contact plays no part.
    def police(rid, vid, reported, referred, **fields):
        return referral(
            rid,
            vid,
            referred,
            source="police",
            reported_date=reported,
            first_contact_date=referred,
            **fields,
        )

    referrals = [
        # Thu 24 Dec: 25 Dec, 28 Dec holidays, 26-27 weekend; 1st = Tue 29, 2nd = Wed 30.
        police("p1", "v1", "2026-12-24", "2026-12-29"),  # 29 <= 30: on time
        # Wed 23 Dec: 1st = Thu 24, 2nd = Tue 29. Referred on the deadline: on time.
        police("p2", "v2", "2026-12-23", "2026-12-29"),
        # Tue 22 Dec: 1st = Wed 23, 2nd = Thu 24. Referred Tue 29: late.
        police("p3", "v3", "2026-12-22", "2026-12-29"),
        # Reported Mon 21 Dec but consent Wed 23 Dec: the clock starts at the later date,
        # deadline Tue 29 (from 21 Dec it would be Wed 23): on time.
        police("p4", "v4", "2026-12-21", "2026-12-29", consent_date="2026-12-23"),
        # Consent (20 Dec) before the report (Wed 23 Dec): the report is the later date,
        # deadline Tue 29; referred Wed 30: late.
        police("p5", "v5", "2026-12-23", "2026-12-30", consent_date="2026-12-20"),
        # Reported on a Saturday (19 Dec): 1st = Mon 21, 2nd = Tue 22: on time.
        police("p6", "v6", "2026-12-19", "2026-12-22"),
        # Not police: outside the base even with a reported date.
        referral(
            "p7", "v7", "2026-12-29", reported_date="2026-12-01", first_contact_date="2026-12-29"
        ),
        # Police without a reported date: outside the base.
        referral("p8", "v8", "2026-12-29", source="police", first_contact_date="2026-12-29"),
    ]
    tables = {
        "victims": [victim(f"v{i}") for i in range(1, 9)],
        "referrals": referrals,
    }
    return build(tables, "2027-01-08")


def test_police_referral_within_two_working_days_over_christmas(police_con):
    # December base: p1..p6 (police with a reported date) = 6; on time: p1, p2, p4, p6 = 4.
    assert figures(police_con, "police_referral_2wd", "2026-12-01") == (
        "ok",
        4.0,
        6.0,
        pytest.approx(4 / 6),
        6,
    )


def test_police_referral_flags_per_referral(police_con):
    rows = dict(
        police_con.execute(
            "select referral_id, is_police_referral_on_time from marts.fct_referrals"
        ).fetchall()
    )
    assert rows == {
        "p1": True,
        "p2": True,
        "p3": False,
        "p4": True,
        "p5": False,
        "p6": True,
        "p7": None,
        "p8": None,
    }


def test_police_referral_month_without_police_referrals_is_empty(police_con):
    # January 2027 has no referrals at all: a rate with nobody in its base.
    assert figures(police_con, "police_referral_2wd", "2027-01-01") == (
        "empty_base",
        None,
        None,
        None,
        0,
    )


# --- first contact within 2 working days, and the deadline-not-yet-passed rule ----------


@pytest.fixture(scope="module")
def contact_con():
    referrals = [
        # Tue 5 Jan, never contacted: deadline Thu 7 Jan, strictly before the as-of date
        # (Fri 8 Jan): in the base, late.
        referral("c1", "v1", "2027-01-05"),
        # Wed 6 Jan, never contacted: deadline Fri 8 Jan = the as-of date, not strictly
        # before it: not yet in the base.
        referral("c2", "v2", "2027-01-06"),
        # Wed 6 Jan, contacted Thu 7 Jan: in the base, on time.
        referral("c3", "v3", "2027-01-06", first_contact_date="2027-01-07"),
        # Thu 31 Dec: 1 Jan holiday, weekend; 1st = Mon 4 Jan, 2nd = Tue 5 Jan: contact on
        # Tue 5 Jan is on time.
        referral("c4", "v4", "2026-12-31", first_contact_date="2027-01-05"),
        # Thu 24 Dec: deadline Wed 30 Dec; contacted Wed 30 Dec: on time.
        referral("c5", "v5", "2026-12-24", first_contact_date="2026-12-30"),
        # Wed 23 Dec: deadline Tue 29 Dec; contacted Wed 30 Dec: late.
        referral("c6", "v6", "2026-12-23", first_contact_date="2026-12-30"),
        # Mon 21 Dec, contacted the same day: within (same day is within).
        referral("c7", "v7", "2026-12-21", first_contact_date="2026-12-21"),
    ]
    tables = {"victims": [victim(f"v{i}") for i in range(1, 8)], "referrals": referrals}
    return build(tables, "2027-01-08")


def test_first_contact_deadline_not_yet_passed_at_the_as_of_date(contact_con):
    # January base: c1 (deadline passed), c3 (contacted) = 2; c2 excluded; on time: c3.
    assert figures(contact_con, "first_contact_2wd", "2027-01-01") == (
        "ok",
        1.0,
        2.0,
        0.5,
        2,
    )


def test_first_contact_over_bank_holidays(contact_con):
    # December base: c4, c5, c6, c7 = 4; on time: c4, c5, c7 = 3.
    assert figures(contact_con, "first_contact_2wd", "2026-12-01") == (
        "ok",
        3.0,
        4.0,
        0.75,
        4,
    )


def test_first_contact_flags_per_referral(contact_con):
    rows = {
        r[0]: r[1:]
        for r in contact_con.execute(
            "select referral_id, first_contact_deadline, is_first_contact_in_base, "
            "is_first_contact_on_time from marts.fct_referrals"
        ).fetchall()
    }
    assert rows["c1"] == (dt.date(2027, 1, 7), True, False)
    assert rows["c2"] == (dt.date(2027, 1, 8), False, None)
    assert rows["c4"] == (dt.date(2027, 1, 5), True, True)


# --- agency referrals: mental health seen, accepted, declined, assessment to agency -----


@pytest.fixture(scope="module")
def agency_con():
    def sent(arid, rid, agency, sent_date, outcome, outcome_date=None, first_contact=None):
        return {
            "agency_referral_id": arid,
            "referral_id": rid,
            "agency": agency,
            "sent_date": sent_date,
            "outcome": outcome,
            "outcome_date": outcome_date,
            "first_contact_date": first_contact,
        }

    agency_referrals = [
        # 10 working days after Fri 11 Dec = Tue 29 Dec; contacted Thu 24 Dec: on time.
        # 5 working days after Fri 11 Dec = Fri 18 Dec; accepted Mon 14 Dec: on time.
        sent("a1", "m1", "nhs_mental_health", "2026-12-11", "accepted", "2026-12-14", "2026-12-24"),
        # 10 wd after Mon 14 Dec = Wed 30 Dec; contacted Wed 30 Dec: on time (boundary).
        # 5 wd after Mon 14 Dec = Mon 21 Dec; accepted Tue 22 Dec: late.
        sent("a2", "m1", "nhs_mental_health", "2026-12-14", "accepted", "2026-12-22", "2026-12-30"),
        # 10 wd after Tue 15 Dec = Thu 31 Dec; contacted Mon 4 Jan: late. Accepted the day
        # it was sent: on time.
        sent("a3", "m1", "nhs_mental_health", "2026-12-15", "accepted", "2026-12-15", "2027-01-04"),
        # Pending, sent Wed 6 Jan: 10 wd deadline Wed 20 Jan = the as-of date, not strictly
        # before: not yet in the mental health base. 5 wd deadline Wed 13 Jan has passed:
        # in the acceptance base, not accepted on time.
        sent("a4", "m1", "nhs_mental_health", "2027-01-06", "pending"),
        # Pending, sent Tue 5 Jan: 10 wd deadline Tue 19 Jan < 20 Jan: in the base, late.
        # 5 wd deadline Tue 12 Jan has passed: in the acceptance base, late.
        sent("a5", "m1", "nhs_mental_health", "2027-01-05", "pending"),
        # Declined: never in the mental health base; in agency_declined.
        sent("a6", "m1", "nhs_mental_health", "2026-12-16", "declined", "2026-12-17"),
        sent("a7", "m1", "hate_crime", "2026-12-16", "withdrawn", "2026-12-18"),
        # 5 wd after Wed 16 Dec = Wed 23 Dec; accepted Wed 23 Dec: on time.
        sent("a8", "m1", "hate_crime", "2026-12-16", "accepted", "2026-12-23"),
        # Pending, sent Mon 18 Jan: 5 wd deadline Mon 25 Jan not passed: in no base.
        sent("a9", "m1", "hate_crime", "2027-01-18", "pending"),
        # Sent (Wed 16 Dec) before the case's assessment (Fri 18 Dec): 0 working days.
        sent("a10", "m2", "young_people", "2026-12-16", "accepted", "2026-12-17"),
    ]
    referrals = [
        referral(
            "m1", "w1", "2026-12-01", assessment_date="2026-12-10", first_contact_date="2026-12-01"
        ),
        referral(
            "m2", "w2", "2026-12-01", assessment_date="2026-12-18", first_contact_date="2026-12-01"
        ),
    ]
    tables = {
        "victims": [victim("w1"), victim("w2")],
        "referrals": referrals,
        "agency_referrals": agency_referrals,
    }
    return build(tables, "2027-01-20")


def test_mental_health_seen_within_ten_working_days(agency_con):
    # December: a1 on time, a2 on time, a3 late: 2 / 3.
    assert figures(agency_con, "mental_health_seen_10wd", "2026-12-01") == (
        "ok",
        2.0,
        3.0,
        pytest.approx(2 / 3),
        1,
    )
    # January: a5 only (a4's deadline is the as-of date): 0 / 1, a real 0.
    assert figures(agency_con, "mental_health_seen_10wd", "2027-01-01") == ("ok", 0.0, 1.0, 0.0, 1)
    # Per receiving agency: the nhs_mental_health row is the whole base; others are empty.
    assert figures(agency_con, "mental_health_seen_10wd", "2026-12-01", "nhs_mental_health")[
        :3
    ] == ("ok", 2.0, 3.0)
    assert figures(agency_con, "mental_health_seen_10wd", "2026-12-01", "hate_crime")[0] == (
        "empty_base"
    )


def test_agency_accepted_within_five_working_days(agency_con):
    # December base (accepted): a1, a2, a3, a8, a10 = 5; on time: a1, a3, a8, a10 = 4.
    # persons: m1 (w1) and m2 (w2) = 2.
    assert figures(agency_con, "agency_accepted_5wd", "2026-12-01") == ("ok", 4.0, 5.0, 0.8, 2)
    # nhs_mental_health: a1, a2, a3 -> 2 / 3; hate_crime: a8 -> 1 / 1.
    assert figures(agency_con, "agency_accepted_5wd", "2026-12-01", "nhs_mental_health")[1:3] == (
        2.0,
        3.0,
    )
    assert figures(agency_con, "agency_accepted_5wd", "2026-12-01", "hate_crime")[1:3] == (
        1.0,
        1.0,
    )
    # January: pending past the deadline a4, a5 -> 0 / 2; a9's deadline has not passed.
    assert figures(agency_con, "agency_accepted_5wd", "2027-01-01")[:4] == ("ok", 0.0, 2.0, 0.0)
    assert figures(agency_con, "agency_accepted_5wd", "2027-01-01", "hate_crime")[0] == (
        "empty_base"
    )


def test_agency_declined(agency_con):
    # December decided: a1, a2, a3, a6, a7, a8, a10 = 7; declined or withdrawn: a6, a7 = 2.
    assert figures(agency_con, "agency_declined", "2026-12-01")[:4] == (
        "ok",
        2.0,
        7.0,
        pytest.approx(2 / 7),
    )
    # nhs_mental_health: a1, a2, a3, a6 decided, a6 declined -> 1 / 4.
    assert figures(agency_con, "agency_declined", "2026-12-01", "nhs_mental_health")[1:4] == (
        1.0,
        4.0,
        0.25,
    )
    # January: only pending agency referrals: nobody decided.
    assert figures(agency_con, "agency_declined", "2027-01-01")[0] == "empty_base"


def test_assessment_to_agency_median_working_days(agency_con):
    # m1 assessed Thu 10 Dec. Working days after it up to the sent date: a1 Fri 11 Dec = 1,
    # a2 Mon 14 = 2, a3 Tue 15 = 3, a6/a7/a8 Wed 16 = 4; a10 sent before m2's assessment = 0.
    # December: [0, 1, 2, 3, 4, 4, 4] -> median 3, n = 7.
    assert figures(agency_con, "assessment_to_agency_days", "2026-12-01")[:4] == (
        "ok",
        3.0,
        7.0,
        3.0,
    )
    # nhs_mental_health: [1, 2, 3, 4] -> (2 + 3) / 2 = 2.5, n = 4.
    assert figures(agency_con, "assessment_to_agency_days", "2026-12-01", "nhs_mental_health")[
        1:4
    ] == (2.5, 4.0, 2.5)
    # young_people: [0] -> a median of 0 is a value, not an empty month.
    assert figures(agency_con, "assessment_to_agency_days", "2026-12-01", "young_people")[:4] == (
        "ok",
        0.0,
        1.0,
        0.0,
    )
    # January from Thu 10 Dec (holidays 25, 28 Dec, 1 Jan): Dec 11 (1), 14-18 (6),
    # 21-24 (10), 29-31 (13), Jan 4 (14), Jan 5 (15), Jan 6 (16); a9 Mon 18 Jan:
    # 7-8 Jan (18), 11-15 (23), 18 (24). a5 = 15, a4 = 16, a9 = 24 -> median 16.
    assert figures(agency_con, "assessment_to_agency_days", "2027-01-01")[:4] == (
        "ok",
        16.0,
        3.0,
        16.0,
    )


# --- open cases at the end of the month --------------------------------------------------


@pytest.fixture(scope="module")
def open_con():
    referrals = [
        # Closed within November: never open at a month end.
        referral("o0", "v0", "2026-11-02", closed_date="2026-11-20", closure_reason="declined"),
        # Closed on 31 Jan = the month end: not open at the end of January.
        referral("o1", "v1", "2027-01-10", closed_date="2027-01-31", closure_reason="other"),
        # Referred 31 Jan, closed 1 Feb: open at the end of January only.
        referral("o2", "v2", "2027-01-31", closed_date="2027-02-01", closure_reason="other"),
        # Never closed: open at the end of January, February and March.
        referral("o3", "v3", "2027-01-15"),
        # Closed on 31 Mar: open at the end of February only.
        referral("o4", "v4", "2027-02-10", closed_date="2027-03-31", closure_reason="other"),
        # Same person as o3, never closed: open at the end of February and March.
        referral("o5", "v3", "2027-02-20"),
    ]

    def accepted(arid, rid, agency, sent_date, outcome_date, ended=None):
        return {
            "agency_referral_id": arid,
            "referral_id": rid,
            "agency": agency,
            "sent_date": sent_date,
            "outcome": "accepted",
            "outcome_date": outcome_date,
            "ended_date": ended,
        }

    agency_referrals = [
        # hate_crime holds o3 from its acceptance on 31 Jan until it ended on 28 Feb (not
        # after the February month end), then again from a second acceptance on 3 Feb:
        # o3 is open for hate_crime at the end of Jan, Feb and Mar, and counted once.
        accepted("h1", "o3", "hate_crime", "2027-01-16", "2027-01-31", ended="2027-02-28"),
        accepted("h2", "o3", "hate_crime", "2027-02-01", "2027-02-03"),
        # o5 accepted on 1 Mar: open for hate_crime at the end of March only.
        accepted("h3", "o5", "hate_crime", "2027-02-21", "2027-03-01"),
        # witness_care accepted o1 and never ended it: open for witness_care at each month
        # end from January, although the hub closed o1 on 31 Jan (the agency rule reads
        # the agency referral only).
        accepted("h4", "o1", "witness_care", "2027-01-12", "2027-01-14"),
        # Pending and declined agency referrals hold nothing open.
        {
            "agency_referral_id": "h5",
            "referral_id": "o4",
            "agency": "lgbt",
            "sent_date": "2027-02-11",
            "outcome": "pending",
        },
        {
            "agency_referral_id": "h6",
            "referral_id": "o2",
            "agency": "older_people",
            "sent_date": "2027-01-31",
            "outcome": "declined",
            "outcome_date": "2027-02-01",
        },
    ]
    tables = {
        "victims": [victim(f"v{i}") for i in range(0, 5)],
        "referrals": referrals,
        "agency_referrals": agency_referrals,
    }
    return build(tables, "2027-03-31")


def test_open_cases_at_month_end(open_con):
    # November and December: nothing open at the month end: 0, not empty.
    assert figures(open_con, "open_cases", "2026-11-01") == ("ok", 0.0, None, 0.0, 0)
    assert figures(open_con, "open_cases", "2026-12-01") == ("ok", 0.0, None, 0.0, 0)
    # January: o2, o3 (o1 closed on the month end) -> 2 cases, 2 people.
    assert figures(open_con, "open_cases", "2027-01-01") == ("ok", 2.0, None, 2.0, 2)
    # February: o3, o4, o5 -> 3 cases; o3 and o5 are the same person -> 2 people.
    assert figures(open_con, "open_cases", "2027-02-01") == ("ok", 3.0, None, 3.0, 2)
    # March: o3, o5 (o4 closed on 31 Mar) -> 2 cases, 1 person.
    assert figures(open_con, "open_cases", "2027-03-01") == ("ok", 2.0, None, 2.0, 1)


def test_open_cases_per_agency(open_con):
    expected = {
        # hate_crime: Jan o3 (h1), Feb o3 (h2; h1 ended on the month end), Mar o3 + o5.
        ("hate_crime", "2027-01-01"): (1.0, 1),
        ("hate_crime", "2027-02-01"): (1.0, 1),
        ("hate_crime", "2027-03-01"): (2.0, 1),
        ("witness_care", "2027-01-01"): (1.0, 1),
        ("witness_care", "2027-03-01"): (1.0, 1),
        # Pending (lgbt) and declined (older_people) agency referrals: 0.
        ("lgbt", "2027-02-01"): (0.0, 0),
        ("older_people", "2027-01-01"): (0.0, 0),
        # No agency referral to the lead agency: 0 by the agency rule.
        ("victim_support", "2027-01-01"): (0.0, 0),
    }
    for (agency, month), (count, persons) in expected.items():
        status, numerator, _, _, people = figures(open_con, "open_cases", month, agency)
        assert (status, numerator, people) == ("ok", count, persons), (agency, month)


# --- the referral funnel, exit surveys, enhanced rights ---------------------------------


@pytest.fixture(scope="module")
def funnel_con():
    referrals = [
        referral(
            "f1",
            "v1",
            "2026-11-03",
            first_contact_date="2026-11-04",
            assessment_date="2026-11-10",
            closed_date="2026-11-30",
            closure_reason="support_completed",
            enhanced_rights=True,
        ),
        referral(
            "f2",
            "v2",
            "2026-11-05",
            first_contact_date="2026-11-06",
            closed_date="2026-11-20",
            closure_reason="declined",
        ),
        referral(
            "f3",
            "v3",
            "2026-11-20",
            closed_date="2026-12-15",
            closure_reason="unable_to_contact",
            enhanced_rights=True,
        ),
        # Same person as f1, in January; nothing is referred in December.
        referral(
            "f4", "v1", "2027-01-10", first_contact_date="2027-01-11", assessment_date="2027-01-12"
        ),
    ]
    services = [
        {
            "service_id": "s1",
            "referral_id": "f1",
            "agency": "victim_support",
            "service_type": "emotional_support",
            "start_date": "2026-11-12",
        },
        {
            "service_id": "s2",
            "referral_id": "f4",
            "agency": "hate_crime",
            "service_type": "advocacy",
            "start_date": "2027-01-13",
        },
    ]
    exit_surveys = [
        {
            "referral_id": "f1",
            "survey_date": "2026-11-30",
            "satisfaction": 5,
            "goals_set": 3,
            "goals_achieved": 2,
        },
        {
            "referral_id": "f2",
            "survey_date": "2026-11-20",
            "satisfaction": 3,
            "goals_set": 2,
            "goals_achieved": 0,
        },
        # No goals set: the January goals base is 0 goals.
        {
            "referral_id": "f4",
            "survey_date": "2027-01-20",
            "satisfaction": 4,
            "goals_set": 0,
            "goals_achieved": 0,
        },
    ]
    tables = {
        "victims": [victim(f"v{i}") for i in range(1, 4)],
        "referrals": referrals,
        "services": services,
        "exit_surveys": exit_surveys,
    }
    return build(tables, "2027-01-31")


FUNNEL = (
    "referrals_received",
    "referrals_contacted",
    "referrals_assessed",
    "referrals_supported",
    "referrals_completed",
    "referrals_declined",
    "referrals_unable_to_contact",
)


def test_funnel_counts(funnel_con):
    # November: f1, f2, f3 received; contacted f1, f2; assessed f1; supported f1 (s1);
    # completed f1; declined f2; unable to contact f3.
    november = [figures(funnel_con, i, "2026-11-01")[1] for i in FUNNEL]
    assert november == [3.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    # January: f4 received, contacted, assessed, supported; still open.
    january = [figures(funnel_con, i, "2027-01-01")[1] for i in FUNNEL]
    assert january == [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]


def test_funnel_counts_are_zero_in_a_month_without_referrals(funnel_con):
    for indicator_id in FUNNEL:
        assert figures(funnel_con, indicator_id, "2026-12-01") == ("ok", 0.0, None, 0.0, 0)


def test_funnel_agency_rows_are_involvement_rows(funnel_con):
    # f4 involves victim_support (always) and hate_crime (service s2).
    assert figures(funnel_con, "referrals_received", "2027-01-01", "hate_crime")[:2] == (
        "ok",
        1.0,
    )
    assert figures(funnel_con, "referrals_received", "2027-01-01", "victim_support")[:2] == (
        "ok",
        1.0,
    )
    # November referrals involve victim_support only: 3 there, 0 for hate_crime.
    assert figures(funnel_con, "referrals_received", "2026-11-01", "victim_support")[1] == 3.0
    assert figures(funnel_con, "referrals_received", "2026-11-01", "hate_crime")[:2] == (
        "ok",
        0.0,
    )


def test_enhanced_rights_share(funnel_con):
    # November: f1, f3 of f1, f2, f3 -> 2 / 3; December has no referrals: empty.
    assert figures(funnel_con, "enhanced_rights_share", "2026-11-01") == (
        "ok",
        2.0,
        3.0,
        pytest.approx(2 / 3),
        3,
    )
    assert figures(funnel_con, "enhanced_rights_share", "2026-12-01")[0] == "empty_base"


def test_satisfaction_and_goals(funnel_con):
    # November surveys: satisfaction 5 and 3 -> 1 of 2 at 4 or more.
    assert figures(funnel_con, "satisfaction", "2026-11-01") == ("ok", 1.0, 2.0, 0.5, 2)
    # Goals: achieved (2 + 0) of set (3 + 2) = 0.4.
    assert figures(funnel_con, "goals_achieved", "2026-11-01") == ("ok", 2.0, 5.0, 0.4, 2)
    # January: satisfaction 4 -> 1 / 1; no goals set -> empty base, not 0 %.
    assert figures(funnel_con, "satisfaction", "2027-01-01")[:4] == ("ok", 1.0, 1.0, 1.0)
    assert figures(funnel_con, "goals_achieved", "2027-01-01") == (
        "empty_base",
        None,
        None,
        None,
        0,
    )
    # December: no surveys.
    assert figures(funnel_con, "satisfaction", "2026-12-01")[0] == "empty_base"


# --- follow-up coverage ------------------------------------------------------------------


@pytest.fixture(scope="module")
def follow_up_con():
    def completed(rid, vid, referred, closed, reason="support_completed"):
        return referral(
            rid,
            vid,
            referred,
            first_contact_date=referred,
            closed_date=closed,
            closure_reason=reason,
        )

    def assessed(aid, rid, stage, date):
        return {
            "assessment_id": aid,
            "referral_id": rid,
            "stage": stage,
            "assessment_date": date,
            "safety": 3,
        }

    referrals = [
        completed("u1", "v1", "2026-11-01", "2026-11-10"),
        completed("u2", "v2", "2026-11-01", "2026-11-15"),
        completed("u3", "v3", "2026-11-01", "2026-11-20"),
        completed("u4", "v4", "2026-11-01", "2026-11-25", reason="declined"),
        completed("u5", "v5", "2026-11-01", "2026-11-28"),
        completed("u6", "v6", "2026-12-01", "2026-12-31"),
        completed("u7", "v7", "2027-01-01", "2027-01-05"),
    ]
    assessments = [
        assessed("x1", "u1", "follow_up", "2027-02-18"),  # 10 Nov + 100 days: in [90, 365)
        assessed("x2", "u2", "follow_up", "2026-12-15"),  # 15 Nov + 30 days: too early
        assessed("x3", "u3", "follow_up", "2027-02-17"),  # 20 Nov + 89 days: too early
        assessed("x4", "u3", "review", "2027-03-20"),  # + 120 days, but a review
        assessed("x5", "u4", "follow_up", "2027-03-05"),  # not a completed referral
        assessed("x6", "u5", "follow_up", "2027-11-27"),  # 28 Nov + 364 days: in the window
        assessed("x7", "u6", "follow_up", "2027-12-31"),  # 31 Dec + 365 days: outside
        assessed("x8", "u7", "follow_up", "2027-04-15"),  # 5 Jan + 100 days
    ]
    tables = {
        "victims": [victim(f"v{i}") for i in range(1, 8)],
        "referrals": referrals,
        "assessments": assessments,
    }
    return build(tables, "2027-12-31")


def test_follow_up_coverage_3_12m(follow_up_con):
    # November cohort (30 Nov + 365 days = 30 Nov 2027 <= 31 Dec 2027: measurable):
    # completed u1, u2, u3, u5; followed up in [90, 365): u1, u5 -> 2 / 4.
    assert figures(follow_up_con, "follow_up_coverage_3_12m", "2026-11-01") == (
        "ok",
        2.0,
        4.0,
        0.5,
        4,
    )
    # December: 31 Dec 2026 + 365 days = 31 Dec 2027 = the as-of date: measurable; u6's
    # follow-up is at 365 days, outside [90, 365): 0 / 1.
    assert figures(follow_up_con, "follow_up_coverage_3_12m", "2026-12-01")[:4] == (
        "ok",
        0.0,
        1.0,
        0.0,
    )
    # January 2027: 31 Jan 2027 + 365 days = 31 Jan 2028 > the as-of date: not yet
    # measurable, although u7 has a follow-up.
    assert figures(follow_up_con, "follow_up_coverage_3_12m", "2027-01-01") == (
        "not_yet_measurable",
        None,
        None,
        None,
        0,
    )


def test_follow_up_coverage_12m_plus_is_censored(follow_up_con):
    # 30 Nov 2026 + 730 days is in 2028: not yet measurable.
    assert figures(follow_up_con, "follow_up_coverage_12m_plus", "2026-11-01")[0] == (
        "not_yet_measurable"
    )


def test_fact_table_has_one_row_per_referral_with_its_agencies(funnel_con):
    rows = {
        r[0]: r[1:]
        for r in funnel_con.execute(
            "select referral_id, referral_month, involves_victim_support, involves_hate_crime, "
            "agencies_involved, is_completed, is_supported from marts.fct_referrals"
        ).fetchall()
    }
    # f1: victim_support only (its service is victim_support's), completed, supported.
    assert rows["f1"] == (dt.date(2026, 11, 1), True, False, 1, True, True)
    # f4: victim_support (lead agency) and hate_crime (service s2); open, supported.
    assert rows["f4"] == (dt.date(2027, 1, 1), True, True, 2, False, True)
    assert sorted(rows) == ["f1", "f2", "f3", "f4"]
