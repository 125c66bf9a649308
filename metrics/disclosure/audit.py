"""The automated audit of a protected release (and the earlier releases it links to).

What an intruder is assumed to know, for every cell of every table in the release and in
the earlier releases attached to it, as bounds on the true sum of the cell's atomic
cells (every atomic cell is >= 0):

- a published 0 means exactly 0;
- a published r > 0 (a multiple of 5) means r-2..r+2, and at least the cell's
  threshold T (8, or 10 in a sensitive cut), since smaller counts are never published;
  a published value that is not a multiple of 5 is taken as exact;
- a hidden cell ([c]) is at least 0, with no upper bound: [c] is the same marker
  whether a cell is small or hidden to protect another one (strict=True also uses
  that a hidden cell is at least 1 when it is not a hidden 0);
- in a `pcc` release, a figure outside a sensitive cut is exact;
- every link holds (groups of atoms that split the same people have equal sums);
- a cell of an earlier release bound with its counts has its bounds moved by what it has
  gained since (`shift`), and its protection is judged on the count it was published
  from.

For each cell hidden because it holds 1..T-1 people the audit solves two linear
programmes (least and greatest value) and passes the cell only if the whole range 1..T-1
is still possible. It also checks every published count (a whole number, a multiple of
5, not in 1..T-1) and that no breakdown by a special-category characteristic can be
shown to put everyone in one category. The result carries cell ids, bounds derived from
published figures only, pass/fail and a reason. For a release that fails, a bound can be
a true count: `summary()` (counts, cell ids, reasons) is what may be logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pandas as pd

from metrics.disclosure.constraints import ConstraintSystem
from metrics.disclosure.release import CELL_COLUMNS, ProtectedRelease, TableInfo
from metrics.disclosure.rules import (
    CATEGORY_COLUMN,
    CHARACTERISTIC_COLUMN,
    ROUNDING_BASE,
    ROUNDING_SLACK,
    RULE6_DIMENSIONS,
    UNKNOWN,
    DisclosureError,
    is_total,
)

EPSILON = 1e-6
CHECK_COLUMNS = [
    "release",
    "table",
    "cell_id",
    "check",
    "threshold",
    "low",
    "high",
    "passed",
    "reason",
]


def special_breakdowns(
    dims: Sequence[str], labels_list: Sequence[tuple[tuple[str, object], ...]]
) -> list[list[int]]:
    """Groups of cells that split one parent by a dimension rule 6 covers
    (`rules.RULE6_DIMENSIONS`: the special category characteristics, gender, age band,
    crime type, hate crime and domestic abuse).

    Returns, per breakdown, the positions (in labels_list) of its known categories (not
    "unknown" and not the total); only breakdowns with at least two such categories.
    """
    return [members for members, _ in breakdown_parents(dims, labels_list)]


def breakdown_parents(
    dims: Sequence[str], labels_list: Sequence[tuple[tuple[str, object], ...]]
) -> list[tuple[list[int], int | None]]:
    """As `special_breakdowns`, each breakdown with the position of its parent (the cell
    labelled "all" in the split dimension, the other labels the same), or None."""
    groups: dict[tuple, list[int]] = {}
    parents: dict[tuple, int] = {}
    long_format = CHARACTERISTIC_COLUMN in dims and CATEGORY_COLUMN in dims
    for position, labels in enumerate(labels_list):
        named = dict(labels)
        split_dims = [d for d in dims if d in RULE6_DIMENSIONS]
        if long_format and str(named[CHARACTERISTIC_COLUMN]) in RULE6_DIMENSIONS:
            split_dims.append(CATEGORY_COLUMN)
        for dim in split_dims:
            value = named[dim]
            rest = tuple((k, str(v)) for k, v in labels if k != dim)
            if is_total(value):
                parents[(dim, rest)] = position
            elif str(value) != UNKNOWN:
                groups.setdefault((dim, rest), []).append(position)
    return [
        (members, parents.get(key)) for key, members in groups.items() if len(members) >= 2
    ]


@dataclass(frozen=True)
class Cells:
    """Every cell of a release and of its earlier releases, in one flat list."""

    frame: pd.DataFrame  # CELL_COLUMNS + release, threshold
    infos: dict[tuple[int, str], TableInfo]
    links: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()


def flatten(protected: ProtectedRelease) -> Cells:
    """Cells of `protected` (release 0) and, after them, of its earlier releases (1, 2...)."""
    return flatten_all([protected], first_index=0)


def flatten_all(roots: Sequence[ProtectedRelease], first_index: int) -> Cells:
    """Cells of several releases and everything they link to, each release once."""
    frames, infos, seen, links = [], {}, set(), {}
    queue = list(roots)
    index = first_index
    while queue:
        current = queue.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if not current.bound:
            raise ValueError(
                "a release kept without its atoms must be bound to a people frame before "
                "an audit can use it (release_from_people(..., earlier=[...]))"
            )
        for link in current.links:
            links.setdefault(link, None)
        frame = current.cells.copy()
        if "shift" not in frame.columns:
            frame["shift"] = 0
        by_name = {t.name: t for t in current.tables}
        frame["release"] = index
        frame["threshold"] = [
            by_name[t].threshold(labels)
            for t, labels in zip(frame["table"], frame["labels"], strict=True)
        ]
        frame["exact"] = [not current.protects(t) for t in frame["threshold"]]
        for table in current.tables:
            infos[(index, table.name)] = table
        frames.append(frame)
        queue.extend(current.earlier)
        index += 1
    if not frames:
        columns = [*CELL_COLUMNS, "shift", "release", "threshold", "exact"]
        return Cells(pd.DataFrame(columns=columns), {})
    return Cells(pd.concat(frames, ignore_index=True), infos, tuple(links))


def knowledge_bounds(
    hidden: Sequence[bool],
    values: Sequence[object],
    floors: Sequence[int],
    thresholds: Sequence[int],
    exact: Sequence[bool],
    shifts: Sequence[int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds an intruder can put on each cell's true count.

    exact: published values known to be unrounded (pcc figures outside sensitive cuts).
    shifts: for a cell of an earlier release bound to a newer frame, how many people the
    cell has gained since (new true count minus the count it was published from); its
    bounds are moved by as much, so they bound the cell's count now. The intruder is taken
    to know these changes exactly (the strictest reading of a revision).
    """
    n = len(hidden)
    shifts = [0] * n if shifts is None else shifts
    lower, upper = np.zeros(n), np.full(n, np.inf)
    for i, (is_hidden, value, floor, threshold, is_exact, shift) in enumerate(
        zip(hidden, values, floors, thresholds, exact, shifts, strict=True)
    ):
        if is_hidden:
            lower[i] = max(int(floor) + int(shift), 0)
            continue
        number = float(value)
        if number == 0:
            lower[i] = upper[i] = max(float(shift), 0.0)
        elif not is_exact and number.is_integer() and int(number) % ROUNDING_BASE == 0:
            lower[i] = max(max(number - ROUNDING_SLACK, threshold) + shift, 0.0)
            upper[i] = number + ROUNDING_SLACK + shift
        else:
            lower[i] = upper[i] = max(number + shift, 0.0)
    return lower, upper


