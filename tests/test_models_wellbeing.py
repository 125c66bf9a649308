"""The assessment-based outcome indicators (intermediate.int_family_wellbeing).

The helpers (outcome_warehouse, family_rows, referral, ...) are in tests/outcome_support.py,
shared with the other outcome family tests. Only the models these indicators need are run (staging, int_referral_agencies, the
int_outcome_* helpers and the four outcome families), on hand-written rows. Every expected
number is worked out by hand in the comments. SWEMWBS metric scores are read from the
published conversion table (data/swemwbs_metric.csv), quoted where used.
"""

from __future__ import annotations

import pytest

from tests.outcome_support import (
    assessment,
    extract,
    family_rows,
    outcome_warehouse,
    referral,
    referral_flags,
)

# --- SWEMWBS: metric scores and the meaningful gain -------------------------------------

# Conversion table values used below (raw -> metric): 10 -> 12.40, 11 -> 13.33,
# 16 -> 16.36, 17 -> 16.88, 20 -> 18.59, 21 -> 19.25, 22 -> 19.98, 24 -> 21.54.


def swemwbs_pairs() -> dict[str, list[dict]]:
    intake, leave = "2026-01-10", "2026-03-20"
    return extract(
        [
            referral("r1"),
            referral("r2"),
            referral("r3"),
            referral("r4"),
            referral("r5"),
            referral("r6"),
            referral("r7", closure_reason="declined"),
            referral("r8", closed_date=None),
        ],
        assessments=[
            # r1: raw 20 -> 24 is +4 raw points but 21.54 - 18.59 = 2.95 metric: no gain
            assessment("r1", "intake", intake, swemwbs=20),
            assessment("r1", "exit", leave, swemwbs=24),
            # r2: 16.36 - 13.33 = 3.03 >= 3: gain
            assessment("r2", "intake", intake, swemwbs=11),
            assessment("r2", "exit", leave, swemwbs=16),
            # r3: stored metric 16.36 at intake (no raw sum); exit raw 21 -> 19.25;
            # 19.25 - 16.36 = 2.89: no gain
            assessment("r3", "intake", intake, swemwbs_metric=16.36),
            assessment("r3", "exit", leave, swemwbs=21),
            # r4: both at intake, the raw sum wins: raw 17 -> 16.88 (not the stored 30.70);
            # exit raw 22 -> 19.98; 19.98 - 16.88 = 3.10: gain (with 30.70 it would fall)
            assessment("r4", "intake", intake, swemwbs=17, swemwbs_metric=30.70),
            assessment("r4", "exit", leave, swemwbs=22),
            # r5: exit has only the stored metric 16.36; intake raw 10 -> 12.40;
            # 16.36 - 12.40 = 3.96: gain
            assessment("r5", "intake", intake, swemwbs=10),
            assessment("r5", "exit", leave, swemwbs_metric=16.36),
            # r6: completed but no exit SWEMWBS: not in the base
            assessment("r6", "intake", intake, swemwbs=11),
            assessment("r6", "exit", leave, coping=3),
            # r7 declined, r8 still open: not completed referrals, not in the base
            assessment("r7", "intake", intake, swemwbs=11),
            assessment("r7", "exit", leave, swemwbs=16),
            assessment("r8", "intake", intake, swemwbs=11),
            assessment("r8", "exit", leave, swemwbs=16),
        ],
    )


def test_wellbeing_gain_at_exit_uses_metric_scores(tmp_path):
    con = outcome_warehouse(tmp_path, swemwbs_pairs(), "2026-10-31")
    row = family_rows(con, "wellbeing_gain_at_exit")[("2026-03", "all")]
    # base r1..r5 = 5; gains r2, r4, r5 = 3; 3 / 5 = 0.6
    assert row["denominator"] == 5
    assert row["numerator"] == 3
    assert row["value"] == pytest.approx(0.6)
    assert row["value_low"] is None and row["value_high"] is None
    assert row["persons"] == 5


