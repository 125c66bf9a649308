"""The before/after NHS indicators (intermediate.int_family_nhs), on hand-written rows.

Register values used (data/assumptions.csv, low / central / high): unit_cost_gp_appointments
42 / 49 / 49 (2022/23); unit_cost_ae_attendances 148 (2016/17);
unit_cost_mental_health_crisis_contacts 137 (2020/21); unit_cost_ambulance_callouts 231
(2014/15); unit_cost_nonelective_admissions 1590 (2016/17); deadweight_nhs 0.7 / 0.5 / 0.3;
attribution_nhs 0.3 / 0.5 / 0.7; dropoff_nhs 1.0 / 0.5 / 0.25; benefit_years_nhs 1 / 2 / 3;
discount_rate 0.035. GDP deflators (data/deflators.csv): 2016/17 76.0754, 2020/21 85.1002,
2022/23 91.2996, 2026/27 105.3095 (the price base year of an as-of date in October 2026).
"""

from __future__ import annotations

import pytest

from tests.outcome_support import extract, family_rows, outcome_warehouse, referral

AS_OF = "2026-10-31"
UPRATE_GP = 105.3095 / 91.2996
UPRATE_AE = 105.3095 / 76.0754
UPRATE_CRISIS = 105.3095 / 85.1002
UPRATE_ADMISSIONS = 105.3095 / 76.0754
# A(T, d, r) = sum over t < T of ((1 - d) / (1 + r))^t
ANNUITY_LOW = 1.0  # A(1, 1.0, 0.035)
ANNUITY_CENTRAL = 1 + 0.5 / 1.035  # A(2, 0.5, 0.035)
ANNUITY_HIGH = 1 + 0.75 / 1.035 + 0.75**2 / 1.035**2  # A(3, 0.25, 0.035)
CONTACTS = (
    "gp_appointments",
    "ae_attendances",
    "mental_health_crisis_contacts",
    "ambulance_callouts",
    "nonelective_admissions",
)


def nhs_rows(con, indicator_id: str) -> dict[tuple[str, str], dict]:
    return family_rows(con, indicator_id, family="nhs")


def health(referral_id: str, window: str, source: str, *counts: int | None) -> dict:
    """counts in the order gp, A&E, crisis, ambulance, non-elective (None = no value)."""
    row = {"referral_id": referral_id, "window": window, "source": source}
    row.update({c: n for c, n in zip(CONTACTS, counts, strict=False) if n is not None})
    return row


def nhs_extract() -> dict[str, list[dict]]:
    june = {"referral_date": "2025-03-03", "closed_date": "2025-06-10"}
    referrals = [referral(f"n{i}", **june) for i in range(1, 6)]
    referrals.append(referral("n6", referral_date="2026-03-02", closed_date="2026-06-10"))
    referrals.append(referral("n7", referral_date="2025-09-01", closed_date="2025-12-15"))
    self_report, linked = "self_report", "linked_record"
    rows = [
        # n1: all windows self-reported and complete (closed 2025-06-10: post_6m complete
        # 2025-12-10, post_12m complete 2026-06-10, both before the as-of date)
        health("n1", "pre_6m", self_report, 4, 2, 1, 0, 1),
        health("n1", "post_6m", self_report, 2, 0, 0, 0, 0),
        health("n1", "post_12m", self_report, 3, 1, 0, 0, 0),
        # n2: linked records; ambulance has no pre value, non-elective none at all
        health("n2", "pre_6m", linked, 1, 1, 0, None, None),
        health("n2", "post_6m", linked, 3, 1, 0, 1, None),
        # n3: pre self-reported, post linked: not comparable, in no base
        health("n3", "pre_6m", self_report, 5, 0, 0, 0, 0),
        health("n3", "post_6m", linked, 0, 0, 0, 0, 0),
        # n4: post_12m from another source: not comparable, so months 7-12 extrapolated
        health("n4", "pre_6m", self_report, 5, 0, 0),
        health("n4", "post_6m", self_report, 1, 2, 0),
        health("n4", "post_12m", linked, 0, 0, 0),
        # n5: A&E only before, crisis only after: neither pairs; only gp does (2 -> 2)
        health("n5", "pre_6m", self_report, 2, None, 3),
        health("n5", "post_6m", self_report, 2, 5, None),
        # n6: closed 2026-06-10, post_6m complete only on 2026-12-10: out
        health("n6", "pre_6m", self_report, 9, 9, 9),
        health("n6", "post_6m", self_report, 0, 0, 0),
        # n7: closed 2025-12-15; post_12m complete only on 2026-12-15: not used yet
        health("n7", "pre_6m", self_report, 2),
        health("n7", "post_6m", self_report, 1),
        health("n7", "post_12m", self_report, 0),
    ]
    return extract(referrals, health_use=rows)


