"""marts.valuation_inputs and the query that reads it (metrics.queries.valuation_inputs),
on a warehouse built by the real models from a few hand-written referrals.

As of 2026-12-31, health_use covered to 2026-09-15. The month spine runs from January
2026 (the first referral) to December 2026. Every post_6m window compared below is
complete (closed_date + 6 months <= 2026-09-15) except r7's, which has no health rows;
no post_12m window is complete, so every first-year change is 2 x (pre - post_6m).

  referral victim crime                          closed      reason     life sat.
  r1       v1     burglary_residential           2026-02-10  completed  4 -> 7 (+3)
  r2       v2     theft                          2026-02-20  completed  5 -> 5 (0)
  r3       v1     theft                          2026-02-25  completed  6 -> 5 (-1)
  r4       v3     violence_with_injury, dom. ab. 2026-04-15  completed  3 -> 6 (+3)
  r5       v4     theft                          2026-03-10  declined   2 -> 4 (not in base)
  r6       v4     theft                          open
  r7       v5     theft                          2026-08-10  completed  5 -> 6 (+1)

  health_use (self report), pre_6m -> post_6m: r1 GP 4 -> 1, A&E 1 -> 1; r2 GP 2 -> 3;
  r3 GP 3 -> 3; r5 GP 1 -> 0.
  target hardening (first start): r1 2026-02-05 (and 2026-03-10), r3 2026-02-27,
  r4 2026-03-15, r5 2026-03-20, r6 2026-03-25.
  funding: 2026-02 victim_support 1,000 + hate_crime 250; 2026-03 victim_support 800.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from metrics import queries as q
from tests.support import referral, victim, warehouse_from_rows

AS_OF = "2026-12-31"
COVERAGE = {"health_use": "2026-09-15"}
JAN, FEB, MAR, APR = (dt.date(2026, m, 1) for m in (1, 2, 3, 4))
MAY, JUL, AUG, DEC = (dt.date(2026, m, 1) for m in (5, 7, 8, 12))
COLUMNS = ["month", "component", "item", "referrals", "persons", "amount", "status"]
WELLBEING = "wellbeing_social_value_gbp"
NHS = "nhs_cost_avoided_gbp"
CRIME = "crime_cost_avoided_gbp"


def _closed(referral_id, victim_id, crime_type, referral_date, closed_date,
            reason="support_completed", **fields):
    return referral(referral_id, victim_id, referral_date, crime_type=crime_type,
                    closed_date=closed_date, closure_reason=reason, **fields)


def _life_satisfaction(referral_id, intake_date, exit_date, intake, leave):
    return [
        {"assessment_id": f"{referral_id}_in", "referral_id": referral_id,
         "stage": "intake", "assessment_date": intake_date, "life_satisfaction": intake},
        {"assessment_id": f"{referral_id}_ex", "referral_id": referral_id,
         "stage": "exit", "assessment_date": exit_date, "life_satisfaction": leave},
    ]


def _health(referral_id, window, **contacts):
    return {"referral_id": referral_id, "window": window, "source": "self_report", **contacts}


def _target_hardening(service_id, referral_id, start_date):
    return {"service_id": service_id, "referral_id": referral_id, "agency": "victim_support",
            "service_type": "target_hardening", "start_date": start_date}


TABLES = {
    "victims": [victim(f"v{i}") for i in range(1, 6)],
    "referrals": [
        _closed("r1", "v1", "burglary_residential", "2026-01-05", "2026-02-10"),
        _closed("r2", "v2", "theft", "2026-01-12", "2026-02-20"),
        _closed("r3", "v1", "theft", "2026-01-19", "2026-02-25"),
        _closed("r4", "v3", "violence_with_injury", "2026-02-02", "2026-04-15",
                domestic_abuse=True),
        _closed("r5", "v4", "theft", "2026-03-01", "2026-03-10", reason="declined"),
        referral("r6", "v4", "2026-03-05"),
        _closed("r7", "v5", "theft", "2026-07-01", "2026-08-10"),
    ],
    "assessments": [
        *_life_satisfaction("r1", "2026-01-06", "2026-02-10", 4, 7),
        *_life_satisfaction("r2", "2026-01-13", "2026-02-20", 5, 5),
        *_life_satisfaction("r3", "2026-01-20", "2026-02-25", 6, 5),
        *_life_satisfaction("r4", "2026-02-03", "2026-04-15", 3, 6),
        *_life_satisfaction("r5", "2026-03-02", "2026-03-10", 2, 4),
        *_life_satisfaction("r7", "2026-07-02", "2026-08-10", 5, 6),
    ],
    "health_use": [
        _health("r1", "pre_6m", gp_appointments=4, ae_attendances=1),
        _health("r1", "post_6m", gp_appointments=1, ae_attendances=1),
        _health("r2", "pre_6m", gp_appointments=2),
        _health("r2", "post_6m", gp_appointments=3),
        _health("r3", "pre_6m", gp_appointments=3),
        _health("r3", "post_6m", gp_appointments=3),
        _health("r5", "pre_6m", gp_appointments=1),
        _health("r5", "post_6m", gp_appointments=0),
    ],
    "services": [
        _target_hardening("s1", "r1", "2026-02-05"),
        _target_hardening("s2", "r1", "2026-03-10"),
        _target_hardening("s3", "r3", "2026-02-27"),
        _target_hardening("s4", "r4", "2026-03-15"),
        _target_hardening("s5", "r5", "2026-03-20"),
        _target_hardening("s6", "r6", "2026-03-25"),
    ],
    "funding": [
        {"month": "2026-02", "agency": "victim_support", "amount_gbp": 1000.0},
        {"month": "2026-02", "agency": "hate_crime", "amount_gbp": 250.0},
        {"month": "2026-03", "agency": "victim_support", "amount_gbp": 800.0},
    ],
}

# (component, item, referrals, persons, amount, status) of each month, hand-computed.
FEBRUARY = [
    # 1,000 + 250
    ("funding", "all", None, None, 1250.0, "ok"),
    # r1: 2 x (1 - 1) = 0; r2 and r3 have no A&E value: 1 referral, 1 person
    ("nhs", "ae_attendances", 1, 1, 0.0, "ok"),
    ("nhs", "ambulance_callouts", 0, 0, None, "ok"),
    # r1 2 x (4 - 1) = 6, r2 2 x (2 - 3) = -2, r3 2 x (3 - 3) = 0: 6 - 2 + 0 = 4
    # over 3 referrals of 2 people (v1 twice, v2)
    ("nhs", "gp_appointments", 3, 2, 4.0, "ok"),
    ("nhs", "mental_health_crisis_contacts", 0, 0, None, "ok"),
    ("nhs", "nonelective_admissions", 0, 0, None, "ok"),
    # r1's first target hardening is in February (its March one does not count again)
    ("prevention", "burglary_residential", 1, 1, 1.0, "ok"),
    ("prevention", "theft", 1, 1, 1.0, "ok"),  # r3
    ("status", CRIME, None, None, None, "ok"),
    ("status", NHS, None, None, None, "ok"),  # Feb 28 + 6 months <= 2026-09-15
    ("status", WELLBEING, None, None, None, "ok"),
    # r1 +3, r2 0, r3 -1: +2 over 3 referrals of 2 people (v1, v2)
    ("wellbeing", "life_satisfaction", 3, 2, 2.0, "ok"),
]
# March: r5 is paired (2026-03-10 + 6 months <= 2026-09-15) but the month is not yet
# measurable for the NHS indicators (2026-03-31 + 6 months > 2026-09-15): its NHS rows
# carry that status. r5 was declined: no wellbeing row, and the wellbeing status is
# empty_base.
MARCH = [
    ("funding", "all", None, None, 800.0, "ok"),
    ("nhs", "ae_attendances", 0, 0, None, "not_yet_measurable"),
    ("nhs", "ambulance_callouts", 0, 0, None, "not_yet_measurable"),
    ("nhs", "gp_appointments", 1, 1, 2.0, "not_yet_measurable"),  # r5: 2 x (1 - 0)
    ("nhs", "mental_health_crisis_contacts", 0, 0, None, "not_yet_measurable"),
    ("nhs", "nonelective_admissions", 0, 0, None, "not_yet_measurable"),
    ("prevention", "theft", 2, 1, 2.0, "ok"),  # r5 and r6, both v4
    ("prevention", "violence_with_injury|domestic_abuse", 1, 1, 1.0, "ok"),  # r4
    ("status", CRIME, None, None, None, "ok"),
    ("status", NHS, None, None, None, "not_yet_measurable"),
    ("status", WELLBEING, None, None, None, "empty_base"),
]
APRIL = [
    # nobody had target hardening in April: the crime cost has an empty base
    ("status", CRIME, None, None, None, "empty_base"),
    ("status", NHS, None, None, None, "not_yet_measurable"),
    ("status", WELLBEING, None, None, None, "ok"),
    ("wellbeing", "life_satisfaction", 1, 1, 3.0, "ok"),  # r4: +3
]
# January: no closure, no target hardening, no funding. Jan 31 + 6 months <= 2026-09-15.
JANUARY = [
    ("status", CRIME, None, None, None, "empty_base"),
    ("status", NHS, None, None, None, "empty_base"),
    ("status", WELLBEING, None, None, None, "empty_base"),
]


@pytest.fixture(scope="module")
def con():
    connection = warehouse_from_rows(TABLES, AS_OF, coverage=COVERAGE)
    yield connection
    connection.close()


def inputs(con, first: dt.date, last: dt.date) -> pd.DataFrame:
    return q.QUERIES["valuation_inputs"].function(con, "manager", q.Filters(first, last))


def rows(frame: pd.DataFrame) -> list[tuple]:
    """The frame's rows without the month, missing values as None."""
    return [
        tuple(None if pd.isna(value) else value for value in record)
        for record in frame[COLUMNS[1:]].itertuples(index=False)
    ]