def test_swemwbs_raw_sum_wins_over_stored_metric(tmp_path):
    con = outcome_warehouse(tmp_path, swemwbs_pairs(), "2026-10-31")
    # r4 intake: raw 17 -> 16.88, the stored 30.70 is not used
    assert referral_flags(con, "r4", "intake_swemwbs_metric")[0] == pytest.approx(16.88)
    # r3 intake: no raw sum, the stored metric 16.36 is used
    assert referral_flags(con, "r3", "intake_swemwbs_metric")[0] == pytest.approx(16.36)


def test_referral_flags_outside_base_are_null(tmp_path):
    con = outcome_warehouse(tmp_path, swemwbs_pairs(), "2026-10-31")
    columns = ("wellbeing_gain_at_exit_base", "wellbeing_gain_at_exit_success")
    assert referral_flags(con, "r1", *columns) == (True, False)
    assert referral_flags(con, "r2", *columns) == (True, True)
    assert referral_flags(con, "r6", *columns) == (False, None)
    assert referral_flags(con, "r7", *columns) == (False, None)
    assert referral_flags(con, "r8", *columns) == (False, None)


def test_meaningful_gain_threshold_is_inclusive(tmp_path):
    # threshold set to 2.95: r1's 21.54 - 18.59 = 2.95 (2.9499999... in floating point)
    # must count; r3's 2.89 must not. Gains: r1, r2 (3.03), r4 (3.10), r5 (3.96) = 4 of 5.
    overrides = {"swemwbs_meaningful_change": {"low": 2.95, "central": 2.95, "high": 2.95}}
    con = outcome_warehouse(tmp_path, swemwbs_pairs(), "2026-10-31", overrides=overrides)
    row = family_rows(con, "wellbeing_gain_at_exit")[("2026-03", "all")]
    assert (row["numerator"], row["denominator"]) == (4, 5)


# --- positive change on 1..5 scales -----------------------------------------------------


@pytest.mark.parametrize(
    "indicator_id, measure",
    [
        ("coped_better_at_exit", "coping"),
        ("informed_at_exit", "information_choices"),
        ("feel_safer_at_exit", "safety"),
        ("health_improved_at_exit", "health_wellbeing"),
    ],
)
def test_positive_change_at_exit(tmp_path, indicator_id, measure):
    # (intake, exit): (3, 4) up: yes; (5, 5) both best: yes; (4, 4) same: no;
    # (4, 3) down: no; (1, 5) up: yes; (5, 4) down: no. Base 6, count 3, rate 0.5.
    # p7 has no exit value: out of the base. p8 is closed as unable_to_contact: out.
    pairs = [(3, 4), (5, 5), (4, 4), (4, 3), (1, 5), (5, 4)]
    referrals = [referral(f"p{i}") for i in range(1, 9)]
    referrals[7] = referral("p8", closure_reason="unable_to_contact")
    assessments = []
    for i, (before, after) in enumerate(pairs, start=1):
        assessments.append(assessment(f"p{i}", "intake", "2026-01-10", **{measure: before}))
        assessments.append(assessment(f"p{i}", "exit", "2026-03-20", **{measure: after}))
    assessments.append(assessment("p7", "intake", "2026-01-10", **{measure: 2}))
    assessments.append(assessment("p7", "exit", "2026-03-20", swemwbs=20))
    assessments.append(assessment("p8", "intake", "2026-01-10", **{measure: 2}))
    assessments.append(assessment("p8", "exit", "2026-03-20", **{measure: 4}))
    con = outcome_warehouse(tmp_path, extract(referrals, assessments=assessments), "2026-10-31")
    rows = family_rows(con, indicator_id)
    assert set(rows) == {("2026-03", "all"), ("2026-03", "victim_support")}
    row = rows[("2026-03", "all")]
    assert (row["numerator"], row["denominator"], row["value"]) == (3, 6, 0.5)


# --- family_benefited: exit surveys, month of survey_date --------------------------------


