"""Protect one quarter's public tables: cut them from their people frames, bind the
quarter's earlier releases to the same atoms, publish and audit.

Each namespace's frame gives its own release (`release_from_people`), and the quarter's
earlier releases are bound to the frames of their namespaces, their bounds moved by what
each cell has gained since it was published: the audit reads them as constraints on the
same people, as if the intruder knew every change. The releases are protected and
audited together. A release that cannot be protected, or fails its audit, raises
`DisclosureError` (counts and cell ids only, never a value).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from metrics.disclosure import (
    ProtectedRelease,
    TableSpec,
    audit,
    combine_releases,
    publish,
    release_from_people,
)
from metrics.disclosure.release import cell_id
from metrics.published.frames import PERIOD_START
from metrics.published.names import PERIOD
from metrics.published.specs import REFERRED

Protector = Callable[..., ProtectedRelease]
_NO_OUTCOME_ROWS = pd.DataFrame({"met": pd.Series(dtype=bool), "count": pd.Series(dtype="int64")})


def split_outcomes(outcomes: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """A quarter's rows of the outcome frames, by indicator (each in its rows' order):
    split once, rather than once per namespace."""
    return {str(indicator): part for indicator, part in outcomes.groupby("indicator", sort=False)}


def namespace_frame(
    namespace: str,
    label: str,
    referred: pd.DataFrame,
    outcomes: Mapping[str, pd.DataFrame],
) -> pd.DataFrame:
    """The people frame of a namespace for one quarter (labelled `period`), from the
    quarter's rows of the referred frame and of the outcome frames (`split_outcomes`)."""
    if namespace == REFERRED:
        frame = referred.drop(columns=[PERIOD_START])
        frame.insert(0, PERIOD, label)
        return frame.reset_index(drop=True)
    indicator = namespace.split(":", 1)[1]
    part = outcomes.get(indicator, _NO_OUTCOME_ROWS)
    return pd.DataFrame(
        {
            PERIOD: [label] * len(part),
            f"{indicator}_base": [True] * len(part),
            f"{indicator}_met": part["met"].astype(bool).tolist(),
            "count": part["count"].astype("int64").tolist(),
        }
    )


def protect_quarter(
    frames: Mapping[str, pd.DataFrame],
    specs: Mapping[str, Sequence[TableSpec]],
    earlier: Sequence[tuple[ProtectedRelease, Mapping[str, int] | None]],
    protector: Protector = publish,
) -> tuple[ProtectedRelease, dict[str, int]]:
    """Publish and audit a quarter's new tables against its earlier releases.

    frames: the people frame of every namespace in `specs` or in an earlier release.
    earlier: each earlier release (kept without atoms) with the true counts its cells were
    published from: it is bound to today's frames, its bounds moved by what each cell has
    gained since (`release_from_people(..., earlier_counts=...)`).
    Returns the protected release and the true count of each of its cells (to be kept
    privately with it, for the releases after it).
    """
    releases_before = [e for e, _ in earlier]
    counts_before = [c for _, c in earlier]
    namespaces = sorted(set(specs) | {t.namespace for e in releases_before for t in e.tables})
    missing = [ns for ns in namespaces if ns not in frames]
    if missing:
        raise ValueError(f"no people frame for {missing}")
    releases = [
        release_from_people(
            frames[ns],
            list(specs.get(ns, ())),
            earlier=releases_before,
            earlier_counts=counts_before,
            namespace=ns,
        )
        for ns in namespaces
    ]
    combined = combine_releases(releases)
    counts = {
        cell_id(table.name, labels): int(n)
        for table in combined.tables
        for labels, n in zip(table.labels(), table.cells["count"], strict=True)
    }
    protected = protector(combined, audience="public")
    if protector is not publish:  # publish runs this same audit on what it returns
        audit(protected).raise_if_failed()
    return protected, counts
