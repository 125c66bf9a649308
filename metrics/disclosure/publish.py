"""`publish`: apply the disclosure rules to a release and protect it until the audit passes.

Steps, in order:

1. Check the counts add up over their atomic cells (and agree with earlier releases).
2. Primary suppression: a count of 1..T-1 is hidden (T = 8, or 10 in a sensitive cut).
   A true 0 is published as 0.
3. Rule 6: in a breakdown by a dimension rule 6 covers (`rules.RULE6_DIMENSIONS`) where
   one known category holds everyone (it is the only one with people in it, or it holds
   as many people as the parent total), every known category is hidden (the parent total
   stays).
4. Rounding: every other count, totals included, is its own true count rounded to the
   nearest 5.
5. Secondary suppression: for each primary-hidden cell (of this release and of earlier
   ones) whose audit interval is too narrow, hide one more published cell of this
   release, chosen among those whose constraint binds the interval (non-zero dual),
   smallest true count first, and repeat. Hiding a cell only widens every interval, so
   one pass in a fixed order suffices.
6. The independent `audit` must pass, or DisclosureError is raised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.disclosure.audit import (
    EPSILON,
    audit,
    breakdown_parents,
    flatten_all,
    knowledge_bounds,
)
from metrics.disclosure.constraints import ConstraintSystem
from metrics.disclosure.release import (
    AUDIENCES,
    COUNT,
    ProtectedRelease,
    Release,
    cell_id,
    make_cells,
)
from metrics.disclosure.rules import (
    SENSITIVE_THRESHOLD,
    DisclosureError,
    is_primary,
    round_count,
)


def _current_cells(release: Release) -> pd.DataFrame:
    """The release's cells in a canonical order (table, then cell id), so that nothing,
    not even the solver's choice among equally good complements, depends on row order.
    `position` keeps the input order for the output."""
    records = []
    for table_index, table in enumerate(release.tables):
        info = table.info
        for labels, count, atoms in zip(
            table.labels(), table.cells[COUNT], table.cells["atoms"], strict=True
        ):
            records.append(
                {
                    "table_index": table_index,
                    "position": len(records),
                    "table": table.name,
                    "cell_id": cell_id(table.name, labels),
                    "labels": labels,
                    "atoms": tuple(sorted(str(a) for a in atoms)),
                    "count": int(count),
                    "threshold": info.threshold(labels),
                }
            )
    columns = [
        "table_index",
        "position",
        "table",
        "cell_id",
        "labels",
        "atoms",
        "count",
        "threshold",
    ]
    frame = pd.DataFrame(records, columns=columns)
    return frame.sort_values(["table_index", "cell_id"]).reset_index(drop=True)


def _apply_breakdown_rule(release: Release, cells: pd.DataFrame, hidden, reason) -> None:
    labels_of, counts = cells["labels"].tolist(), cells["count"].tolist()
    positions_of: dict[str, list[int]] = {}
    for position, name in enumerate(cells["table"].tolist()):
        positions_of.setdefault(name, []).append(position)
    for table in release.tables:
        positions = positions_of.get(table.name, [])
        labels = [labels_of[p] for p in positions]
        for members, parent in breakdown_parents(table.dims, labels):
            rows = [positions[m] for m in members]
            counts_of_rows = [int(counts[r]) for r in rows]
            whole = None if parent is None else int(counts[positions[parent]])
            one_holds_all = sum(c > 0 for c in counts_of_rows) == 1 or (
                whole is not None and whole > 0 and whole in counts_of_rows
            )
            if not one_holds_all:
                continue
            for r in rows:
                if not hidden[r]:
                    hidden[r] = True
                    reason[r] = "breakdown"


def _choose_complement(
    binding, target: int, system: ConstraintSystem, n_current: int, hidden, counts, order
) -> int | None:
    candidates = [r for r in binding if r < n_current and not hidden[r]]
    if not candidates:
        candidates = [
            int(r) for r in system.component_rows(target) if r < n_current and not hidden[r]
        ]
    if not candidates:
        return None
    return min(candidates, key=lambda r: (counts[r] == 0, counts[r], order[r]))


def _narrowing_rows(
    system: ConstraintSystem, target: int, threshold: int, lower, upper, shift: int = 0
) -> list[int] | None:
    """None if the target is protected, else the rows that bind its too-narrow bound.
    shift: what the target's count has gained since it was published (earlier cells)."""
    low = system.lowest(target, lower, upper)
    if not low.feasible:
        raise DisclosureError("published figures contradict each other")
    if low.low - shift > 1 + EPSILON:
        return sorted(low.binding_low)
    high = system.highest(target, lower, upper)
    if not high.feasible:
        raise DisclosureError("published figures contradict each other")
    if high.high - shift < threshold - 1 - EPSILON:
        return sorted(high.binding_high)
    return None


