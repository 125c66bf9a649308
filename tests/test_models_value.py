"""wellbeing_social_value_gbp (intermediate.int_family_value), on hand-written rows.

Register values used (data/assumptions.csv, low / central / high): wellby_value_gbp
10000 / 13000 / 16000 (price year 2019, read as 2019/20); deadweight_wellbeing
0.5 / 0.3 / 0.1; attribution_wellbeing 0.3 / 0.5 / 0.7; dropoff_wellbeing 1.0 / 0.5 / 0.25;
benefit_years_wellbeing 1 / 1 / 2; discount_rate_health 0.015. GDP deflators
(data/deflators.csv): 2019/20 80.8738, 2026/27 105.3095 (the price base year of an as-of
date in October 2026).
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

AS_OF = "2026-10-31"
UPRATE_2019_20 = 105.3095 / 80.8738


def value_rows(con) -> dict[tuple[str, str], dict]:
    return family_rows(con, "wellbeing_social_value_gbp", family="value")


def life_satisfaction_extract() -> dict[str, list[dict]]:
    referrals = [
        referral("w1", victim_id="v1"),
        referral("w2", victim_id="v2"),
        referral("w3", victim_id="v3", closure_reason="declined"),
        referral("w4", victim_id="v4"),
        referral("w5", victim_id="v5", closed_date="2026-04-02"),
    ]
    intake, leave = "2026-01-10", "2026-03-20"
    assessments = [
        assessment("w1", "intake", intake, life_satisfaction=4),  # 4 -> 7: +3
        assessment("w1", "exit", leave, life_satisfaction=7),
        assessment("w2", "intake", intake, life_satisfaction=6),  # 6 -> 4: -2 (a decline)
        assessment("w2", "exit", leave, life_satisfaction=4),
        assessment("w3", "intake", intake, life_satisfaction=2),  # declined: out
        assessment("w3", "exit", leave, life_satisfaction=9),
        assessment("w4", "intake", intake, life_satisfaction=2),  # no exit value: out
        assessment("w4", "exit", leave, coping=4),
        assessment("w5", "intake", intake, life_satisfaction=5),  # 5 -> 5: 0, in April
        assessment("w5", "exit", "2026-04-02", life_satisfaction=5),
    ]
    return extract(referrals, assessments=assessments)


def test_wellbeing_social_value_counts_declines_as_negative(tmp_path):
    con = outcome_warehouse(tmp_path, life_satisfaction_extract(), AS_OF)
    rows = value_rows(con)
    # hub-only; March (w1, w2) and April (w5: a zero change is still a base of one)
    assert set(rows) == {("2026-03", "all"), ("2026-04", "all")}
    march = rows[("2026-03", "all")]
    # net change 3 - 2 = 1 WELLBY:
    # central 1 x 13000 x uprate x (1 - 0.3) x 0.5 x A(1, 0.5, 0.015) = 1
    # low     1 x 10000 x uprate x (1 - 0.5) x 0.3 x A(1, 1.0, 0.015) = 1
    # high    1 x 16000 x uprate x (1 - 0.1) x 0.7 x A(2, 0.25, 0.015) = 1 + 0.75 / 1.015
    central = 1 * 13000 * UPRATE_2019_20 * 0.7 * 0.5 * 1
    low = 1 * 10000 * UPRATE_2019_20 * 0.5 * 0.3 * 1
    high = 1 * 16000 * UPRATE_2019_20 * 0.9 * 0.7 * (1 + 0.75 / 1.015)
    assert march["numerator"] == pytest.approx(central)
    assert march["value"] == pytest.approx(central)
    assert march["value_low"] == pytest.approx(low)
    assert march["value_high"] == pytest.approx(high)
    assert march["denominator"] is None
    assert march["persons"] == 2
    april = rows[("2026-04", "all")]
    assert (april["numerator"], april["persons"]) == (0, 1)


def test_referral_level_wellbeing_value(tmp_path):
    con = outcome_warehouse(tmp_path, life_satisfaction_extract(), AS_OF)
    columns = ("life_satisfaction_change", "wellbeing_social_value_gbp_central")
    # w1: +3 x 13000 x uprate x 0.7 x 0.5; w2: -2 x the same factors
    change, value = referral_flags(con, "w1", *columns)
    assert change == 3
    assert value == pytest.approx(3 * 13000 * UPRATE_2019_20 * 0.7 * 0.5)
    change, value = referral_flags(con, "w2", *columns)
    assert change == -2
    assert value == pytest.approx(-2 * 13000 * UPRATE_2019_20 * 0.7 * 0.5)
    assert referral_flags(con, "w3", *columns) == (None, None)


def test_wellbeing_annuity_uses_the_health_discount_rate(tmp_path):
    # central benefit 3 years, drop-off 0.5, health discount 0.10 (discount_rate stays 0.035):
    # A(3, 0.5, 0.10) = 1 + 0.5 / 1.10 + 0.25 / 1.10^2; with 0.035 it would be
    # 1 + 0.5 / 1.035 + 0.25 / 1.035^2, a different number.
    overrides = {
        "benefit_years_wellbeing": {"central": 3},
        "discount_rate_health": {"central": 0.10},
    }
    con = outcome_warehouse(tmp_path, life_satisfaction_extract(), AS_OF, overrides=overrides)
    march = value_rows(con)[("2026-03", "all")]
    annuity = 1 + 0.5 / 1.10 + 0.25 / 1.10**2
    assert march["numerator"] == pytest.approx(1 * 13000 * UPRATE_2019_20 * 0.7 * 0.5 * annuity)
