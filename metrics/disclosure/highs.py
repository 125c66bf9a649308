"""One linear programme solved by HiGHS, the solver behind scipy.optimize.linprog.

    minimise c·x  subject to  lhs <= A x <= rhs,  x >= 0

The audit solves thousands of small programmes per release (two per hidden figure), and
`linprog(method="highs")` spends about three quarters of each call in Python: checking
its inputs and, for every option, asking HiGHS whether the option exists. This module
hands HiGHS the same model with the same options as `linprog(method="highs")` does (the
copy of HiGHS scipy ships, presolve on, the dual simplex, no output) and reads back what
the audit needs: the status in linprog's codes, the optimum and the row duals.
`tests/test_highs_direct.py` checks it against `linprog` on drawn programmes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize._highspy import _core as highs_core  # scipy's own HiGHS
from scipy.sparse import csc_array

# linprog's status codes: 0 optimal, 2 infeasible, 3 unbounded, 4 anything else
_STATUS = {
    highs_core.HighsModelStatus.kOptimal: 0,
    highs_core.HighsModelStatus.kModelError: 2,
    highs_core.HighsModelStatus.kInfeasible: 2,
    highs_core.HighsModelStatus.kUnbounded: 3,
    highs_core.HighsModelStatus.kTimeLimit: 1,
    highs_core.HighsModelStatus.kIterationLimit: 1,
}
OTHER = 4


def _options():
    """The options linprog(method="highs") gives HiGHS (its defaults: presolve on, the
    dual simplex strategy, no log)."""
    options = highs_core.HighsOptions()
    options.presolve = "on"
    options.output_flag = False
    options.log_to_console = False
    options.highs_debug_level = int(highs_core.kHighsDebugLevelNone)
    return options


_OPTIONS = _options()


@dataclass(frozen=True)
class Solution:
    status: int  # as linprog: 0 optimal, 2 infeasible, 3 unbounded, else not solved
    fun: float | None  # the optimum, when optimal
    row_duals: np.ndarray | None  # one per row of A, when optimal


def solve(cost: np.ndarray, matrix, lhs: np.ndarray, rhs: np.ndarray) -> Solution:
    """min cost·x with lhs <= matrix·x <= rhs (±inf for no bound) and x >= 0."""
    n_rows, n_cols = matrix.shape
    columns = csc_array(matrix)
    model = highs_core.HighsLp()
    model.num_col_ = n_cols
    model.num_row_ = n_rows
    model.a_matrix_.num_col_ = n_cols
    model.a_matrix_.num_row_ = n_rows
    model.a_matrix_.format_ = highs_core.MatrixFormat.kColwise
    model.a_matrix_.start_ = columns.indptr
    model.a_matrix_.index_ = columns.indices
    model.a_matrix_.value_ = columns.data
    model.col_cost_ = np.asarray(cost, dtype=float)
    model.col_lower_ = np.zeros(n_cols)
    model.col_upper_ = np.full(n_cols, highs_core.kHighsInf)
    model.row_lower_ = _finite_or_highs_inf(lhs)
    model.row_upper_ = _finite_or_highs_inf(rhs)
    solver = highs_core._Highs()
    if solver.passOptions(_OPTIONS) == highs_core.HighsStatus.kError:
        return Solution(OTHER, None, None)
    if solver.passModel(model) == highs_core.HighsStatus.kError:
        return Solution(2, None, None)  # as linprog: a model HiGHS refuses
    if solver.run() == highs_core.HighsStatus.kError:
        return Solution(_STATUS.get(solver.getModelStatus(), OTHER), None, None)
    status = _STATUS.get(solver.getModelStatus(), OTHER)
    if status != 0:
        return Solution(status, None, None)
    return Solution(0, float(solver.getInfo().objective_function_value),
                    np.array(solver.getSolution().row_dual))


def _finite_or_highs_inf(bounds: np.ndarray) -> np.ndarray:
    out = np.array(bounds, dtype=float)
    infinite = np.isinf(out)
    out[infinite] = np.sign(out[infinite]) * highs_core.kHighsInf
    return out