def test_fewer_crisis_contacts(tmp_path):
    con = outcome_warehouse(tmp_path, nhs_extract(), AS_OF)
    rows = nhs_rows(con, "fewer_crisis_contacts")
    # crisis = A&E + mental health crisis, over types valued in both windows:
    # n1 pre 2 + 1 = 3, post 0: fewer; n2 pre 1 + 0 = 1, post 1 + 0 = 1: not fewer;
    # n4 pre 0: out; n5 no crisis type pairs, pre 0: out; n3 not comparable: out -> 1 / 2
    june = rows[("2025-06", "all")]
    assert (june["numerator"], june["denominator"], june["persons"]) == (1, 2, 2)
    assert rows[("2025-06", "victim_support")]["denominator"] == 2
    # n7 (December) pre 0: no base; n6 (June 2026) incomplete: no base
    assert set(rows) == {("2025-06", "all"), ("2025-06", "victim_support")}


def test_nhs_contacts_change_counts_only_types_valued_in_both_windows(tmp_path):
    con = outcome_warehouse(tmp_path, nhs_extract(), AS_OF)
    rows = nhs_rows(con, "nhs_contacts_change")
    # pre - post_6m per type: n1 2 + 2 + 1 + 0 + 1 = 6; n2 gp 1 - 3 = -2, A&E 0, crisis 0
    # (ambulance and non-elective do not pair) = -2; n4 4 - 2 + 0 = 2; n5 gp 0 = 0.
    # sum 6 - 2 + 2 + 0 = 6 over 4 paired referrals
    june = rows[("2025-06", "all")]
    assert (june["numerator"], june["value"], june["denominator"]) == (6, 6, 4)
    # n7: gp 2 - 1 = 1 over 1 referral
    december = rows[("2025-12", "all")]
    assert (december["numerator"], december["denominator"]) == (1, 1)
    assert ("2026-06", "all") not in rows


