"""The prevention indicators (intermediate.int_family_prevention), on hand-written rows.

Register values used (data/assumptions.csv, low / central / high):
repeat_rate_burglary_residential 0.13 / 0.17 / 0.20; repeat_rate_criminal_damage
0.20 / 0.25 / 0.28; repeat_rate_domestic_abuse 0.20 / 0.25 / 0.35; repeat_rate_default
0.05 / 0.10 / 0.20; situational_prevention_effect 0.10 / 0.17 / 0.20;
situational_prevention_effect_burglary 0.17 / 0.20 / 0.25; displacement_prevention
0.2 / 0.0 / 0.0; crime_cost_burglary_residential 5930 (2015/16); crime_cost_criminal_damage
1350 / 1350 / 8420 (2015/16); crime_cost_default 5300 (2023, read as 2023/24).
GDP deflators (data/deflators.csv): 2015/16 74.5804, 2023/24 96.1117, 2026/27 105.3095
(the price base year of an as-of date in October 2026).
"""

from __future__ import annotations

import pytest

from tests.outcome_support import extract, family_rows, outcome_warehouse, referral

AS_OF = "2026-10-31"
UPRATE_2015_16 = 105.3095 / 74.5804
UPRATE_2023_24 = 105.3095 / 96.1117


def prevention_rows(con, indicator_id: str) -> dict[tuple[str, str], dict]:
    return family_rows(con, indicator_id, family="prevention")


def hardened(referral_id: str, crime_type: str, domestic_abuse: bool = False, **kw) -> dict:
    row = referral(referral_id, **kw)
    row["crime_type"] = crime_type
    row["domestic_abuse"] = domestic_abuse
    return row


def service(service_id: str, referral_id: str, service_type: str, start_date: str, agency: str):
    return {
        "service_id": service_id,
        "referral_id": referral_id,
        "agency": agency,
        "service_type": service_type,
        "start_date": start_date,
    }


# --- homes_made_safer -------------------------------------------------------------------


def test_homes_made_safer_counts_referrals_in_month_of_first_target_hardening(tmp_path):
    referrals = [
        hardened("h1", "burglary_residential", victim_id="v1"),
        hardened("h2", "theft", victim_id="v2"),
        hardened("h3", "theft", victim_id="v3"),
        hardened("h4", "criminal_damage", victim_id="v1"),
    ]
    services = [
        # h1: two target hardening services: counted once, in February (the first)
        service("s1", "h1", "target_hardening", "2026-02-10", "older_people"),
        service("s2", "h1", "target_hardening", "2026-03-05", "victim_support"),
        service("s3", "h2", "target_hardening", "2026-03-15", "victim_support"),
        # h3: no target hardening
        service("s4", "h3", "practical_help", "2026-02-12", "victim_support"),
        service("s5", "h4", "target_hardening", "2026-02-20", "victim_support"),
    ]
    con = outcome_warehouse(tmp_path, extract(referrals, services=services), AS_OF)
    rows = prevention_rows(con, "homes_made_safer")
    # February: h1 and h4 = 2 referrals of one victim (v1); March: h2 = 1
    february = rows[("2026-02", "all")]
    assert (february["numerator"], february["value"], february["persons"]) == (2, 2, 1)
    assert february["denominator"] is None
    assert rows[("2026-03", "all")]["numerator"] == 1
    # older_people delivered a service to h1 only
    assert rows[("2026-02", "older_people")]["numerator"] == 1
    assert rows[("2026-02", "victim_support")]["numerator"] == 2
    assert ("2026-03", "older_people") not in rows


# --- repeat_victims_prevented_estimate and crime_cost_avoided_gbp ------------------------


def estimate_extract() -> dict[str, list[dict]]:
    referrals = [
        hardened("e1", "burglary_residential"),
        hardened("e2", "burglary_residential", domestic_abuse=True),
        hardened("e3", "fraud"),
        hardened("e4", "criminal_damage"),
        hardened("e5", "robbery"),
    ]
    services = [
        service(f"s{r}", r, "target_hardening", "2026-02-10", "victim_support")
        for r in ("e1", "e2", "e3", "e4")
    ]
    # e5: practical help only, never in the estimate
    services.append(service("s5", "e5", "practical_help", "2026-02-10", "victim_support"))
    return extract(referrals, services=services)


