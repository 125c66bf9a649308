"""Issue 12 case 5, the PCC's side: the comparison population's counts of people by
sensitive group go through the same rules as the victims' (primary suppression and
rounding, `metrics.queries._control_reach`), and reach uses the rounded shares."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from metrics import queries as q


def test_the_pcc_sees_the_comparison_population_protected():
    # Disability (a sensitive cut: 1..9 hidden). Victims referred: yes 40, no 60 (100
    # recorded). Comparison population: yes 6, no 94 (100). Yes: comparison 6 is hidden,
    # so its reach (which would give it away) is hidden too. No: comparison 94 -> 95 of
    # 100 -> 100, share 0.95; victims 60 -> 60 of 100; reach 0.60 / 0.95 = 0.6316.
    frame = pd.DataFrame({
        "month": [dt.date(2026, 11, 1)] * 2, "basis": ["recorded_victims"] * 2,
        "characteristic": ["disability"] * 2, "category": ["yes", "no"],
        "victims_referred": [40, 60], "comparison_people": [6.0, 94.0],
        "reach_ratio": [2.667, 0.638], "ci_low": [0.0, 0.0], "ci_high": [9.0, 9.0],
        "basis_label": ["police-recorded victims"] * 2, "status": ["ok"] * 2,
        "suppressed": [""] * 2,
    })
    out = q._control_reach(frame).set_index("category")
    assert pd.isna(out.loc["yes", "comparison_people"])
    assert pd.isna(out.loc["yes", "reach_ratio"]) and out.loc["yes", "status"] == "suppressed"
    assert out.loc["yes", "victims_referred"] == 40
    assert out.loc["no", "comparison_people"] == 95
    assert out.loc["no", "reach_ratio"] == pytest.approx(0.60 / 0.95)