def test_family_benefited(tmp_path):
    referrals = [
        referral("s1"),
        referral("s2"),
        referral("s3"),
        referral("s4", closed_date=None),
    ]
    surveys = [
        {"referral_id": "s1", "survey_date": "2026-04-02", "family_benefited": "yes"},
        {"referral_id": "s2", "survey_date": "2026-04-10", "family_benefited": "no"},
        {"referral_id": "s3", "survey_date": "2026-04-11", "family_benefited": "unknown"},
        {"referral_id": "s4", "survey_date": "2026-05-01", "family_benefited": "yes"},
    ]
    services = [
        {
            "service_id": "x1",
            "referral_id": "s2",
            "agency": "hate_crime",
            "service_type": "advocacy",
            "start_date": "2026-02-01",
        }
    ]
    tables = extract(referrals, exit_surveys=surveys, services=services)
    con = outcome_warehouse(tmp_path, tables, "2026-10-31")
    rows = family_rows(con, "family_benefited")
    # April surveys: yes (s1) and no (s2) in the base, unknown (s3) out: 1 / 2.
    # May: s4's yes (its referral still open: the survey counts by survey_date): 1 / 1.
    april = rows[("2026-04", "all")]
    assert (april["numerator"], april["denominator"]) == (1, 2)
    assert rows[("2026-05", "all")]["value"] == 1.0
    # hate_crime delivered a service to s2 only: April 0 / 1
    hate_crime = rows[("2026-04", "hate_crime")]
    assert (hate_crime["numerator"], hate_crime["denominator"]) == (0, 1)
    assert ("2026-03", "all") not in rows


# --- post-support follow-up windows ------------------------------------------------------

# All closed on 2025-01-15. Days after closure: 2025-01-05 = -10, 2025-04-14 = +89,
# 2025-04-15 = +90, 2025-04-20 = +95, 2025-04-25 = +100, 2025-05-15 = +120,
# 2025-08-03 = +200, 2026-01-14 = +364, 2026-01-15 = +365, 2026-02-19 = +400,
# 2027-01-14 = +729, 2027-01-15 = +730.
# Intake SWEMWBS raw 11 -> 13.33; follow-up raw 17 -> 16.88 (gain 3.55: meaningful),
# raw 13 -> 14.75 (gain 1.42: not meaningful).
CLOSED = "2025-01-15"


def follow_up_referral(referral_id: str, closure_reason: str = "support_completed") -> dict:
    return referral(
        referral_id,
        closed_date=CLOSED,
        closure_reason=closure_reason,
        referral_date="2024-11-04",
    )


def test_medium_window_earliest_follow_up_inside_window(tmp_path):
    referrals = [follow_up_referral(r) for r in ("fa", "fb", "fc", "fd", "fe")]
    referrals.append(follow_up_referral("ff", closure_reason="declined"))
    intake = [
        assessment(r, "intake", "2024-11-10", swemwbs=11, daily_activities=2)
        for r in ("fa", "fb", "fc", "fd", "fe", "ff")
    ]
    follow_ups = [
        # fa: +89 is outside [90, 365) and ignored although earlier; +120 no gain
        assessment("fa", "follow_up", "2025-04-14", swemwbs=17, daily_activities=4),
        assessment("fa", "follow_up", "2025-05-15", swemwbs=13, daily_activities=2),
        # fb: before closure ignored; +364 is inside: no SWEMWBS gain, daily 2 -> 5 up
        assessment("fb", "follow_up", "2025-01-05", swemwbs=17),
        assessment("fb", "follow_up", "2026-01-14", swemwbs=13, daily_activities=5),
        # fc: +365 is outside the medium window (it is the long window's first day)
        assessment("fc", "follow_up", "2026-01-15", swemwbs=17, daily_activities=5),
        # fd: +90 is inside and the earliest: gain; the later +100 is not used
        assessment("fd", "follow_up", "2025-04-15", swemwbs=17),
        assessment("fd", "follow_up", "2025-04-25", swemwbs=13),
        # fe: +95 has daily_activities only (2 -> 3 up); SWEMWBS from +200: gain
        assessment("fe", "follow_up", "2025-04-20", daily_activities=3),
        assessment("fe", "follow_up", "2025-08-03", swemwbs=17),
        # ff: not a completed referral
        assessment("ff", "follow_up", "2025-05-15", swemwbs=17, daily_activities=5),
    ]
    tables = extract(referrals, assessments=intake + follow_ups)
    con = outcome_warehouse(tmp_path, tables, "2027-03-31")
    # wellbeing_sustained_3_12m: base fa, fb, fd, fe = 4; gain fd, fe = 2
    sustained = family_rows(con, "wellbeing_sustained_3_12m")[("2025-01", "all")]
    assert (sustained["numerator"], sustained["denominator"]) == (2, 4)
    # back_to_daily_life_3_12m: base fa (2 -> 2), fb (2 -> 5), fe (2 -> 3) = 3; up fb, fe = 2
    daily = family_rows(con, "back_to_daily_life_3_12m")[("2025-01", "all")]
    assert (daily["numerator"], daily["denominator"]) == (2, 3)
    # fc's +365 follow-up is the long window's: gain 3.55 -> 1 / 1
    long_gain = family_rows(con, "wellbeing_gain_12m_plus")[("2025-01", "all")]
    assert (long_gain["numerator"], long_gain["denominator"]) == (1, 1)