def _format_problem(value: object, threshold: int, exact: bool) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "published cell has no value"
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float)):
        return "published value is not a number"
    if float(value) < 0 or not float(value).is_integer():
        return "published count is not a non-negative whole number"
    number = int(value)
    if exact:
        return None
    if 1 <= number < threshold:
        return f"published count in 1..{threshold - 1}"
    if number % ROUNDING_BASE:
        return f"published count not rounded to a multiple of {ROUNDING_BASE}"
    return None


@dataclass(frozen=True)
class AuditResult:
    """checks: one row per check (format, interval, breakdown or consistency)."""

    checks: pd.DataFrame

    @property
    def passed(self) -> bool:
        return bool(self.checks["passed"].all())

    def failures(self) -> pd.DataFrame:
        return self.checks[~self.checks["passed"]].reset_index(drop=True)

    def summary(self) -> str:
        """Counts and cell ids only: safe for logs."""
        failed = self.failures()
        if failed.empty:
            return f"disclosure audit passed ({len(self.checks)} checks)"
        shown = ", ".join(
            f"{c} ({r})" for c, r in zip(failed["cell_id"][:10], failed["reason"], strict=True)
        )
        more = "" if len(failed) <= 10 else f" and {len(failed) - 10} more"
        return f"disclosure audit failed {len(failed)} of {len(self.checks)} checks: {shown}{more}"

    def raise_if_failed(self) -> None:
        if not self.passed:
            raise DisclosureError(self.summary())


def interval_protects(low: float, high: float, threshold: int) -> bool:
    return low <= 1 + EPSILON and high >= threshold - 1 - EPSILON


def _check_row(row, check: str, passed: bool, reason: str, low=np.nan, high=np.nan) -> dict:
    return {
        "release": int(row.release),
        "table": row.table,
        "cell_id": row.cell_id,
        "check": check,
        "threshold": int(row.threshold),
        "low": float(low),
        "high": float(high),
        "passed": bool(passed),
        "reason": reason,
    }


