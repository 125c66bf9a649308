"""The hand-built extracts of the place tests (figures by area; no tests in this module).

SMALL_HUB (as of 30 June 2025), every figure worked out in the tests:

| victim | area | referrals (April 2025 unless said) |
|---|---|---|
| a1 | A01 | r1: assessed 2 Apr, lead service, hate_crime accepted (two agencies); completed 9 May, coping 2 -> 4 (better); exit survey 10 May, listened to 5 |
|    |     | r5: 2 June, not assessed |
| a2 | A01 | r2: assessed, older_people accepted 4 Apr (one agency); completed 9 May, coping 3 -> 3 (not better) |
| a3 | A02 | r3: assessed, older_people declined 7 Apr; completed 9 May, coping 2 -> 3 (better); exit survey 10 May, listened to 2 |
| a4 | A03 | none: an area among the victims with nobody referred |
| a5 | (blank) | r4: assessed; completed 20 May, coping 4 -> 4 (not better); exit survey 20 May, listened to 4 |

PUBLIC_HUB (as of 31 July 2026): 36 people referred in April 2026, 13 in A01, 1 in A03 and
22 in A02; a victim in A04 and one with no area, neither referred.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from tests.support import load_raw, referral, victim

SMALL_AS_OF = "2025-06-30"
PUBLIC_AS_OF = "2026-07-31"


def placed(victim_id: str, area: str | None) -> dict:
    return {**victim(victim_id), "area": area}


def case(rid: str, vid: str, closed: str, **fields) -> dict:
    """An April 2025 referral, assessed the next day, support completed on `closed`."""
    return referral(rid, vid, "2025-04-01", assessment_date="2025-04-02", closed_date=closed,
                    closure_reason="support_completed", **fields)


def coping(rid: str, intake: int, exit_score: int, exit_date: str) -> list[dict]:
    return [
        {"assessment_id": f"{rid}-in", "referral_id": rid, "stage": "intake",
         "assessment_date": "2025-04-02", "coping": intake},
        {"assessment_id": f"{rid}-ex", "referral_id": rid, "stage": "exit",
         "assessment_date": exit_date, "coping": exit_score},
    ]


def sent(ar_id: str, rid: str, agency: str, outcome: str, outcome_date: str) -> dict:
    return {"agency_referral_id": ar_id, "referral_id": rid, "agency": agency,
            "sent_date": "2025-04-03", "outcome": outcome, "outcome_date": outcome_date}


def survey(rid: str, survey_date: str, listened_to: int) -> dict:
    return {"referral_id": rid, "survey_date": survey_date, "satisfaction": 4,
            "listened_to": listened_to}


SMALL_HUB = {
    "victims": [placed("a1", "A01"), placed("a2", "A01"), placed("a3", "A02"),
                placed("a4", "A03"), placed("a5", None)],
    "referrals": [
        case("r1", "a1", "2025-05-09"),
        case("r2", "a2", "2025-05-09"),
        case("r3", "a3", "2025-05-09"),
        case("r4", "a5", "2025-05-20"),
        referral("r5", "a1", "2025-06-02"),
    ],
    "services": [
        {"service_id": "s1", "referral_id": "r1", "agency": "victim_support",
         "service_type": "emotional_support", "start_date": "2025-04-03"},
    ],
    "agency_referrals": [
        # Thu 3 Apr -> Tue 8 Apr: 3 working days; -> Fri 4 Apr: 1 working day
        sent("ar1", "r1", "hate_crime", "accepted", "2025-04-08"),
        sent("ar2", "r2", "older_people", "accepted", "2025-04-04"),
        sent("ar3", "r3", "older_people", "declined", "2025-04-07"),
    ],
    "assessments": [
        *coping("r1", 2, 4, "2025-05-09"),
        *coping("r2", 3, 3, "2025-05-09"),
        *coping("r3", 2, 3, "2025-05-09"),
        *coping("r4", 4, 4, "2025-05-20"),
    ],
    "exit_surveys": [
        survey("r1", "2025-05-10", 5),
        survey("r3", "2025-05-10", 2),
        survey("r4", "2025-05-20", 4),
    ],
}


def _public_people() -> tuple[list[dict], list[dict]]:
    areas = ["A01"] * 13 + ["A03"] + ["A02"] * 22
    victims = [placed(f"p{i}", area) for i, area in enumerate(areas, start=1)]
    referrals = [referral(f"q{i}", f"p{i}", "2026-04-15") for i in range(1, len(areas) + 1)]
    victims += [placed("p-a04", "A04"), placed("p-none", None)]
    return victims, referrals


def public_hub() -> dict[str, list[dict]]:
    victims, referrals = _public_people()
    return {"victims": victims, "referrals": referrals}


def write_warehouse(path, tables: dict[str, list[dict]], as_of: str, release: bool = True):
    """Build a warehouse file at `path`: every SQL model and (with `release`) the public
    release, as a build makes them."""
    from metrics.catalogue import load_catalogue
    from metrics.models import run_models
    from metrics.published import write_public_release
    from metrics.reference_data import write_reference

    con = duckdb.connect(str(path))
    try:
        load_raw(con, tables, as_of)
        write_reference(con, dt.date.fromisoformat(as_of))
        load_catalogue(con)
        run_models(con)
        if release:
            write_public_release(con)
        con.execute("checkpoint")
    finally:
        con.close()
    return path
