"""The value-for-money recomputation (metrics/valuation.py), worked by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from metrics import valuation as v

PARAMS = pd.DataFrame(
    [
        # name, low, central, high
        ("wellby_value_gbp", 10000, 13000, 16000),
        ("deadweight_wellbeing", 0.5, 0.3, 0.1),
        ("attribution_wellbeing", 0.3, 0.5, 0.7),
        ("dropoff_wellbeing", 1.0, 0.5, 0.25),
        ("benefit_years_wellbeing", 1, 1, 2),
        ("discount_rate_health", 0.015, 0.015, 0.015),
        ("discount_rate", 0.035, 0.035, 0.035),
        ("deadweight_nhs", 0.7, 0.5, 0.3),
        ("attribution_nhs", 0.3, 0.5, 0.7),
        ("dropoff_nhs", 1.0, 0.5, 0.25),
        ("benefit_years_nhs", 1, 2, 3),
        ("unit_cost_gp_appointments", 42, 49, 49),
        ("unit_cost_ae_attendances", 148, 148, 148),
        ("unit_cost_mental_health_crisis_contacts", 137, 137, 137),
        ("unit_cost_ambulance_callouts", 231, 231, 231),
        ("unit_cost_nonelective_admissions", 1590, 1590, 1590),
        ("repeat_rate_burglary_residential", 0.13, 0.17, 0.20),
        ("repeat_rate_domestic_abuse", 0.20, 0.25, 0.35),
        ("repeat_rate_default", 0.05, 0.10, 0.20),
        ("situational_prevention_effect", 0.10, 0.17, 0.20),
        ("situational_prevention_effect_burglary", 0.17, 0.20, 0.25),
        ("displacement_prevention", 0.2, 0.0, 0.0),
        ("crime_cost_burglary_residential", 5930, 5930, 5930),
        ("crime_cost_default", 5300, 5300, 5300),
        ("crime_cost_residual_burglary_residential", 2000, 2000, 2000),
    ],
    columns=["name", "low", "central", "high"],
)
INPUTS = v.Inputs(
    life_satisfaction_change=10.0,
    wellbeing_people=40,
    nhs_change={"gp_appointments": 4.0, "ae_attendances": 2.0},
    nhs_people=5,
    hardened={("burglary_residential", False): 10, ("theft", True): 5},
    funding=1000.0,
)


def test_central_scenario_by_hand():
    result = v.compute(INPUTS, v.settings(PARAMS, "central"))
    # wellbeing: 10 x 13,000 x (1 - 0.3) x 0.5 x A(1, .5, .015) = 1 -> 45,500
    assert result.wellbeing == pytest.approx(45_500)
    # NHS first year: 4 x 49 + 2 x 148 = 492; x (1 - 0.5) x 0.5 = 123;
    # A(2, 0.5, 0.035) = 1 + 0.5 / 1.035 = 1.4830918 -> 182.4203
    assert result.nhs == pytest.approx(123 * (1 + 0.5 / 1.035))
    # prevention: burglary 10 x 0.17 x 0.20 = 0.34; theft with domestic abuse uses the
    # domestic abuse rate: 5 x 0.25 x 0.17 = 0.2125; total 0.5525 victims spared
    assert result.prevention_estimate == pytest.approx(0.5525)
    # crime cost: 0.34 x 5,930 + 0.2125 x 5,300 (default) = 2,016.2 + 1,126.25
    assert result.crime_cost_avoided == pytest.approx(3142.45)
    # only the residual enters the total: burglary 0.34 x 2,000 = 680; theft has none
    assert result.crime_residual == pytest.approx(680)
    assert result.residual_missing == ("theft",)
    total = 45_500 + 123 * (1 + 0.5 / 1.035) + 680
    assert result.total == pytest.approx(total)
    assert result.per_pound == pytest.approx(total / 1000)


def test_a_changed_assumption_moves_the_figures():
    changed = v.settings(PARAMS, "central", {"attribution_wellbeing": 1.0})
    # attribution 0.5 -> 1.0 doubles the wellbeing term: 91,000
    assert v.compute(INPUTS, changed).wellbeing == pytest.approx(91_000)
    longer = v.settings(PARAMS, "central", {"benefit_years_wellbeing": 2})
    # A(2, 0.5, 0.015) = 1 + 0.5 / 1.015 = 1.4926108 -> 45,500 x 1.4926108
    assert v.compute(INPUTS, longer).wellbeing == pytest.approx(45_500 * (1 + 0.5 / 1.015))


def test_waterfall_steps_add_up_to_the_net_value():
    s = v.settings(PARAMS, "central")
    steps = v.waterfall(INPUTS, s)
    amounts = {label: amount for label, amount, _ in steps}
    # gross: 10 x 13,000 + 492 = 130,492
    assert amounts["Gross change (year 1)"] == pytest.approx(130_492)
    # deadweight: 130,000 x 0.3 + 492 x 0.5 = 39,246
    assert amounts["Deadweight"] == pytest.approx(-39_246)
    # attribution: 130,000 x 0.7 x 0.5 + 492 x 0.5 x 0.5 = 45,623
    assert amounts["Attribution"] == pytest.approx(-45_623)
    # NHS net first year 123 over 2 years: later years +123, drop-off -(2 - 1.5) x 123,
    # discounting -(1.5 - 1.4830918) x 123
    assert amounts["Later years"] == pytest.approx(123)
    assert amounts["Drop-off"] == pytest.approx(-61.5)
    assert amounts["Discounting"] == pytest.approx(-123 * (1.5 - (1 + 0.5 / 1.035)))
    assert amounts[v.CRIME_OTHER_STEP] == pytest.approx(680)
    assert steps[-1][2] == "total"
    assert amounts["Net public value"] == pytest.approx(v.compute(INPUTS, s).total)


def test_tornado_varies_one_assumption_at_a_time():
    frame = v.tornado(INPUTS, PARAMS)
    by_name = frame.set_index("parameter")
    # attribution_wellbeing at 0.3 and 0.7, everything else central:
    # wellbeing 10 x 13,000 x 0.7 x 0.3 = 27,300 and x 0.7 = 63,700
    rest = 123 * (1 + 0.5 / 1.035) + 680
    assert by_name.loc["attribution_wellbeing", "low_total"] == pytest.approx(27_300 + rest)
    assert by_name.loc["attribution_wellbeing", "high_total"] == pytest.approx(63_700 + rest)
    # parameters with one setting are left out; the widest swing comes first
    assert "discount_rate" not in by_name.index
    assert list(frame["swing"]) == sorted(frame["swing"], reverse=True)


def test_inputs_only_count_months_every_component_covers():
    feb, mar = dt.date(2026, 2, 1), dt.date(2026, 3, 1)
    frame = pd.DataFrame(
        [
            (feb, "wellbeing", "life_satisfaction", 3, 3, 2.0, "ok"),
            (feb, "nhs", "gp_appointments", 1, 1, 6.0, "ok"),
            (feb, "prevention", "theft|domestic_abuse", 1, 1, 1.0, "ok"),
            (feb, "funding", "all", None, None, 1000.0, "ok"),
            (feb, "status", "nhs_cost_avoided_gbp", None, None, None, "ok"),
            (mar, "wellbeing", "life_satisfaction", 2, 2, 5.0, "ok"),
            (mar, "funding", "all", None, None, 500.0, "ok"),
            (mar, "status", "nhs_cost_avoided_gbp", None, None, None, "not_yet_measurable"),
        ],
        columns=["month", "component", "item", "referrals", "persons", "amount", "status"],
    )
    inputs = v.inputs_from(frame)
    # March's NHS value is not yet measurable: March is left out, funding included
    assert inputs.months == (feb,) and inputs.months_excluded == (mar,)
    assert inputs.life_satisfaction_change == 2.0
    assert inputs.funding == 1000.0
    assert inputs.nhs_change["gp_appointments"] == 6.0
    assert inputs.hardened == {("theft", True): 1}
