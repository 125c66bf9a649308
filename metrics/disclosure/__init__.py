"""Disclosure control for published tables, with an automated linear-programming audit.

The rules are docs/disclosure.md's (spec: "Who sees what", rules for `public`). In short:
counts of people 1..7 are hidden as [c] (1..9 in a cut by a sensitive dimension), a
true 0 is shown as 0, every other count (totals too, each from unrounded data) is rounded
to the nearest 5, rates come from the rounded parts, and further cells are hidden until
an audit proves that no hidden small count can be narrowed down from everything
published, in this release and in the earlier ones it is linked to.

Model
    A release is a set of tables. Every cell is the sum of *atomic cells* (groups of
    people the tables can tell apart); totals, margins and the same people in other
    tables are linear relations over the same atomic cells. Columns no table crosses get
    atoms of their own, tied by *links* (every group of atoms adds up to the same people),
    so the programmes stay small for a million people. The easy way in is
    `release_from_people`: one frame with a row per group of people, a `count` column,
    and one `TableSpec` per table. A column may hold a tuple of values per row (the
    agencies a person was referred to): a cell then counts people whose tuple holds its
    value, and the total counts each person once. `Table` takes hand-made cells with an
    explicit list of atom ids per cell instead.

API
    release_from_people(people, specs, count="count", earlier=(), namespace="") -> Release
    TableSpec(name, dims, totals=(), where={}, sensitive=False, categories={})
    Table(name, cells, dims, context={}, sensitive=False); Release(tables, earlier=())
    combine_releases([release, ...]) -> Release  (frames of different people, together)
    publish(release, strict=False) -> ProtectedRelease   (raises DisclosureError)
    audit(protected, strict=False) -> AuditResult        (.passed, .checks, .failures(),
                                                          .summary(), .raise_if_failed())
    ProtectedRelease.table(name)  -> dims, count (Int64, <NA> when hidden), display
    ProtectedRelease.rates(numerator_table, denominator_table, scale=1.0)
                                  -> dims, numerator, denominator, rate, rate_status
    ProtectedRelease.legend(name) -> the footnote for a table
    ProtectedRelease.to_dict(atoms=True, earlier=True) / ProtectedRelease.from_dict(d)
                                  (keep a release so later ones can be audited against it:
                                  release_from_people(..., earlier=[...]) binds a release
                                  kept without its atoms to the new frame)
    protect_count(n, sensitive) -> int or None; round_count(n); threshold_for(labels)
    rate(num, den, scale), protect_statistic(value, persons, kind, sensitive),
    protect_money(value, persons, sensitive) -> ProtectedFigure(value, status)

Example
    >>> import pandas as pd
    >>> from metrics.disclosure import TableSpec, audit, publish, release_from_people
    >>> people = pd.DataFrame({
    ...     "quarter": ["2026/27-Q1"] * 3,
    ...     "gender": ["female", "male", "non_binary"],
    ...     "count": [52, 40, 3],
    ... })
    >>> release = release_from_people(
    ...     people, [TableSpec("victims_by_gender", ["quarter", "gender"], totals=["gender"])]
    ... )
    >>> protected = publish(release)
    >>> protected.table("victims_by_gender")["display"].tolist()
    ['50', '40', '[c]', '95']
    >>> audit(protected).passed
    True

Only what `table()`, `rates()` and `legend()` return may be written out; the cells frame
of a ProtectedRelease and an AuditResult's bounds are internal. Error messages and
`AuditResult.summary()` carry counts, rule names and cell labels, never a true count.
"""

from metrics.disclosure.audit import AuditResult, audit
from metrics.disclosure.publish import publish
from metrics.disclosure.release import (
    ProtectedRelease,
    Release,
    Table,
    TableInfo,
    TableSpec,
    combine_releases,
    release_from_people,
)
from metrics.disclosure.rules import (
    SENSITIVE_THRESHOLD,
    SUPPRESSED,
    THRESHOLD,
    TOTAL,
    DisclosureError,
    ProtectedFigure,
    labels_are_sensitive,
    protect_count,
    protect_money,
    protect_statistic,
    rate,
    round_count,
    threshold_for,
)

__all__ = [
    "SENSITIVE_THRESHOLD",
    "SUPPRESSED",
    "THRESHOLD",
    "TOTAL",
    "AuditResult",
    "DisclosureError",
    "ProtectedFigure",
    "ProtectedRelease",
    "Release",
    "Table",
    "TableInfo",
    "TableSpec",
    "audit",
    "combine_releases",
    "labels_are_sensitive",
    "protect_count",
    "protect_money",
    "protect_statistic",
    "publish",
    "rate",
    "release_from_people",
    "round_count",
    "threshold_for",
]