def test_repeat_victims_prevented_estimate(tmp_path):
    con = outcome_warehouse(tmp_path, estimate_extract(), AS_OF)
    row = prevention_rows(con, "repeat_victims_prevented_estimate")[("2026-02", "all")]
    # rate x effect x (1 - displacement), central / low / high:
    # e1 burglary: 0.17 x 0.20 x 1 = 0.034 / 0.13 x 0.17 x 0.8 = 0.01768 / 0.20 x 0.25 = 0.05
    # e2 burglary, domestic abuse (DA rate first, burglary effect):
    #    0.25 x 0.20 = 0.05 / 0.20 x 0.17 x 0.8 = 0.0272 / 0.35 x 0.25 = 0.0875
    # e3 fraud (no own rate: default): 0.10 x 0.17 = 0.017 / 0.05 x 0.10 x 0.8 = 0.004 /
    #    0.20 x 0.20 = 0.04
    # e4 criminal damage: 0.25 x 0.17 = 0.0425 / 0.20 x 0.10 x 0.8 = 0.016 / 0.28 x 0.20 = 0.056
    # sums: 0.1435 / 0.06488 / 0.2335
    assert row["numerator"] == pytest.approx(0.1435)
    assert row["value"] == pytest.approx(0.1435)
    assert row["value_low"] == pytest.approx(0.06488)
    assert row["value_high"] == pytest.approx(0.2335)
    assert row["denominator"] is None
    assert row["persons"] == 4
    # a count indicator: agency rows too
    agency_rows = prevention_rows(con, "repeat_victims_prevented_estimate")
    assert agency_rows[("2026-02", "victim_support")]["numerator"] == pytest.approx(0.1435)


def test_crime_cost_avoided_is_hub_only_and_uprated(tmp_path):
    con = outcome_warehouse(tmp_path, estimate_extract(), AS_OF)
    rows = prevention_rows(con, "crime_cost_avoided_gbp")
    assert set(rows) == {("2026-02", "all")}
    row = rows[("2026-02", "all")]
    # estimate x crime_cost_<crime type> (crime_cost_default for fraud), uprated to 2026/27:
    # central: (0.034 + 0.05) x 5930 x u15 + 0.0425 x 1350 x u15 + 0.017 x 5300 x u23
    # low:     (0.01768 + 0.0272) x 5930 x u15 + 0.016 x 1350 x u15 + 0.004 x 5300 x u23
    # high:    (0.05 + 0.0875) x 5930 x u15 + 0.056 x 8420 x u15 + 0.04 x 5300 x u23
    central = (
        (0.034 + 0.05) * 5930 * UPRATE_2015_16
        + 0.0425 * 1350 * UPRATE_2015_16
        + 0.017 * 5300 * UPRATE_2023_24
    )
    low = (
        (0.01768 + 0.0272) * 5930 * UPRATE_2015_16
        + 0.016 * 1350 * UPRATE_2015_16
        + 0.004 * 5300 * UPRATE_2023_24
    )
    high = (
        (0.05 + 0.0875) * 5930 * UPRATE_2015_16
        + 0.056 * 8420 * UPRATE_2015_16
        + 0.04 * 5300 * UPRATE_2023_24
    )
    assert row["numerator"] == pytest.approx(central)
    assert row["value"] == pytest.approx(central)
    assert row["value_low"] == pytest.approx(low)
    assert row["value_high"] == pytest.approx(high)
    assert row["denominator"] is None


def only_burglary_residual(con) -> None:
    # residuals already at base-year prices (ref.parameters holds uprated money)
    con.execute("delete from ref.parameters where name like 'crime_cost_residual_%' "
                "or name like 'crime_cost_response_%'")
    con.execute(
        "insert into ref.parameters (name, low, central, high) "
        "values ('crime_cost_residual_burglary_residential', 1000, 2000, 3000)"
    )


def test_crime_cost_residual_uses_residual_costs_only_where_registered(tmp_path):
    con = outcome_warehouse(
        tmp_path, estimate_extract(), AS_OF, before_models=only_burglary_residual
    )
    rows = prevention_rows(con, "_crime_cost_residual_gbp")
    assert set(rows) == {("2026-02", "all")}
    row = rows[("2026-02", "all")]
    # burglary e1 + e2 only (fraud and criminal damage have no residual: left out):
    # central (0.034 + 0.05) x 2000 = 168; low (0.01768 + 0.0272) x 1000 = 44.88;
    # high (0.05 + 0.0875) x 3000 = 412.5
    assert row["numerator"] == pytest.approx(168)
    assert row["value_low"] == pytest.approx(44.88)
    assert row["value_high"] == pytest.approx(412.5)


def no_residuals(con) -> None:
    con.execute("delete from ref.parameters where name like 'crime_cost_residual_%' "
                "or name like 'crime_cost_response_%'")