def months(frame: pd.DataFrame) -> list[dt.date]:
    return sorted({stamp.date() for stamp in pd.to_datetime(frame["month"])})


@pytest.mark.parametrize(
    ("month", "expected"),
    [(JAN, JANUARY), (FEB, FEBRUARY), (MAR, MARCH), (APR, APRIL)],
    ids=["january", "february", "march", "april"],
)
def test_one_month_holds_the_hand_computed_rows_in_order(con, month, expected):
    frame = inputs(con, month, month)
    assert list(frame.columns) == COLUMNS
    assert months(frame) == [month]
    assert rows(frame) == expected


def test_a_referral_closed_in_august_counts_there_with_nhs_not_yet_measurable(con):
    frame = inputs(con, AUG, AUG)
    # r7: +1; its post_6m window (to 2027-02-10) is open, so no NHS row; 2026-08-31 + 6
    # months is after the coverage date
    assert rows(frame) == [
        ("status", CRIME, None, None, None, "empty_base"),
        ("status", NHS, None, None, None, "not_yet_measurable"),
        ("status", WELLBEING, None, None, None, "ok"),
        ("wellbeing", "life_satisfaction", 1, 1, 1.0, "ok"),
    ]


def test_month_filter_selects_exactly_the_months_asked(con):
    february_to_march = inputs(con, FEB, MAR)
    assert months(february_to_march) == [FEB, MAR]
    # 12 February rows then 11 March rows, sorted by month, component, item
    assert rows(february_to_march) == FEBRUARY + MARCH
    # May to July: no closure, target hardening or funding: 3 status rows a month
    quiet = inputs(con, MAY, JUL)
    assert months(quiet) == [MAY, dt.date(2026, 6, 1), JUL]
    assert len(quiet) == 3 * 3
    assert set(quiet["component"]) == {"status"}
    # a day inside a month selects the whole month
    assert months(inputs(con, dt.date(2026, 3, 15), dt.date(2026, 3, 31))) == [MAR]
    # before the first referral: nothing, with the same columns
    empty = inputs(con, dt.date(2025, 1, 1), dt.date(2025, 12, 1))
    assert empty.empty and list(empty.columns) == COLUMNS