def _breakdown_checks(
    cells: Cells,
    numbers: Sequence[float | None],
    system: ConstraintSystem,
    lower: np.ndarray,
    upper: np.ndarray,
) -> list[dict]:
    """Fail a special-category breakdown whose categories but one are provably 0."""
    frame = cells.frame
    labels_of = frame["labels"].tolist()
    shift = frame["shift"].to_numpy()
    positions_of: dict[tuple[int, str], list[int]] = {}
    for position, key in enumerate(
        zip(frame["release"].tolist(), frame["table"].tolist(), strict=True)
    ):
        positions_of.setdefault(key, []).append(position)
    columns = {c: frame[c].tolist() for c in ("release", "table", "cell_id", "threshold")}
    out = []
    for key, info in cells.infos.items():
        positions = positions_of.get(key, [])
        labels = [labels_of[p] for p in positions]
        for members in special_breakdowns(info.dims, labels):
            rows = [positions[m] for m in members]
            possibly_nonzero = [r for r in rows if numbers[r] is not None and numbers[r] != 0]
            hidden_rows = [r for r in rows if numbers[r] is None]
            for r in hidden_rows:
                if len(possibly_nonzero) >= 2:
                    break
                if system.highest(r, lower, upper).high - shift[r] > 0.5:
                    possibly_nonzero.append(r)
            exposed = False
            if len(possibly_nonzero) == 1:
                only = possibly_nonzero[0]
                # a published non-zero count, or a hidden one that cannot be 0
                exposed = only not in hidden_rows or (
                    system.lowest(only, lower, upper).low - shift[only] >= 0.5
                )
            first = SimpleNamespace(**{c: values[rows[0]] for c, values in columns.items()})
            out.append(
                _check_row(
                    first,
                    "breakdown",
                    not exposed,
                    "one category holds everyone in its breakdown" if exposed else "ok",
                )
            )
    return out


def _readable(value: object) -> float | None:
    """A published value as a number, or None if it cannot be read as a count."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float)):
        return None
    number = float(value)
    return number if np.isfinite(number) and number >= 0 else None


def audit(protected: ProtectedRelease, strict: bool = False, rounded: bool = True) -> AuditResult:
    """Re-check a protected release from its published figures alone.

    strict=True also lets the intruder use that a hidden cell is not 0 when zeros are
    shown as 0 (the spec's model, the default, takes every hidden cell as >= 0).
    rounded=False reads every published value as exact and skips the rounding checks
    (to see what an intruder gets if a release claims rounding it did not do). Figures a
    `pcc` release leaves unprotected (outside sensitive cuts) are always read as exact.
    """
    cells = flatten(protected)
    frame = cells.frame
    if not rounded:
        frame["exact"] = True
    checks = []
    for row in frame.itertuples(index=False):
        if not row.hidden:
            problem = _format_problem(row.value, int(row.threshold), bool(row.exact))
            checks.append(_check_row(row, "format", problem is None, problem or "ok"))
    numbers = [
        None if h else _readable(v) for h, v in zip(frame["hidden"], frame["value"], strict=True)
    ]
    unknown = [n is None for n in numbers]  # hidden, or unreadable: no constraint but >= 0
    lower, upper = knowledge_bounds(
        unknown,
        [0.0 if n is None else n for n in numbers],
        [f if h and strict else 0 for f, h in zip(frame["floor"], frame["hidden"], strict=True)],
        frame["threshold"].tolist(),
        frame["exact"].tolist(),
        frame["shift"].tolist(),
    )
    system = ConstraintSystem(frame["atoms"].tolist(), cells.links)
    lower, upper = system.with_links(lower), system.with_links(upper)
    if not system.feasible(lower, upper):
        first = next(frame.itertuples(index=False))
        checks.append(
            _check_row(first, "consistency", False, "published figures contradict each other")
        )
        return AuditResult(pd.DataFrame(checks, columns=CHECK_COLUMNS))
    targets = frame[frame["hidden"] & (frame["reason"] == "primary")]
    targets = targets.sort_values(["release", "table", "cell_id"])
    for position, row in zip(targets.index, targets.itertuples(index=False), strict=True):
        interval = system.interval(int(position), lower, upper)
        threshold = int(row.threshold)
        low, high = interval.low - row.shift, interval.high - row.shift  # as published
        ok = interval_protects(low, high, threshold)
        if ok:
            reason = "ok"
        elif low > 1 + EPSILON:
            reason = "published figures give it a lower bound above 1"
        else:
            reason = f"published figures give it an upper bound below {threshold - 1}"
        checks.append(_check_row(row, "interval", ok, reason, low, high))
    checks.extend(_breakdown_checks(cells, numbers, system, lower, upper))
    return AuditResult(pd.DataFrame(checks, columns=CHECK_COLUMNS))