def test_long_window_indicators(tmp_path):
    referrals = [follow_up_referral(r) for r in ("la", "lb", "lc", "ld")]
    intake = [
        assessment(r, "intake", "2024-11-10", swemwbs=11, health_wellbeing=3)
        for r in ("la", "lb", "lc")
    ]
    intake.append(assessment("ld", "intake", "2024-11-10", coping=2))
    follow_ups = [
        # la: +364 ignored for the long window; +365: no gain, safety 3, health 3 (= intake)
        assessment("la", "follow_up", "2026-01-14", swemwbs=17, safety=5, health_wellbeing=5),
        assessment("la", "follow_up", "2026-01-15", swemwbs=13, safety=3, health_wellbeing=3),
        # lb: +729 inside: gain, safety 4, health 2 (< intake 3)
        assessment("lb", "follow_up", "2027-01-14", swemwbs=17, safety=4, health_wellbeing=2),
        # lc: +730 outside: ignored entirely
        assessment("lc", "follow_up", "2027-01-15", swemwbs=17, safety=5, health_wellbeing=5),
        # ld: no intake SWEMWBS or health: only in the safety base (no intake needed)
        assessment("ld", "follow_up", "2026-02-19", swemwbs=17, safety=5, health_wellbeing=5),
    ]
    tables = extract(referrals, assessments=intake + follow_ups)
    con = outcome_warehouse(tmp_path, tables, "2027-03-31")
    # wellbeing_gain_12m_plus: base la, lb; gain lb: 1 / 2
    gain = family_rows(con, "wellbeing_gain_12m_plus")[("2025-01", "all")]
    assert (gain["numerator"], gain["denominator"]) == (1, 2)
    # feel_safe_12m_plus: base la (3), lb (4), ld (5); safety >= 4: lb, ld: 2 / 3
    safe = family_rows(con, "feel_safe_12m_plus")[("2025-01", "all")]
    assert (safe["numerator"], safe["denominator"]) == (2, 3)
    # health_maintained_12m_plus: base la (3 >= 3 yes), lb (2 >= 3 no): 1 / 2
    health = family_rows(con, "health_maintained_12m_plus")[("2025-01", "all")]
    assert (health["numerator"], health["denominator"]) == (1, 2)
    # la's +364 follow-up belongs to the medium window only: gain 3.55 -> 1 / 1
    medium = family_rows(con, "wellbeing_sustained_3_12m")[("2025-01", "all")]
    assert (medium["numerator"], medium["denominator"]) == (1, 1)


# --- agency rows and persons ------------------------------------------------------------


