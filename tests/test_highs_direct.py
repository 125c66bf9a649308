"""The audit's direct HiGHS calls (metrics/disclosure/highs.py) give what
scipy.optimize.linprog(method="highs") gives: status, optimum and which rows bind."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import linprog

from metrics.disclosure import highs

INF = np.inf


def test_a_hand_solved_programme():
    # two cells a, b >= 0; a + b between 3 and 10; a <= 4
    matrix = np.array([[1.0, 1.0], [1.0, 0.0]])
    lhs, rhs = np.array([3.0, -INF]), np.array([10.0, 4.0])
    least = highs.solve(np.array([1.0, 1.0]), matrix, lhs, rhs)
    assert least.status == 0 and least.fun == 3.0
    assert abs(least.row_duals[0]) > 0 and least.row_duals[1] == 0  # a + b >= 3 binds
    most_a = highs.solve(np.array([-1.0, 0.0]), matrix, lhs, rhs)
    assert most_a.status == 0 and most_a.fun == -4.0
    assert abs(most_a.row_duals[1]) > 0  # a <= 4 binds


def test_unbounded_and_infeasible_use_linprogs_codes():
    matrix = np.array([[1.0, 0.0]])
    assert highs.solve(np.array([0.0, -1.0]), matrix, np.array([-INF]), np.array([5.0])).status == 3
    infeasible = highs.solve(np.array([1.0, 0.0]), matrix, np.array([6.0]), np.array([5.0]))
    assert infeasible.status == 2 and infeasible.fun is None


@st.composite
def programmes(draw):
    n_rows = draw(st.integers(1, 6))
    n_cols = draw(st.integers(1, 6))
    matrix = np.array(draw(st.lists(st.lists(st.sampled_from([0.0, 0.0, 1.0, -1.0]),
                                             min_size=n_cols, max_size=n_cols),
                                    min_size=n_rows, max_size=n_rows)))
    lows, highs_ = [], []
    for _ in range(n_rows):
        kind = draw(st.sampled_from(["upper", "equal", "range", "lower"]))
        a = float(draw(st.integers(0, 12)))
        b = a + float(draw(st.integers(0, 12)))
        lows.append({"upper": -INF, "equal": a, "range": a, "lower": a}[kind])
        highs_.append({"upper": b, "equal": a, "range": b, "lower": INF}[kind])
    cost = np.array(draw(st.lists(st.sampled_from([0.0, 1.0, -1.0]), min_size=n_cols,
                                  max_size=n_cols)))
    return cost, matrix, np.array(lows), np.array(highs_)


@given(programmes())
def test_drawn_programmes_match_linprog(programme):
    cost, matrix, lows, highs_ = programme
    # linprog's form: "<=" rows (a row's upper bound, and minus its lower bound), then "="
    equal = lows == highs_
    upper = ~equal & np.isfinite(highs_)
    lower = ~equal & np.isfinite(lows)
    a_ub = np.vstack([matrix[upper], -matrix[lower]])
    b_ub = np.concatenate([highs_[upper], -lows[lower]])
    reference = linprog(cost, A_ub=a_ub if len(a_ub) else None, b_ub=b_ub if len(a_ub) else None,
                        A_eq=matrix[equal] if equal.any() else None,
                        b_eq=highs_[equal] if equal.any() else None,
                        bounds=(0, None), method="highs")
    direct = highs.solve(cost, np.vstack([a_ub, matrix[equal]]),
                         np.concatenate([np.full(len(a_ub), -INF), highs_[equal]]),
                         np.concatenate([b_ub, highs_[equal]]))
    assert direct.status == reference.status
    if reference.status == 0:
        assert math.isclose(direct.fun, reference.fun, abs_tol=1e-9)
        duals = np.concatenate([reference.ineqlin.marginals, reference.eqlin.marginals])
        assert np.array_equal(np.abs(direct.row_duals) > 1e-9, np.abs(duals) > 1e-9)