def test_crime_cost_residual_is_zero_when_no_crime_type_has_one(tmp_path):
    con = outcome_warehouse(tmp_path, estimate_extract(), AS_OF, before_models=no_residuals)
    row = prevention_rows(con, "_crime_cost_residual_gbp")[("2026-02", "all")]
    # the month has crime cost avoided, none of it residual: 0, not missing
    assert (row["numerator"], row["value_low"], row["value_high"]) == (0, 0, 0)


# --- not_revictimised_12m ----------------------------------------------------------------

# Referrals on 2025-03-10: + 365 days = 2026-03-10, + 366 days = 2026-03-11.


def repeat_crime(crime_ref: str, victim_id: str, crime_date: str) -> dict:
    return {
        "crime_ref": crime_ref,
        "victim_id": victim_id,
        "crime_date": crime_date,
        "crime_type": "theft",
    }


def revictimisation_extract() -> dict[str, list[dict]]:
    march = {"referral_date": "2025-03-10", "closed_date": "2025-05-01"}
    referrals = [
        referral("n1", victim_id="v1", **march),
        referral("n2", victim_id="v2", **march),
        referral("n3", victim_id="v3", **march),
        referral("n4", victim_id="v4", **march),
        referral("n5", victim_id="v5", referral_date="2025-03-10", closed_date=None),
        referral("n6", victim_id="v6", closure_reason="declined", **march),
        referral("n7", victim_id="v7", **march),
        # v8 has no March referral; its crime must not count for anyone else
        referral("n8", victim_id="v8", referral_date="2025-11-15", closed_date=None),
    ]
    crimes = [
        repeat_crime("c1", "v1", "2025-03-10"),  # on the referral date: not a repeat
        repeat_crime("c2", "v2", "2026-03-10"),  # day 365: a repeat
        repeat_crime("c3", "v3", "2026-03-11"),  # day 366: outside the window
        repeat_crime("c4", "v4", "2025-03-01"),  # before the referral
        repeat_crime("c6", "v6", "2025-04-09"),  # day 30, referral declined: still counts
        repeat_crime("c8", "v8", "2025-04-09"),  # another victim's crime
    ]
    return extract(referrals, repeat_crimes=crimes)


def test_not_revictimised_window_boundaries(tmp_path):
    con = outcome_warehouse(tmp_path, revictimisation_extract(), AS_OF)
    rows = prevention_rows(con, "not_revictimised_12m")
    march = rows[("2025-03", "all")]
    # base: all seven March referrals whatever their closure (n5 open, n6 declined);
    # revictimised: n2 (day 365) and n6 (day 30); not: n1, n3, n4, n5, n7 = 5 / 7
    assert (march["numerator"], march["denominator"]) == (5, 7)
    assert march["value"] == pytest.approx(5 / 7)
    # n8 (2025-11-15 + 365 = 2026-11-15 > as-of 2026-10-31): not yet in any base
    assert ("2025-11", "all") not in rows


def test_not_revictimised_respects_repeat_crimes_coverage(tmp_path):
    tables = revictimisation_extract()
    tables["referrals"].append(
        referral("n9", victim_id="v9", referral_date="2025-03-05", closed_date=None)
    )
    tables["victims"].append(dict(tables["victims"][0], victim_id="v9"))
    # coverage 2026-03-09: 2025-03-10 + 365 = 2026-03-10 is after it (out of the base);
    # n9: 2025-03-05 + 365 = 2026-03-05 is within it (in the base, no repeat): 1 / 1
    con = outcome_warehouse(tmp_path, tables, AS_OF, coverage={"repeat_crimes": "2026-03-09"})
    row = prevention_rows(con, "not_revictimised_12m")[("2025-03", "all")]
    assert (row["numerator"], row["denominator"]) == (1, 1)


def test_repeat_counts_for_every_referral_of_the_victim(tmp_path):
    referrals = [
        referral("m1", victim_id="v1", referral_date="2025-03-01", closed_date="2025-04-01"),
        referral("m2", victim_id="v1", referral_date="2025-06-01", closed_date="2025-07-01"),
        referral("m3", victim_id="v1", referral_date="2025-07-01", closed_date=None),
    ]
    # 2025-07-01 is inside m1's and m2's windows; it is m3's referral date (not a repeat)
    crimes = [repeat_crime("c1", "v1", "2025-07-01")]
    con = outcome_warehouse(tmp_path, extract(referrals, repeat_crimes=crimes), AS_OF)
    rows = prevention_rows(con, "not_revictimised_12m")
    march = rows[("2025-03", "all")]
    assert (march["numerator"], march["denominator"]) == (0, 1)
    assert rows[("2025-06", "all")]["numerator"] == 0
    assert rows[("2025-07", "all")]["numerator"] == 1