def test_agency_rows_count_involvement_and_persons_count_victims(tmp_path):
    referrals = [
        referral("g1", victim_id="v1"),
        referral("g2", victim_id="v1"),
        referral("g3", victim_id="v2"),
    ]
    assessments = []
    for r, (before, after) in zip(("g1", "g2", "g3"), [(2, 3), (3, 3), (1, 4)], strict=True):
        assessments.append(assessment(r, "intake", "2026-01-10", coping=before))
        assessments.append(assessment(r, "exit", "2026-03-20", coping=after))
    services = [
        {
            "service_id": "x1",
            "referral_id": "g2",
            "agency": "lgbt",
            "service_type": "emotional_support",
            "start_date": "2026-02-01",
        }
    ]
    agency_referrals = [
        {
            "agency_referral_id": "ar1",
            "referral_id": "g1",
            "agency": "hate_crime",
            "sent_date": "2026-01-12",
            "outcome": "accepted",
            "outcome_date": "2026-01-14",
        },
        {
            "agency_referral_id": "ar2",
            "referral_id": "g3",
            "agency": "young_people",
            "sent_date": "2026-01-12",
            "outcome": "declined",
            "outcome_date": "2026-01-14",
        },
    ]
    tables = extract(
        referrals,
        assessments=assessments,
        services=services,
        agency_referrals=agency_referrals,
    )
    con = outcome_warehouse(tmp_path, tables, "2026-10-31")
    rows = family_rows(con, "coped_better_at_exit")
    summary = {
        agency: (row["numerator"], row["denominator"], row["persons"])
        for (month, agency), row in rows.items()
    }
    # all and victim_support: g1 up, g2 same, g3 up: 2 / 3, victims v1 and v2 = 2 persons.
    # lgbt (service to g2): 0 / 1. hate_crime (accepted for g1): 1 / 1. young_people
    # declined: not involved, no row.
    assert summary == {
        "all": (2, 3, 2),
        "victim_support": (2, 3, 2),
        "lgbt": (0, 1, 1),
        "hate_crime": (1, 1, 1),
    }


# --- cohort month, grain and output columns ----------------------------------------------

FAMILY_COLUMNS = [
    ("indicator_id", "VARCHAR"),
    ("month", "DATE"),
    ("agency", "VARCHAR"),
    ("numerator", "DOUBLE"),
    ("denominator", "DOUBLE"),
    ("value", "DOUBLE"),
    ("value_low", "DOUBLE"),
    ("value_high", "DOUBLE"),
    ("persons", "BIGINT"),
]


def family_columns(con, family: str) -> list[tuple[str, str]]:
    rows = con.execute(f"describe intermediate.int_family_{family}").fetchall()
    return [(row[0], row[1]) for row in rows]


def test_at_exit_cohort_is_the_month_of_closed_date(tmp_path):
    # exit assessment on 2026-02-27, referral closed on 2026-03-02: the row is March's
    referrals = [referral("c1", closed_date="2026-03-02")]
    assessments = [
        assessment("c1", "intake", "2026-01-10", coping=2),
        assessment("c1", "exit", "2026-02-27", coping=4),
    ]
    con = outcome_warehouse(tmp_path, extract(referrals, assessments=assessments), "2026-10-31")
    assert set(family_rows(con, "coped_better_at_exit")) == {
        ("2026-03", "all"),
        ("2026-03", "victim_support"),
    }


def test_outcome_referrals_has_one_row_per_referral(tmp_path):
    # swemwbs_pairs holds 8 referrals; some have two assessments, none may be doubled
    con = outcome_warehouse(tmp_path, swemwbs_pairs(), "2026-10-31")
    total, distinct = con.execute(
        "select count(*), count(distinct referral_id) from intermediate.int_outcome_referrals"
    ).fetchone()
    assert (total, distinct) == (8, 8)


def test_family_output_columns(tmp_path):
    con = outcome_warehouse(tmp_path, swemwbs_pairs(), "2026-10-31")
    for family in ("wellbeing", "prevention", "nhs", "value"):
        assert family_columns(con, family) == FAMILY_COLUMNS, family
