"""The hand-built extract of the working-together tests (no tests in this module).

Working days: Monday to Friday less the bank holidays of England and Wales. Easter 2025:
Good Friday 18 April and Easter Monday 21 April are bank holidays. From Mon 14 April
2025 the working days are Tue 15 (1), Wed 16 (2), Thu 17 (3), Tue 22 (4), Wed 23 (5),
Thu 24 (6), Fri 25 (7), Mon 28 (8), Tue 29 (9), Wed 30 (10), Thu 1 May (11). Without the
bank holidays the 10th would be Mon 28 April. The figures each row leads to are worked
out in the tests.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from tests.support import referral, victim

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


def write_warehouse(path: Path) -> Path:
    """Build a warehouse file at `path` with every SQL model and the public release."""
    from metrics.catalogue import load_catalogue
    from metrics.models import run_models
    from metrics.published import write_public_release
    from metrics.reference_data import write_reference
    from tests.support import load_raw

    con = duckdb.connect(str(path))
    try:
        load_raw(con, TABLES, AS_OF)
        write_reference(con, dt.date.fromisoformat(AS_OF))
        load_catalogue(con)
        run_models(con)
        write_public_release(con)
        con.execute("checkpoint")
    finally:
        con.close()
    return path
