"""Value for money a PCC can defend (spec: evidence.md section 4), worked by hand:
savings and social value apart, each per £1; the hub-evidence scenario (drop-off from the
hub's follow-ups, NHS deadweight from a comparison group); projected against observed;
the crime cost parts that do not double count; and a hub's own register refused or
applied by `hubvalue build --assumptions`."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from metrics import hub_evidence as he
from metrics import valuation as v
from tests.support import referral, victim, warehouse_from_rows

# --- savings and social value apart (pure) -------------------------------------------

PARAMS = pd.DataFrame(
    [
        ("wellby_value_gbp", 10_000, 13_000, 16_000),
        ("deadweight_wellbeing", 0.5, 0.3, 0.1),
        ("attribution_wellbeing", 0.3, 0.5, 0.7),
        ("dropoff_wellbeing", 1.0, 0.5, 0.25),
        ("benefit_years_wellbeing", 1, 1, 1),
        ("discount_rate_health", 0.015, 0.015, 0.015),
        ("deadweight_nhs", 0.7, 0.5, 0.3),
        ("attribution_nhs", 0.3, 0.5, 0.7),
        ("dropoff_nhs", 1.0, 0.5, 0.25),
        ("benefit_years_nhs", 1, 1, 1),
        ("discount_rate", 0.035, 0.035, 0.035),
        ("unit_cost_gp_appointments", 40, 50, 60),
        ("unit_cost_ae_attendances", 0, 0, 0),
        ("unit_cost_mental_health_crisis_contacts", 0, 0, 0),
        ("unit_cost_ambulance_callouts", 0, 0, 0),
        ("unit_cost_nonelective_admissions", 0, 0, 0),
        ("situational_prevention_effect", 0.1, 0.2, 0.2),
        ("situational_prevention_effect_burglary", 0.2, 0.2, 0.2),
        ("displacement_prevention", 0.0, 0.0, 0.0),
        ("repeat_rate_domestic_abuse", 0.25, 0.25, 0.25),
        ("repeat_rate_default", 0.1, 0.1, 0.1),
        ("repeat_rate_burglary_residential", 0.5, 0.5, 0.5),
        ("crime_cost_default", 5000, 5000, 5000),
        ("crime_cost_burglary_residential", 6000, 6000, 6000),
        ("crime_cost_response_burglary_residential", 1000, 1000, 1000),
        ("crime_cost_residual_burglary_residential", 400, 400, 400),
        ("crime_cost_response_theft", 100, 100, 100),  # theft: no other component row
    ],
    columns=["name", "low", "central", "high"],
)
INPUTS = v.Inputs(
    life_satisfaction_change=2.0,
    nhs_change={"gp_appointments": 10.0},
    hardened={("burglary_residential", False): 10, ("theft", False): 20, ("fraud", False): 5},
    funding=500.0,
    months=("2026-01-01",),
)


def test_savings_and_social_value_are_apart_each_per_pound():
    r = v.compute(INPUTS, v.settings(PARAMS, "central"))
    # wellbeing: 2 x 13,000 x (1 - 0.3) x 0.5 x A(1) = 9,100 (social value)
    assert r.wellbeing == pytest.approx(9_100)
    # NHS: 10 x 50 x (1 - 0.5) x 0.5 = 125 (saving)
    assert r.nhs == pytest.approx(125)
    # burglary: 10 x 0.5 x 0.2 = 1 spared: response 1,000 (saving), other 400 (social);
    # theft: 20 x 0.1 (default rate) x 0.2 = 0.4 spared: response 40, no other row;
    # fraud: no row at all, left out of the total
    assert r.crime_response == pytest.approx(1_040)
    assert r.crime_other == pytest.approx(400)
    assert r.savings == pytest.approx(1_165)
    assert r.social == pytest.approx(9_500)
    assert r.total == pytest.approx(10_665)
    assert r.savings_per_pound == pytest.approx(2.33)
    assert r.social_per_pound == pytest.approx(19.0)
    assert r.per_pound == pytest.approx(21.33)
    assert r.wellbeing_share == pytest.approx(9_100 / 10_665)
    assert r.residual_missing == ("fraud",)
    assert r.other_missing == ("fraud", "theft")
    assert v.split_text(r) == (
        "£2.33 of public-sector savings and £19.00 of social value per £1 of funding; "
        "85% of the total rests on the wellbeing value"
    )
    assert v.crime_types_left_out(r) == [
        "no sourced response or other crime cost for fraud: their crime costs stay out of "
        "the total",
        "no other non-overlapping cost for theft",
    ]


def test_low_scenario_and_the_hub_evidence_scenario_by_hand():
    low = v.compute(INPUTS, v.settings(PARAMS, "low"))
    # wellbeing 2 x 10,000 x 0.5 x 0.3 = 3,000; NHS 10 x 40 x 0.3 x 0.3 = 36;
    # burglary 1 spared (1,000 + 400); theft 20 x 0.1 x 0.1 = 0.2 spared (20)
    assert (low.wellbeing, low.nhs) == pytest.approx((3_000, 36))
    assert (low.savings, low.social) == pytest.approx((1_056, 3_400))
    # hub evidence: every central setting but deadweight_nhs = 0.2 from the comparison
    estimates = {"deadweight_nhs": he.Estimate("deadweight_nhs", 0.2, 0.1, 0.3, 40, "c"),
                 "dropoff_wellbeing": he.Estimate("dropoff_wellbeing", None, None, None,
                                                  3, "c", "too few")}
    hub = he.hub_settings(v.settings(PARAMS, "central"), estimates)
    assert hub["deadweight_nhs"] == 0.2 and hub["dropoff_wellbeing"] == 0.5
    r = v.compute(INPUTS, hub)
    # NHS 10 x 50 x (1 - 0.2) x 0.5 = 200
    assert r.savings == pytest.approx(200 + 1_040)
    assert r.total == pytest.approx(10_740)
    # nothing estimated: the scenario is not offered
    assert he.hub_settings(v.settings(PARAMS, "central"),
                           {"dropoff_wellbeing": estimates["dropoff_wellbeing"]}) is None


def test_the_waterfall_shows_the_two_crime_parts_and_the_tornado_names_the_part_moved():
    steps = dict((label, amount) for label, amount, _ in
                 v.waterfall(INPUTS, v.settings(PARAMS, "central")))
    assert steps[v.CRIME_RESPONSE_STEP] == pytest.approx(1_040)
    assert steps[v.CRIME_OTHER_STEP] == pytest.approx(400)
    assert steps["Net public value"] == pytest.approx(10_665)
    moves = v.tornado(INPUTS, PARAMS).set_index("parameter")["moves"]
    assert moves["wellby_value_gbp"] == v.SOCIAL
    assert moves["unit_cost_gp_appointments"] == v.SAVINGS
    assert moves["situational_prevention_effect"] == "both"


# --- the hub's own evidence (pure) ---------------------------------------------------


def sums(xs, ys) -> he.Sums:
    return he.Sums(len(xs), sum(xs), sum(ys), sum(x * x for x in xs), sum(y * y for y in ys),
                   sum(x * y for x, y in zip(xs, ys, strict=True)))


def test_wellbeing_dropoff_from_follow_ups():
    # exit - intake 2, 4, 3; follow-up - intake 1, 2, 3: persistence 6 / 9, drop-off 1/3.
    # residuals y - (2/3) x: -1/3, -2/3, 1 (squares 14/9); variance (14/9) / 2 / (3 x 3^2)
    # = 7/243; half-width 1.96 x 0.169725 = 0.332655
    e = he.wellbeing_dropoff(sums([2, 4, 3], [1, 2, 3]), min_n=3)
    assert e.value == pytest.approx(1 / 3)
    assert (e.low, e.high) == pytest.approx((0.000678, 0.665988), abs=1e-6)
    assert e.n == 3 and "follow-up" in e.caveat


def test_wellbeing_dropoff_refused_below_min_paired_n_or_without_a_gain():
    short = he.wellbeing_dropoff(sums([2, 4], [1, 2]), min_n=3)
    assert short.value is None and short.n == 2
    assert "only 2 people" in short.reason and "at least 3" in short.reason
    fell = he.wellbeing_dropoff(sums([-1, 0, 1], [1, 1, 1]), min_n=3)
    assert fell.value is None and "did not rise" in fell.reason
    # follow-ups above exit: persistence 2, drop-off clamped to 0
    assert he.wellbeing_dropoff(sums([1, 1, 1], [2, 2, 2]), min_n=3).value == 0.0


def test_nhs_deadweight_from_the_comparison_group():
    # completed: pre 10 each, fall 5, 4, 6: R_s = 15 / 30 = 0.5, residuals 0, -1, 1,
    # variance 2 / 2 / (3 x 100) = 1/300; comparison: fall 1, 2, 3: R_c = 0.2, variance
    # 1/300. deadweight 0.2 / 0.5 = 0.4; variance (1/300) / 0.25 + 0.04 (1/300) / 0.0625
    # = 0.0154667, half-width 1.96 x 0.124365 = 0.243752
    e = he.nhs_deadweight(sums([10] * 3, [5, 4, 6]), sums([10] * 3, [1, 2, 3]), min_n=3)
    assert e.value == pytest.approx(0.4)
    assert (e.low, e.high) == pytest.approx((0.156248, 0.643752), abs=1e-6)
    assert (e.n, e.n_comparison) == (3, 3)
    assert "decline" in e.caveat


def test_nhs_deadweight_not_offered_with_too_few_or_no_fall():
    few = he.nhs_deadweight(sums([10] * 3, [5, 4, 6]), sums([10] * 2, [1, 2]), min_n=3)
    assert few.value is None and "comparison 2" in few.reason
    flat = he.nhs_deadweight(sums([10] * 3, [0, 0, 0]), sums([10] * 3, [1, 2, 3]), min_n=3)
    assert flat.value is None and "did not fall" in flat.reason
    # the comparison fell more than the completed referrals: clamped to 1
    more = he.nhs_deadweight(sums([10] * 3, [1, 2, 3]), sums([10] * 3, [5, 4, 6]), min_n=3)
    assert more.value == 1.0


def mart_rows(*rows) -> pd.DataFrame:
    columns = ["estimate", "referral_group", "month", "referrals", "sum_x", "sum_y",
               "sum_xx", "sum_yy", "sum_xy", "window_passed"]
    return pd.DataFrame(list(rows), columns=columns)


def test_estimates_pool_every_month_of_the_mart():
    frame = mart_rows(
        ("wellbeing_persistence", "completed", "2024-01-01", 2, 6, 3, 20, 5, 10, True),
        ("wellbeing_persistence", "completed", "2025-06-01", 1, 3, 3, 9, 9, 9, False),
        ("nhs_change", "completed", "2024-01-01", 3, 30, 15, 300, 77, 150, True),
        ("nhs_change", "comparison", "2024-01-01", 1, 10, 2, 100, 4, 20, True),
    )
    estimates = he.hub_estimates(frame, min_n=3)
    # drop-off: both months, persistence 6 / 9
    assert estimates["dropoff_wellbeing"].value == pytest.approx(1 / 3)
    assert estimates["dropoff_wellbeing"].n == 3
    # one person in the comparison group: not offered
    assert estimates["deadweight_nhs"].value is None
    assert estimates["deadweight_nhs"].n_comparison == 1


def test_projected_against_observed_verdicts():
    # 3 people, exit - intake 3 each (9), follow-up - intake 1 each (3, no spread):
    # projected 9 x 10 = 90 against observed 30 (interval 30 to 30): ran high
    high = he.wellbeing_calibration(mart_rows(
        ("wellbeing_persistence", "completed", "2024-01-01", 3, 9, 3, 27, 3, 9, True),
        ("wellbeing_persistence", "completed", "2026-01-01", 3, 90, 0, 0, 0, 0, False),
    ), value_per_point=10)
    assert (high.n, high.projected, high.observed) == (3, 90, 30)
    assert high.verdict.startswith("projections ran high")
    assert list(high.table["month"]) == ["2024-01-01"]  # the window not passed is left out
    # follow-ups 2, 4, 6 (sum 12, sum of squares 56): variance (56 - 48) / 2 = 4, sum's
    # half-width 1.96 x sqrt(4 x 3) = 6.79: 5.2 to 18.8 holds the projected 9 -> within
    within = he.wellbeing_calibration(mart_rows(
        ("wellbeing_persistence", "completed", "2024-01-01", 3, 9, 12, 27, 56, 36, True),
    ), value_per_point=1)
    assert (within.observed_low, within.observed_high) == pytest.approx(
        (12 - 6.789514, 12 + 6.789514), abs=1e-5)
    assert within.verdict.startswith("projections were within")
    none = he.wellbeing_calibration(mart_rows(), value_per_point=1)
    assert none.n == 0 and none.verdict == "no cohort's follow-up window has passed yet"


# --- the models: crime parts and the hub-evidence sums -------------------------------

AS_OF = "2026-11-30"


def assessment(referral_id: str, stage: str, date: str, score: int) -> dict:
    return {"assessment_id": f"{referral_id}_{stage}_{date}", "referral_id": referral_id,
            "stage": stage, "assessment_date": date, "life_satisfaction": score}


def test_crime_response_and_other_costs_enter_the_total_for_a_burglary():
    referrals = [referral("b1", "v1", "2026-01-05", crime_type="burglary_residential")]
    services = [{"service_id": "s1", "referral_id": "b1", "agency": "victim_support",
                 "service_type": "target_hardening", "start_date": "2026-02-10"}]
    con = warehouse_from_rows({"victims": [victim("v1")], "referrals": referrals,
                               "services": services}, AS_OF)
    settings = {n: con.execute("select low, central, high from ref.parameters where name = ?",
                               [n]).fetchone()
                for n in ("crime_cost_response_burglary_residential",
                          "crime_cost_residual_burglary_residential")}
    response = settings["crime_cost_response_burglary_residential"]
    other = settings["crime_cost_residual_burglary_residential"]
    # response 1,180 in every scenario; anticipation (1,030) in the high scenario only;
    # both at 2019/20 prices, uprated by the same factor
    assert response[0] == response[1] == response[2]
    assert (other[0], other[1]) == (0, 0)
    assert other[2] / response[2] == pytest.approx(1_030 / 1_180)
    central, high = con.execute(
        "select numerator, value_high from intermediate.int_assembly_family_rows "
        "where indicator_id = '_crime_cost_residual_gbp' and agency = 'all' "
        "and month = date '2026-02-01'").fetchone()
    # central: 0.17 repeat x 0.20 burglary effect = 0.034 victims spared x response;
    # high: 0.20 x 0.25 = 0.05 spared x (response + anticipation)
    assert central == pytest.approx(0.034 * response[1])
    assert high == pytest.approx(0.05 * (response[2] + other[2]))


def test_hub_evidence_mart_sums_follow_ups_and_the_comparison_group():
    closed = {"closed_date": "2024-01-15", "closure_reason": "support_completed"}
    referrals = [
        referral("c1", "v1", "2023-11-01", **closed),
        referral("c2", "v2", "2023-11-01", **closed),
        referral("c3", "v3", "2023-11-01", **closed),  # follow-up too early: not counted
        referral("d1", "v4", "2023-11-01", closed_date="2024-01-20", closure_reason="declined"),
    ]
    assessments = [
        # c1: 3 -> 6 at exit -> 5 at 400 days; c2: 4 -> 5 -> 6 at 500 days
        assessment("c1", "intake", "2023-11-02", 3), assessment("c1", "exit", "2024-01-10", 6),
        assessment("c1", "follow_up", "2025-02-18", 5),
        assessment("c2", "intake", "2023-11-02", 4), assessment("c2", "exit", "2024-01-10", 5),
        assessment("c2", "follow_up", "2025-05-29", 6),
        assessment("c3", "intake", "2023-11-02", 4), assessment("c3", "exit", "2024-01-10", 8),
        assessment("c3", "follow_up", "2024-06-01", 8),
    ]
    con = warehouse_from_rows({"victims": [victim(f"v{i}") for i in range(1, 5)],
                               "referrals": referrals, "assessments": assessments}, AS_OF)
    rows = con.execute(
        "select estimate, referral_group, month, referrals, sum_x, sum_y, sum_xx, sum_yy, "
        "sum_xy, window_passed from marts.hub_evidence").fetchall()
    # x = exit - intake (3, 1), y = follow-up - intake (2, 2); Jan 2024 + 730 days passed
    assert [r[:2] + r[3:] for r in rows] == [
        ("wellbeing_persistence", "completed", 2, 4.0, 4.0, 10.0, 8.0, 8.0, True)]
    assert str(rows[0][2]) == "2024-01-01"


def health(referral_id: str, window: str, gp: int) -> dict:
    return {"referral_id": referral_id, "window": window, "source": "self_report",
            "gp_appointments": gp}


def test_hub_evidence_mart_nhs_rows_for_the_comparison_and_the_calibration():
    referrals = [
        referral("c1", "v1", "2023-11-01", closed_date="2024-01-15",
                 closure_reason="support_completed"),
        referral("d1", "v2", "2023-11-01", closed_date="2024-01-20", closure_reason="declined"),
        referral("t1", "v3", "2023-11-01", closed_date="2024-01-20",
                 closure_reason="transferred"),  # neither group
    ]
    rows = [
        # c1: GP 4 before, 2 in the first six months, 1 in the next: change 2 then 3
        health("c1", "pre_6m", 4), health("c1", "post_6m", 2), health("c1", "post_12m", 1),
        # d1: GP 5 before, 4 after six months (no twelve-month row)
        health("d1", "pre_6m", 5), health("d1", "post_6m", 4),
        health("t1", "pre_6m", 9), health("t1", "post_6m", 1),
    ]
    con = warehouse_from_rows({"victims": [victim(f"v{i}") for i in range(1, 4)],
                               "referrals": referrals, "health_use": rows}, AS_OF)
    gp = con.execute("select central from ref.parameters "
                     "where name = 'unit_cost_gp_appointments'").fetchone()[0]
    found = {(r[0], r[1]): r[2:] for r in con.execute(
        "select estimate, referral_group, referrals, sum_x, sum_y, window_passed "
        "from marts.hub_evidence").fetchall()}
    assert found[("nhs_change", "completed")] == (1, 4.0, 2.0, True)
    assert found[("nhs_change", "comparison")] == (1, 5.0, 1.0, True)
    # projected from six months 2 x 2 = 4 contacts; the twelve-month records show 2 + 3
    n, projected, observed, passed = found[("nhs_first_year", "completed")]
    assert (n, passed) == (1, True)
    assert (projected, observed) == pytest.approx((4 * gp, 5 * gp))
    assert set(found) == {("nhs_change", "completed"), ("nhs_change", "comparison"),
                          ("nhs_first_year", "completed")}


def test_hub_evidence_mart_prevention_rows_set_repeats_against_the_repeat_rate():
    referrals = [
        # b1 repeated within 12 months; b2 did not; s1 (stalking) has no cost in the total
        referral("b1", "v1", "2024-01-05", crime_type="burglary_residential"),
        referral("b2", "v2", "2024-01-08", crime_type="burglary_residential"),
        referral("s1", "v3", "2024-01-08", crime_type="stalking_harassment"),
    ]
    services = [{"service_id": f"s{r}", "referral_id": r, "agency": "victim_support",
                 "service_type": "target_hardening", "start_date": "2024-02-10"}
                for r in ("b1", "b2", "s1")]
    crimes = [{"crime_ref": "x1", "victim_id": "v1", "crime_date": "2024-06-01",
               "crime_type": "burglary_residential"}]
    con = warehouse_from_rows({"victims": [victim(f"v{i}") for i in range(1, 4)],
                               "referrals": referrals, "services": services,
                               "repeat_crimes": crimes}, AS_OF)
    cost = con.execute("select central from ref.parameters "
                       "where name = 'crime_cost_response_burglary_residential'").fetchone()[0]
    row = con.execute(
        "select month, referrals, sum_x, sum_y, window_passed from marts.hub_evidence "
        "where estimate = 'prevention'").fetchall()
    assert len(row) == 1
    month, n, projected, observed, passed = row[0]
    assert (str(month), n, passed) == ("2024-02-01", 2, True)
    # projected: 2 x 0.17 x 0.20 = 0.068 spared; observed: (0.17 - 1) + (0.17 - 0) = -0.66
    # (the central cost in the total is the response cost: anticipation is high only)
    assert (projected, observed) == pytest.approx((0.068 * cost, -0.66 * cost))
    check = he.prevention_calibration(con.execute(
        "select * from marts.hub_evidence").df())
    assert check.n == 2 and check.projected == pytest.approx(0.068 * cost)


def test_nhs_calibration_uses_the_share_kept():
    frame = mart_rows(
        ("nhs_first_year", "completed", "2024-01-01", 3, 300, 150, 30_000, 7_700, 15_000,
         True),
    )
    # kept share 0.25: projected 300 x 0.25 = 75, observed 150 x 0.25 = 37.5; follow-ups
    # sum of squares 7,700, variance (7,700 - 7,500) / 2 = 100, half-width 1.96 x sqrt(300)
    check = he.nhs_calibration(frame, kept_share=0.25)
    assert (check.projected, check.observed) == pytest.approx((75, 37.5))
    assert check.observed_high == pytest.approx((150 + 1.959964 * 300 ** 0.5) * 0.25)
    assert check.verdict.startswith("projections ran high")
    assert v.nhs_kept_share(v.settings(PARAMS, "central")) == pytest.approx(0.25)


# --- a hub's own register: refused or applied ----------------------------------------

HEADER = "name,low,central,high,unit,price_year,status,source,note"


@pytest.mark.parametrize(
    ("row", "rule"),
    [
        ("no_such_parameter,1,2,3,share,,verified,x,",
         "row 2: name is not a parameter of the shipped register"),
        ("deadweight_wellbeing,0.6,0.4,0.2,per cent,,verified,x,",
         "row 2: unit of 'deadweight_wellbeing' differs from the shipped register's"),
        ("deadweight_wellbeing,0.1,0.3,0.5,share,,verified,x,",
         "row 2: settings of 'deadweight_wellbeing' are out of order "
         "(need low >= central >= high)"),
        ("deadweight_wellbeing,0.6,lots,0.2,share,,verified,x,",
         "row 2: central of 'deadweight_wellbeing' is not a number"),
    ],
)
def test_build_refuses_a_bad_override_file_and_leaves_the_warehouse(tmp_path, capsys, row,
                                                                      rule):
    from metrics.cli import main

    extract = tmp_path / "extract"
    main(["generate", "--out", str(extract), "--referrals", "20", "--seed", "1",
          "--months", "6", "--end", "2026-10", "--quiet"])
    db = tmp_path / "warehouse.duckdb"
    db.write_bytes(b"the previous warehouse")
    overrides = tmp_path / "hub.csv"
    overrides.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    capsys.readouterr()
    code = main(["build", "--input", str(extract), "--db", str(db),
                 "--assumptions", str(overrides)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == [f"hubvalue build: error: --assumptions hub.csv, {rule}; nothing was changed"]
    assert db.read_bytes() == b"the previous warehouse"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize(
    ("row", "rule"),
    [
        ("benefit_years_wellbeing,1,1.5,2,years,,local_assumption,,",
         "row 2: settings of 'benefit_years_wellbeing' must be whole numbers of years"),
        ("wellby_value_gbp,10000,13000,16000,GBP per WELLBY,last year,verified,x,",
         "row 2: price_year of 'wellby_value_gbp' is not a year like 2015/16"),
        ("wellby_value_gbp,10000,13000,16000,GBP per WELLBY,1990/91,verified,x,",
         "row 2: price_year of 'wellby_value_gbp' has no GDP deflator"),
    ],
)
def test_an_override_the_build_could_not_use_is_refused_up_front(tmp_path, row, rule):
    from metrics.hub_register import read_hub_register
    from metrics.register import RegisterError

    path = tmp_path / "hub.csv"
    path.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    with pytest.raises(RegisterError) as refused:
        read_hub_register(path)
    assert str(refused.value) == f"hub.csv, {rule}"


def test_a_build_with_an_override_file_uses_it_and_lists_it_everywhere(tmp_path, capsys):
    import duckdb

    from metrics.cli import main
    from metrics.hub_register import write_example

    extract = tmp_path / "extract"
    main(["generate", "--out", str(extract), "--referrals", "60", "--seed", "2",
          "--months", "12", "--end", "2026-10", "--quiet"])
    overrides = write_example(tmp_path / "hub.csv")
    db = tmp_path / "warehouse.duckdb"
    assert main(["build", "--input", str(extract), "--db", str(db), "--threads", "1",
                 "--assumptions", str(overrides), "--quiet"]) == 0
    con = duckdb.connect(str(db), read_only=True)
    file_name, digest = con.execute(
        "select assumptions_file, assumptions_sha256 from meta.build").fetchone()
    assert (file_name, digest) == ("hub.csv", hashlib.sha256(overrides.read_bytes()).hexdigest())
    central = dict(con.execute("select name, central from ref.parameters").fetchall())
    assert central["deadweight_wellbeing"] == 0.4  # the hub's, not the shipped 0.3
    listed = con.execute("select name, shipped_central, central, status from ref.overrides "
                         "order by name").fetchall()
    assert listed == [("crime_cost_response_burglary_residential", 1180.0, 1500.0,
                       "unverified"),
                      ("deadweight_wellbeing", 0.3, 0.4, "local_assumption")]
    # the wellbeing value of the warehouse uses the hub's deadweight: per point of life
    # satisfaction x (1 - 0.4) x attribution 0.5 x A(1) = WELLBY x 0.3
    per_point = con.execute(
        "select sum(wellbeing_social_value_gbp_central) / sum(life_satisfaction_change) "
        "from intermediate.int_outcome_wellbeing_value").fetchone()[0]
    con.close()
    assert per_point == pytest.approx(central["wellby_value_gbp"] * 0.3)
    out = tmp_path / "pcc.html"
    assert main(["report", "--db", str(db), "--audience", "pcc", "--period", "2026-09",
                 "--format", "html", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert digest in page
    assert "The hub&#39;s own register beside the shipped one" in page or \
        "The hub's own register beside the shipped one" in page


def test_estimates_in_words_and_no_scenario_without_the_register_threshold():
    e = he.nhs_deadweight(sums([10] * 3, [5, 4, 6]), sums([10] * 3, [1, 2, 3]), min_n=3)
    assert he.describe(e, 0.5) == (
        "Deadweight (NHS): 0.40 (95% interval 0.16 to 0.64; n = 3 completed and 3 declined "
        f"or not contactable; register central 0.50). Caveat: {he.COMPARISON_CAVEAT}.")
    short = he.wellbeing_dropoff(sums([2, 4], [1, 2]), min_n=3)
    assert he.describe(short, 0.5).endswith("(at least 3 needed)).")
    frame = mart_rows(
        ("wellbeing_persistence", "completed", "2024-01-01", 3, 9, 6, 29, 14, 19, True))
    central = v.settings(PARAMS, "central")  # this register has no min_paired_n row
    assert he.evidence_scenario(central, frame) == ({}, None)
    estimates, settings = he.evidence_scenario({**central, "min_paired_n": 3}, frame)
    assert settings["dropoff_wellbeing"] == pytest.approx(1 / 3)
    assert settings["deadweight_nhs"] == central["deadweight_nhs"]  # no comparison rows
    assert estimates["deadweight_nhs"].value is None
