"""Linear constraints over atomic cells, and the intervals they allow.

Each row is a published or hidden figure: the sum of its atomic cells lies in
[lower, upper] (upper may be infinite). After the figures come the *links*: a link row is
the sum of one set of atomic cells minus the sum of another, and must be 0 (two groups of
atoms that split the same people). Every atomic cell is >= 0. `interval` finds the least
and greatest value a row can take with two linear programmes (HiGHS, as
scipy.optimize.linprog runs it: `metrics/disclosure/highs.py`) and reports which rows bind each bound (non-zero duals).

Atomic cells that belong to exactly the same rows (with the same signs) are merged into
one variable (their sum), which changes no interval, and a row's programmes only use the
rows connected to it. Two exact shortcuts skip a programme in a part without links,
assuming the bounds are feasible (check with `feasible` first): a row with an atomic cell
that no finite upper bound touches is unbounded above, and a row none of whose atomic
cells is touched by a positive lower bound can be 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix, vstack
from scipy.sparse.csgraph import connected_components

from metrics.disclosure import highs

DUAL_TOLERANCE = 1e-9
DENSE_LIMIT = 1_000_000  # components with fewer matrix entries than this are kept dense
OPTIMAL, INFEASIBLE, UNBOUNDED = 0, 2, 3


@dataclass(frozen=True)
class Interval:
    """The feasible range of one row. feasible=False: the constraints contradict."""

    low: float
    high: float
    feasible: bool = True
    binding_low: tuple[int, ...] = ()
    binding_high: tuple[int, ...] = ()


@dataclass(frozen=True)
class _Component:
    rows: np.ndarray  # global row numbers
    vars: np.ndarray  # global variable numbers
    signed: np.ndarray | csr_matrix  # [A; -A] over rows x vars of the component


class ConstraintSystem:
    """The rows (figures, then links) of a release as sums over shared atomic cells.

    links: pairs (plus, minus) of atom sets; row n_figures + k says sum(plus) = sum(minus).
    Give every link row the bounds 0..0 (`with_links` appends them).
    """

    def __init__(
        self,
        row_atoms: Sequence[Sequence[str]],
        links: Sequence[tuple[Sequence[str], Sequence[str]]] = (),
    ) -> None:
        self.n_figures = len(row_atoms)
        self.n_rows = self.n_figures + len(links)
        membership: dict[str, list[tuple[int, float]]] = {}
        for row, atoms in enumerate(row_atoms):
            for atom in set(atoms):
                membership.setdefault(atom, []).append((row, 1.0))
        for k, (plus, minus) in enumerate(links):
            for atom in set(plus):
                membership.setdefault(atom, []).append((self.n_figures + k, 1.0))
            for atom in set(minus):
                membership.setdefault(atom, []).append((self.n_figures + k, -1.0))
        signatures: dict[tuple[tuple[int, float], ...], int] = {}
        for atom in sorted(membership):  # a fixed variable order, whatever the row order
            signatures.setdefault(tuple(sorted(membership[atom])), len(signatures))
        self.n_vars = len(signatures)
        r_idx = np.array([r for entries in signatures for r, _ in entries], dtype=np.int64)
        data = np.array([c for entries in signatures for _, c in entries], dtype=float)
        v_idx = np.array(
            [v for entries, v in signatures.items() for _ in entries], dtype=np.int64
        )
        self.matrix = csr_matrix(coo_matrix((data, (r_idx, v_idx)), (self.n_rows, self.n_vars)))
        self.transposed = abs(self.matrix).T.tocsr()
        self.empty_rows = np.asarray(self.matrix.getnnz(axis=1) == 0)
        size = self.n_rows + self.n_vars
        ones = np.ones(len(r_idx))
        graph = coo_matrix((ones, (r_idx, self.n_rows + v_idx)), (size, size))
        _, labels = connected_components(graph, directed=False)
        self.row_component = labels[: self.n_rows]
        self.var_component = labels[self.n_rows :]
        self.linked = frozenset(int(c) for c in self.row_component[self.n_figures :])
        self._components: dict[int, _Component] = {}
        self._all: _Component | None = None
        self._solved: dict[tuple, tuple] = {}

    def with_links(self, values: np.ndarray) -> np.ndarray:
        """Bounds for the figures, with 0 appended for every link row."""
        return np.concatenate([values, np.zeros(self.n_rows - self.n_figures)])

    def row_vars(self, row: int) -> np.ndarray:
        return self.matrix.indices[self.matrix.indptr[row] : self.matrix.indptr[row + 1]]

    def component_rows(self, row: int) -> np.ndarray:
        return np.flatnonzero(self.row_component == self.row_component[row])

    def _component(self, row: int) -> _Component:
        label = int(self.row_component[row])
        if label not in self._components:
            rows = np.flatnonzero((self.row_component == label) & ~self.empty_rows)
            vars_ = np.flatnonzero(self.var_component == label)
            self._components[label] = _Component(rows, vars_, self._signed(rows, vars_))
        return self._components[label]

    def _signed(self, rows: np.ndarray, vars_: np.ndarray | None):
        """[A; -A] over the given rows and variables (None: all), dense when small."""
        sub = self.matrix[rows] if vars_ is None else self.matrix[rows][:, vars_]
        signed = vstack([sub, -sub]).tocsr()
        if signed.shape[0] * signed.shape[1] <= DENSE_LIMIT:
            signed = signed.toarray()
        return signed

    def _solve(self, objective: np.ndarray, part: _Component, lower, upper):
        """Solve one programme over a part; the same programme (objective and bounds) is
        solved once per system (the audit asks some twice)."""
        lo, hi = lower[part.rows], upper[part.rows]
        key = (id(part), objective.tobytes(), lo.tobytes(), hi.tobytes())
        if key not in self._solved:
            self._solved[key] = self._solve_now(objective, part, lo, hi)
        return self._solved[key]

    def _solve_now(self, objective: np.ndarray, part: _Component, lo, hi):
        n = len(part.rows)
        equal = np.isfinite(hi) & (lo == hi)
        ub_local = np.flatnonzero(np.isfinite(hi) & ~equal)
        lb_local = np.flatnonzero((lo > 0) & ~equal)
        eq_local = np.flatnonzero(equal)
        picks = np.concatenate([ub_local, n + lb_local])
        # As linprog(A_ub, b_ub, A_eq, b_eq): the "<=" rows ([A; -A] picked), then the "="
        stack = np.vstack if isinstance(part.signed, np.ndarray) else vstack
        matrix = stack([part.signed[picks], part.signed[eq_local]])
        b_ub = np.concatenate([hi[ub_local], -lo[lb_local]])
        b_eq = hi[eq_local]
        result = highs.solve(objective, matrix,
                             np.concatenate([np.full(len(picks), -np.inf), b_eq]),
                             np.concatenate([b_ub, b_eq]))
        binding: set[int] = set()
        if result.status == OPTIMAL:
            owners = part.rows[np.concatenate([ub_local, lb_local, eq_local])]
            binding.update(owners[np.abs(result.row_duals) > DUAL_TOLERANCE].tolist())
        return result, tuple(sorted(binding))

    def _touched(self, mask: np.ndarray) -> np.ndarray:
        """Variables that appear in at least one row of the mask."""
        return (self.transposed @ mask.astype(float)) > 0

    def _shortcut(self, row: int) -> bool:
        """Whether the shortcuts are exact for this row: its part has no link rows."""
        return int(self.row_component[row]) not in self.linked

    def _objective(self, row: int) -> tuple[_Component, np.ndarray]:
        part = self._component(row)
        objective = np.zeros(len(part.vars))
        objective[np.searchsorted(part.vars, self.row_vars(row))] = 1.0
        return part, objective

    def lowest(self, row: int, lower: np.ndarray, upper: np.ndarray) -> Interval:
        """The least value of `row` (as Interval.low; high is left infinite)."""
        if self.empty_rows[row]:
            return Interval(0.0, 0.0, bool(lower[row] <= 0 <= upper[row]))
        if self._shortcut(row) and not self._touched(lower > 0)[self.row_vars(row)].any():
            return Interval(0.0, np.inf)
        part, objective = self._objective(row)
        result, binding = self._solve(objective, part, lower, upper)
        if result.status == INFEASIBLE:
            return Interval(np.nan, np.nan, False)
        if result.status != OPTIMAL:
            raise RuntimeError("the linear programme solver failed")
        return Interval(float(result.fun), np.inf, True, binding_low=binding)

    def highest(self, row: int, lower: np.ndarray, upper: np.ndarray) -> Interval:
        """The greatest value of `row` (as Interval.high; low is left at 0)."""
        if self.empty_rows[row]:
            return Interval(0.0, 0.0, bool(lower[row] <= 0 <= upper[row]))
        if self._shortcut(row) and not self._touched(np.isfinite(upper))[self.row_vars(row)].all():
            return Interval(0.0, np.inf)
        part, objective = self._objective(row)
        result, binding = self._solve(-objective, part, lower, upper)
        if result.status == INFEASIBLE:
            return Interval(np.nan, np.nan, False)
        if result.status == UNBOUNDED:
            return Interval(0.0, np.inf)
        if result.status != OPTIMAL:
            raise RuntimeError("the linear programme solver failed")
        return Interval(0.0, float(-result.fun), True, binding_high=binding)

    def interval(self, row: int, lower: np.ndarray, upper: np.ndarray) -> Interval:
        """Least and greatest value of `row` under lower <= rows <= upper, atoms >= 0."""
        low = self.lowest(row, lower, upper)
        if not low.feasible:
            return low
        high = self.highest(row, lower, upper)
        if not high.feasible:
            return high
        return Interval(low.low, high.high, True, low.binding_low, high.binding_high)

    def _whole(self) -> _Component:
        """Every row with atoms and every atomic cell, as one part."""
        if self._all is None:
            rows = np.flatnonzero(~self.empty_rows)
            self._all = _Component(rows, np.arange(self.n_vars), self._signed(rows, None))
        return self._all

    def feasible(self, lower: np.ndarray, upper: np.ndarray) -> bool:
        """Whether some non-negative atoms satisfy every row at once. One programme over
        all the parts together: they share no atomic cell, so it is feasible exactly
        when each part is."""
        if np.any(self.empty_rows & ((lower > 0) | (upper < 0))):
            return False
        if np.any(lower > upper):
            return False
        if self.empty_rows.all():
            return True
        result, _ = self._solve(np.zeros(self.n_vars), self._whole(), lower, upper)
        return result.status == OPTIMAL