def test_nhs_cost_avoided(tmp_path):
    con = outcome_warehouse(tmp_path, nhs_extract(), AS_OF)
    rows = nhs_rows(con, "nhs_cost_avoided_gbp")
    assert set(rows) == {("2025-06", "all"), ("2025-12", "all")}
    june = rows[("2025-06", "all")]
    # first-year change per type = (pre - post_6m) + (pre - post_12m), else 2 x (pre - post_6m):
    # n1 (post_12m used): gp 2 + 1 = 3, A&E 2 + 1 = 3, crisis 1 + 1 = 2, ambulance 0,
    #    non-elective 1 + 1 = 2
    # n2 (extrapolated): gp 2 x -2 = -4, A&E 0, crisis 0
    # n4 (extrapolated): gp 2 x 4 = 8, A&E 2 x -2 = -4, crisis 0
    # n5 (extrapolated): gp 0
    # totals: gp 3 - 4 + 8 = 7, A&E 3 - 4 = -1, crisis 2, ambulance 0, non-elective 2
    central = (
        (
            (7 * 49 * UPRATE_GP - 1 * 148 * UPRATE_AE + 2 * 137 * UPRATE_CRISIS)
            + 2 * 1590 * UPRATE_ADMISSIONS
        )
        * (1 - 0.5)
        * 0.5
        * ANNUITY_CENTRAL
    )
    low = (
        (
            (7 * 42 * UPRATE_GP - 1 * 148 * UPRATE_AE + 2 * 137 * UPRATE_CRISIS)
            + 2 * 1590 * UPRATE_ADMISSIONS
        )
        * (1 - 0.7)
        * 0.3
        * ANNUITY_LOW
    )
    high = (
        (
            (7 * 49 * UPRATE_GP - 1 * 148 * UPRATE_AE + 2 * 137 * UPRATE_CRISIS)
            + 2 * 1590 * UPRATE_ADMISSIONS
        )
        * (1 - 0.3)
        * 0.7
        * ANNUITY_HIGH
    )
    assert june["numerator"] == pytest.approx(central)
    assert june["value"] == pytest.approx(central)
    assert june["value_low"] == pytest.approx(low)
    assert june["value_high"] == pytest.approx(high)
    assert june["denominator"] is None
    # n7: its post_12m row is not complete (2026-12-15 > as-of): 2 x (2 - 1) = 2 gp
    december = rows[("2025-12", "all")]
    assert december["numerator"] == pytest.approx(2 * 49 * UPRATE_GP * 0.5 * 0.5 * ANNUITY_CENTRAL)


def extrapolated_flags(con) -> dict[str, bool | None]:
    rows = con.execute(
        "select referral_id, nhs_extrapolated from intermediate.int_outcome_referrals"
    ).fetchall()
    return dict(rows)


def test_extrapolated_flag_per_referral(tmp_path):
    con = outcome_warehouse(tmp_path, nhs_extract(), AS_OF)
    # n1 used post_12m for every type; n2, n4, n5 had no usable post_12m; n7's is not
    # complete yet. n3 and n6 are not paired: no flag.
    assert extrapolated_flags(con) == {
        "n1": False,
        "n2": True,
        "n3": None,
        "n4": True,
        "n5": True,
        "n6": None,
        "n7": True,
    }


def test_health_use_coverage_limits_complete_windows(tmp_path):
    # coverage 2026-05-31: n1's post_6m (complete 2025-12-10) is still usable but its
    # post_12m (2026-06-10) is not, so n1 is extrapolated; n7's post_6m (2026-06-15) is not
    # complete, so December has no base.
    con = outcome_warehouse(tmp_path, nhs_extract(), AS_OF, coverage={"health_use": "2026-05-31"})
    assert extrapolated_flags(con)["n1"] is True
    assert extrapolated_flags(con)["n7"] is None
    rows = nhs_rows(con, "nhs_cost_avoided_gbp")
    assert set(rows) == {("2025-06", "all")}
    # n1 now 2 x (pre - post_6m): gp 4, A&E 4, crisis 2, non-elective 2; with n2, n4, n5:
    # gp 4 - 4 + 8 = 8, A&E 4 - 4 = 0, crisis 2, non-elective 2
    central = (
        (8 * 49 * UPRATE_GP + 2 * 137 * UPRATE_CRISIS + 2 * 1590 * UPRATE_ADMISSIONS)
        * 0.5
        * 0.5
        * ANNUITY_CENTRAL
    )
    assert rows[("2025-06", "all")]["numerator"] == pytest.approx(central)


def test_any_closed_referral_can_be_paired(tmp_path):
    # the NHS bases do not ask for completed support: n2 closed as transferred still counts
    tables = nhs_extract()
    for row in tables["referrals"]:
        if row["referral_id"] == "n2":
            row["closure_reason"] = "transferred"
    con = outcome_warehouse(tmp_path, tables, AS_OF)
    # as in test_fewer_crisis_contacts: n1 and n2 in the base, n1 fewer: 1 / 2
    june = nhs_rows(con, "fewer_crisis_contacts")[("2025-06", "all")]
    assert (june["numerator"], june["denominator"]) == (1, 2)