def test_default_period_is_the_twelve_months_to_the_as_of_month(con):
    frame = q.QUERIES["valuation_inputs"].function(con, "pcc", q.Filters())
    # January to December 2026: 36 status rows (12 months x 3 indicators), plus
    # February 12 - 3, March 11 - 3, April 1 and August 1 component rows: 36 + 19 = 55
    assert months(frame) == [dt.date(2026, m, 1) for m in range(1, 13)]
    assert len(frame) == 55


def test_mart_has_one_row_per_month_component_and_item(con):
    counts = con.execute(
        "select count(*), count(distinct (month, component, item)), count(month) "
        "from marts.valuation_inputs"
    ).fetchone()
    # the 55 rows of 2026 above; none without a month
    assert counts == (55, 55, 55)


def test_mart_items_are_the_contact_types_and_indicators_the_app_uses(con):
    items = dict(con.execute(
        "select component, list(distinct item order by item) from marts.valuation_inputs "
        "where component in ('nhs', 'status') group by component"
    ).fetchall())
    assert items["nhs"] == sorted(q.NHS_CONTACT_TYPES)
    assert items["status"] == sorted(q.VALUE_INDICATORS.values())


def test_public_cannot_read_the_inputs(con):
    with pytest.raises(q.NotPermitted):
        q.QUERIES["valuation_inputs"].function(con, "public", q.Filters(FEB, MAR))


def test_a_warehouse_without_the_mart_says_rebuild():
    # a warehouse built before the mart existed
    bare = duckdb.connect()
    try:
        with pytest.raises(q.NotInWarehouse, match="marts.valuation_inputs"):
            q.QUERIES["valuation_inputs"].function(bare, "manager", q.Filters(FEB, MAR))
    finally:
        bare.close()