def publish(release: Release, strict: bool = False, audience: str = "public") -> ProtectedRelease:
    """Apply the rules, add secondary suppression until the audit passes, and return the
    protected release. Raises DisclosureError (with counts and cell ids only) if the
    release cannot be protected. strict: see `audit`. audience "pcc" applies the rules
    only to cells in a cut by a sensitive dimension and publishes the others exact
    (cells of either kind may still be hidden to protect a sensitive one)."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}")
    cells = _current_cells(release)
    n_current = len(cells)
    earlier_cells = flatten_all(release.earlier, first_index=1) if release.earlier else None
    earlier_frame = earlier_cells.frame if earlier_cells is not None else None
    all_atoms = cells["atoms"].tolist() + (
        earlier_frame["atoms"].tolist() if earlier_frame is not None else []
    )
    links = dict.fromkeys(release.links)
    if earlier_cells is not None:
        links.update(dict.fromkeys(earlier_cells.links))
    system = ConstraintSystem(all_atoms, tuple(links))
    counts = cells["count"].to_numpy()
    thresholds = cells["threshold"].to_numpy()

    if earlier_frame is not None:
        old_lower, old_upper = knowledge_bounds(
            earlier_frame["hidden"].tolist(),
            [
                0 if h else v
                for h, v in zip(earlier_frame["hidden"], earlier_frame["value"], strict=True)
            ],
            [f if strict else 0 for f in earlier_frame["floor"]],
            earlier_frame["threshold"].tolist(),
            earlier_frame["exact"].tolist(),
            earlier_frame["shift"].tolist(),
        )
    else:
        old_lower = old_upper = np.zeros(0)
    true = counts.astype(float)
    if not system.feasible(
        system.with_links(np.concatenate([true, old_lower])),
        system.with_links(np.concatenate([true, old_upper])),
    ):
        raise DisclosureError(
            "the counts do not add up over their atomic cells, or disagree with an earlier "
            "release; nothing was published"
        )

    protects = [audience == "public" or t >= SENSITIVE_THRESHOLD for t in thresholds]
    exact = [not p for p in protects]
    hidden = [
        p and is_primary(int(c), int(t))
        for c, t, p in zip(counts, thresholds, protects, strict=True)
    ]
    reason = ["primary" if h else "" for h in hidden]
    _apply_breakdown_rule(release, cells, hidden, reason)
    for r in range(n_current):
        if hidden[r] and protects[r] and is_primary(int(counts[r]), int(thresholds[r])):
            reason[r] = "primary"
    published = [
        0 if hidden[r] else int(counts[r]) if exact[r] else round_count(int(counts[r]))
        for r in range(n_current)
    ]
    floors = [1 if c > 0 else 0 for c in counts]
    assumed = [f if strict else 0 for f in floors]

    lower, upper = knowledge_bounds(hidden, published, assumed, thresholds.tolist(), exact)
    lower = system.with_links(np.concatenate([lower, old_lower]))
    upper = system.with_links(np.concatenate([upper, old_upper]))

    names, ids = cells["table"].tolist(), cells["cell_id"].tolist()
    order = {r: (0, names[r], ids[r]) for r in range(n_current)}
    targets = [
        (order[r], r, int(thresholds[r]), 0)
        for r in range(n_current)
        if reason[r] == "primary"
    ]
    if earlier_frame is not None:
        for k, row in enumerate(earlier_frame.itertuples(index=False)):
            if row.hidden and row.reason == "primary":
                key = (int(row.release), row.table, row.cell_id)
                targets.append((key, n_current + k, int(row.threshold), int(row.shift)))
    for _, target, threshold, shift in sorted(targets):
        for _ in range(n_current + 1):
            binding = _narrowing_rows(system, target, threshold, lower, upper, shift)
            if binding is None:
                break
            chosen = _choose_complement(binding, target, system, n_current, hidden, counts, order)
            if chosen is None:
                name = cells.at[target, "cell_id"] if target < n_current else "an earlier cell"
                raise DisclosureError(
                    f"cannot protect {name}: no published cell of this release is left to "
                    "hide; merge categories or drop the table"
                )
            hidden[chosen] = True
            reason[chosen] = "secondary"
            lower[chosen], upper[chosen] = assumed[chosen], np.inf

    outcome = sorted(
        zip(cells.itertuples(index=False), hidden, published, reason, floors, strict=True),
        key=lambda item: item[0].position,
    )
    protected_cells = make_cells(
        [
            (row.table, row.labels, row.atoms, h, None if h else v, r if h else "", f if h else 0)
            for row, h, v, r, f in outcome
        ]
    )
    protected = ProtectedRelease(
        tuple(t.info for t in release.tables),
        protected_cells,
        release.earlier,
        release.atom_scheme,
        audience,
        release.links,
    )
    result = audit(protected, strict=strict)
    if not result.passed:
        raise DisclosureError(result.summary())
    return protected
