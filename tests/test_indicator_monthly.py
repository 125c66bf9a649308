"""marts.indicator_monthly: the spine, the status rules and value for money.

Statuses by precedence: no_data (a measure the indicator needs is absent), then
not_yet_measurable (the cohort month's window has not closed by the as-of or coverage
date), then empty_base (nobody in the base), else ok. Counts are ok with 0.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support import indicator, referral, victim
from tests.support import warehouse_from_rows as build

AGENCIES = (
    "victim_support",
    "hate_crime",
    "older_people",
    "young_people",
    "lgbt",
    "witness_care",
    "nhs_mental_health",
)
HUB_ONLY = (
    "wellbeing_social_value_gbp",
    "crime_cost_avoided_gbp",
    "nhs_cost_avoided_gbp",
    "public_value_total_gbp",
    "value_per_pound",
)


def status(con, indicator_id: str, month: str, agency: str = "all") -> str:
    row = indicator(con, indicator_id, month, agency)
    assert row is not None, (indicator_id, month, agency)
    return row["status"]


# --- the spine ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_con():
    # Referrals in November 2026 and January 2027; as-of 31 Jan 2027. Only victims and
    # referrals are supplied (reported_date is in the file but never filled in).
    referrals = [
        referral("r1", "v1", "2026-11-03", first_contact_date="2026-11-04", reported_date=None),
        referral("r2", "v2", "2027-01-10", first_contact_date="2027-01-11"),
    ]
    return build({"victims": [victim("v1"), victim("v2")], "referrals": referrals}, "2027-01-31")


def test_columns_and_types(small_con):
    columns = small_con.execute("describe marts.indicator_monthly").fetchall()
    assert [(c[0], c[1]) for c in columns] == [
        ("indicator_id", "VARCHAR"),
        ("month", "DATE"),
        ("agency", "VARCHAR"),
        ("status", "VARCHAR"),
        ("numerator", "DOUBLE"),
        ("denominator", "DOUBLE"),
        ("value", "DOUBLE"),
        ("value_low", "DOUBLE"),
        ("value_high", "DOUBLE"),
        ("persons", "BIGINT"),
    ]


def test_spine_covers_every_indicator_month_and_agency(small_con):
    # Months: Nov 2026, Dec 2026, Jan 2027 (first referral month to the as-of month) = 3.
    # The catalogue has 44 indicators; reach_ratio lives in equity_reach: 43 here.
    # 5 are hub-only (the three GBP indicators and value for money): 1 row a month;
    # the other 38 have `all` + 7 agencies = 8 rows a month.
    # 3 x (38 x 8 + 5 x 1) = 3 x 309 = 927.
    total, distinct = small_con.execute(
        "select count(*), count(distinct (indicator_id, month, agency)) "
        "from marts.indicator_monthly"
    ).fetchone()
    assert (total, distinct) == (927, 927)
    months = [
        r[0]
        for r in small_con.execute(
            "select distinct month from marts.indicator_monthly order by 1"
        ).fetchall()
    ]
    assert months == [dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)]
    agencies = {
        r[0]
        for r in small_con.execute(
            "select distinct agency from marts.indicator_monthly "
            "where indicator_id = 'referrals_received'"
        ).fetchall()
    }
    assert agencies == {"all", *AGENCIES}
    for indicator_id in HUB_ONLY:
        rows = small_con.execute(
            "select distinct agency from marts.indicator_monthly where indicator_id = ?",
            [indicator_id],
        ).fetchall()
        assert rows == [("all",)], indicator_id


def test_internal_and_equity_ids_are_not_in_the_table(small_con):
    ids = {
        r[0]
        for r in small_con.execute(
            "select distinct indicator_id from marts.indicator_monthly"
        ).fetchall()
    }
    assert "reach_ratio" not in ids
    assert not any(i.startswith("_") for i in ids)
    catalogue = {
        r[0]
        for r in small_con.execute("select indicator_id from marts.indicator_catalogue").fetchall()
    }
    assert ids == catalogue - {"reach_ratio"}


def test_figures_are_null_and_persons_zero_unless_ok(small_con):
    leaks = small_con.execute(
        "select count(*) from marts.indicator_monthly where status != 'ok' and ("
        "numerator is not null or denominator is not null or value is not null "
        "or value_low is not null or value_high is not null or persons != 0)"
    ).fetchone()[0]
    assert leaks == 0
    statuses = {
        r[0]
        for r in small_con.execute("select distinct status from marts.indicator_monthly").fetchall()
    }
    assert statuses <= {"ok", "empty_base", "not_yet_measurable", "no_data"}


def test_no_referrals_means_no_months():
    con = build({"victims": [victim("v1")], "referrals": []}, "2027-01-31")
    assert con.execute("select count(*) from marts.indicator_monthly").fetchone()[0] == 0
    assert con.execute("select count(*) from intermediate.int_referral_month_spine").fetchone()[0] == 0


# --- status: no_data ---------------------------------------------------------------------


def test_no_data_when_the_table_is_absent(small_con):
    # agency_referrals is not in the extract: every month and agency is no_data.
    rows = small_con.execute(
        "select distinct status from marts.indicator_monthly "
        "where indicator_id = 'agency_accepted_5wd'"
    ).fetchall()
    assert rows == [("no_data",)]
    # repeat_crimes absent: no_data wins over not_yet_measurable (Nov 2026 + 365 days is
    # after the as-of date).
    assert status(small_con, "not_revictimised_12m", "2026-11-01") == "no_data"


def test_no_data_when_the_column_has_no_values(small_con):
    # reported_date is in the referrals file but no row has one.
    assert status(small_con, "police_referral_2wd", "2026-11-01") == "no_data"
    # closure_reason is not in the file at all.
    assert status(small_con, "referrals_completed", "2026-11-01") == "no_data"


def test_a_supplied_but_empty_table_is_no_data():
    # An empty repeat_crimes file says nothing about repeat victimisation: no_data, never
    # "nobody was victimised again". Months: Oct 2026 .. Dec 2027; October is past its
    # 365-day window, so only the missing measure can make it no_data.
    con = build(
        {
            "victims": [victim("v1")],
            "referrals": [referral("r1", "v1", "2026-10-01")],
            "repeat_crimes": [],
            "services": [],
        },
        "2027-12-31",
    )
    assert status(con, "not_revictimised_12m", "2026-10-01") == "no_data"
    assert status(con, "homes_made_safer", "2026-10-01") == "no_data"


def test_agency_rows_need_the_involvement_tables(small_con):
    # open_cases for the hub reads referrals (present); its agency rows read
    # agency_referrals (absent).
    assert status(small_con, "open_cases", "2026-11-01") == "ok"
    assert status(small_con, "open_cases", "2026-11-01", "hate_crime") == "no_data"
    # referrals_received: agency involvement needs services or agency_referrals.
    assert status(small_con, "referrals_received", "2026-11-01") == "ok"
    assert status(small_con, "referrals_received", "2026-11-01", "victim_support") == "no_data"


def test_counts_are_zero_and_rates_empty_in_a_month_without_referrals(small_con):
    row = indicator(small_con, "referrals_received", "2026-12-01")
    assert (row["status"], row["numerator"], row["value"], row["persons"]) == ("ok", 0.0, 0.0, 0)
    assert status(small_con, "first_contact_2wd", "2026-12-01") == "empty_base"
    assert status(small_con, "enhanced_rights_share", "2026-12-01") == "empty_base"


def test_working_day_indicators_are_not_censored_by_month(small_con):
    # January 2027 is the as-of month: r2 was contacted the next day -> 1 / 1, ok.
    row = indicator(small_con, "first_contact_2wd", "2027-01-01")
    assert (row["status"], row["numerator"], row["denominator"]) == ("ok", 1.0, 1.0)


# --- status: not_yet_measurable, with coverage dates --------------------------------------


@pytest.fixture(scope="module")
def censor_con():
    # One referral a month from October 2026 to July 2027, each closed (support completed)
    # on the 10th of its month, with NHS rows; as-of 31 Dec 2027; repeat crimes complete to
    # 31 Oct 2027, NHS data to 30 Nov 2027.
    months = [
        "2026-10",
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
        "2027-03",
        "2027-04",
        "2027-05",
        "2027-06",
        "2027-07",
    ]
    referrals, health = [], []
    for i, month in enumerate(months):
        rid = f"r{i}"
        referrals.append(
            referral(
                rid,
                f"v{i}",
                f"{month}-01",
                first_contact_date=f"{month}-01",
                closed_date=f"{month}-10",
                closure_reason="support_completed",
            )
        )
        for window, ae in (("pre_6m", 2), ("post_6m", 1)):
            health.append(
                {
                    "referral_id": rid,
                    "window": window,
                    "ae_attendances": ae,
                    "mental_health_crisis_contacts": 0,
                    "gp_appointments": 1,
                    "source": "self_report",
                }
            )
    tables = {
        "victims": [victim(f"v{i}") for i in range(len(months))],
        "referrals": referrals,
        # A crime against v0 a month before its referral: outside every 12-month window.
        "repeat_crimes": [
            {
                "crime_ref": "c1",
                "victim_id": "v0",
                "crime_date": "2026-09-01",
                "crime_type": "theft",
            },
        ],
        # A service says which agencies were involved (victim_support only).
        "services": [
            {
                "service_id": "s1",
                "referral_id": "r0",
                "agency": "victim_support",
                "service_type": "emotional_support",
                "start_date": "2026-10-02",
            },
        ],
        # One follow-up, 30 days after r2 closed (10 Dec 2026): outside [90, 365).
        "assessments": [
            {
                "assessment_id": "a1",
                "referral_id": "r2",
                "stage": "follow_up",
                "assessment_date": "2027-01-09",
            },
        ],
        "health_use": health,
    }
    return build(
        tables, "2027-12-31", coverage={"repeat_crimes": "2027-10-31", "health_use": "2027-11-30"}
    )


def test_repeat_victimisation_censored_by_coverage_date(censor_con):
    # October 2026: 31 Oct 2026 + 365 days = 31 Oct 2027 <= coverage (31 Oct 2027): ok;
    # r0's only repeat crime is before its referral: not victimised again, 1 / 1.
    row = indicator(censor_con, "not_revictimised_12m", "2026-10-01")
    assert (row["status"], row["numerator"], row["denominator"]) == ("ok", 1.0, 1.0)
    # November 2026: 30 Nov 2027 is before the as-of date but after the coverage date.
    assert status(censor_con, "not_revictimised_12m", "2026-11-01") == "not_yet_measurable"


def test_nhs_censored_by_months_and_coverage(censor_con):
    # May 2027: 31 May + 6 months = 30 Nov 2027 <= coverage 30 Nov 2027: measurable.
    assert status(censor_con, "fewer_crisis_contacts", "2027-05-01") == "ok"
    # June 2027: 30 Jun + 6 months = 30 Dec 2027 <= as-of, but after the coverage date.
    assert status(censor_con, "fewer_crisis_contacts", "2027-06-01") == "not_yet_measurable"
    assert status(censor_con, "nhs_contacts_change", "2027-06-01") == "not_yet_measurable"
    # A censored month with nobody in it is not_yet_measurable, not empty_base
    # (December 2027 has no closed referral).
    assert status(censor_con, "fewer_crisis_contacts", "2027-12-01") == "not_yet_measurable"
    # A censored agency row is censored too.
    assert status(censor_con, "fewer_crisis_contacts", "2027-06-01", "victim_support") == (
        "not_yet_measurable"
    )


def test_follow_up_windows_censored_by_as_of(censor_con):
    # 3-12 months: December 2026 + 365 days = 31 Dec 2027 = as-of: measurable (r2's only
    # follow-up is at 30 days: 0 / 1); January 2027: 31 Jan 2028 > as-of: not yet.
    row = indicator(censor_con, "follow_up_coverage_3_12m", "2026-12-01")
    assert (row["status"], row["numerator"], row["denominator"]) == ("ok", 0.0, 1.0)
    assert status(censor_con, "follow_up_coverage_3_12m", "2027-01-01") == "not_yet_measurable"
    # 12 months plus: 31 Oct 2026 + 730 days = 31 Oct 2028: not yet.
    assert status(censor_con, "follow_up_coverage_12m_plus", "2026-10-01") == ("not_yet_measurable")


# --- value for money ---------------------------------------------------------------------


def value_tables(with_funding: bool = True) -> dict:
    """Three completed referrals with every part of public value.

    z1 closes in March 2027 and z3 in April 2027 with life satisfaction at intake and exit
    (wellbeing value), comparable pre/post NHS rows (NHS cost) and a target-hardening
    service in the closing month (crime cost). z2 closes in July 2027, whose NHS window
    (31 Jul + 6 months) is still open at the as-of date 31 Dec 2027. Funding: March 2027
    only, 1,000 + 500 = 1,500 GBP.
    """
    plan = [
        ("z1", "2027-01-10", "2027-03-15", "2027-03-10"),
        ("z2", "2027-06-01", "2027-07-20", "2027-07-05"),
        ("z3", "2027-02-01", "2027-04-20", "2027-04-05"),
    ]
    referrals, assessments, services, health = [], [], [], []
    for rid, referred, closed, hardened in plan:
        referrals.append(
            referral(
                rid,
                f"v_{rid}",
                referred,
                crime_type="burglary_residential",
                first_contact_date=referred,
                closed_date=closed,
                closure_reason="support_completed",
            )
        )
        assessments += [
            {
                "assessment_id": f"{rid}i",
                "referral_id": rid,
                "stage": "intake",
                "assessment_date": referred,
                "life_satisfaction": 4,
            },
            {
                "assessment_id": f"{rid}e",
                "referral_id": rid,
                "stage": "exit",
                "assessment_date": closed,
                "life_satisfaction": 7,
            },
        ]
        services.append(
            {
                "service_id": f"{rid}s",
                "referral_id": rid,
                "agency": "victim_support",
                "service_type": "target_hardening",
                "start_date": hardened,
            }
        )
        for window, gp, ae in (("pre_6m", 3, 2), ("post_6m", 1, 0)):
            health.append(
                {
                    "referral_id": rid,
                    "window": window,
                    "gp_appointments": gp,
                    "ae_attendances": ae,
                    "mental_health_crisis_contacts": 1,
                    "ambulance_callouts": 0,
                    "nonelective_admissions": 0,
                    "source": "self_report",
                }
            )
    tables = {
        "victims": [victim(f"v_{p[0]}") for p in plan],
        "referrals": referrals,
        "assessments": assessments,
        "services": services,
        "health_use": health,
    }
    if with_funding:
        tables["funding"] = [
            {"month": "2027-03", "agency": "victim_support", "amount_gbp": 1000.0},
            {"month": "2027-03", "agency": "hate_crime", "amount_gbp": 500.0},
        ]
    return tables


@pytest.fixture(scope="module")
def value_con():
    return build(value_tables(), "2027-12-31")


def component(con, indicator_id: str, month: str) -> dict:
    row = indicator(con, indicator_id, month)
    assert row["status"] == "ok", (indicator_id, month, row["status"])
    return row


def residual(con, month: str) -> tuple[float, float, float]:
    """The internal crime-cost residual row the total adds (0 when there is none)."""
    row = con.execute(
        "select numerator, value_low, value_high from intermediate.int_assembly_family_rows "
        "where indicator_id = '_crime_cost_residual_gbp' and agency = 'all' and month = ?",
        [dt.date.fromisoformat(month)],
    ).fetchone()
    return tuple(v or 0.0 for v in row) if row else (0.0, 0.0, 0.0)


def test_public_value_total_adds_the_three_parts(value_con):
    month = "2027-03-01"
    wellbeing = component(value_con, "wellbeing_social_value_gbp", month)
    nhs = component(value_con, "nhs_cost_avoided_gbp", month)
    component(value_con, "crime_cost_avoided_gbp", month)
    crime_central, crime_low, crime_high = residual(value_con, month)
    total = indicator(value_con, "public_value_total_gbp", month)
    assert total["status"] == "ok"
    assert total["numerator"] == pytest.approx(
        wellbeing["numerator"] + nhs["numerator"] + crime_central
    )
    assert total["value"] == total["numerator"]
    assert total["value_low"] == pytest.approx(
        wellbeing["value_low"] + nhs["value_low"] + crime_low
    )
    assert total["value_high"] == pytest.approx(
        wellbeing["value_high"] + nhs["value_high"] + crime_high
    )
    assert total["denominator"] is None
    assert total["persons"] == 1  # z1 is the only person behind every part


def test_value_per_pound_divides_by_the_month_funding(value_con):
    total = indicator(value_con, "public_value_total_gbp", "2027-03-01")
    ratio = indicator(value_con, "value_per_pound", "2027-03-01")
    # Funding in March 2027: 1,000 + 500 = 1,500 GBP.
    assert ratio["status"] == "ok"
    assert ratio["denominator"] == 1500.0
    assert ratio["value"] == pytest.approx(total["numerator"] / 1500.0)
    assert ratio["value_low"] == pytest.approx(total["value_low"] / 1500.0)
    assert ratio["value_high"] == pytest.approx(total["value_high"] / 1500.0)


def test_total_is_ok_only_when_every_part_is(value_con):
    # February 2027: no referral closed, no target hardening: the parts are empty.
    assert status(value_con, "public_value_total_gbp", "2027-02-01") == "empty_base"
    # July 2027: wellbeing and crime parts exist but the NHS window is still open.
    assert status(value_con, "wellbeing_social_value_gbp", "2027-07-01") == "ok"
    assert status(value_con, "nhs_cost_avoided_gbp", "2027-07-01") == "not_yet_measurable"
    assert status(value_con, "public_value_total_gbp", "2027-07-01") == "not_yet_measurable"
    assert status(value_con, "value_per_pound", "2027-07-01") == "not_yet_measurable"


def test_value_per_pound_without_funding_that_month_is_empty(value_con):
    # April 2027: the total is ok (z3) but no funding was recorded for April.
    assert status(value_con, "public_value_total_gbp", "2027-04-01") == "ok"
    assert status(value_con, "value_per_pound", "2027-04-01") == "empty_base"


def test_value_per_pound_without_a_funding_table_is_no_data():
    con = build(value_tables(with_funding=False), "2027-12-31")
    assert status(con, "public_value_total_gbp", "2027-03-01") == "ok"
    assert status(con, "value_per_pound", "2027-03-01") == "no_data"
