"""The comparison population behind the public reach figures, through the disclosure
rules.

The comparison population (police-recorded victims, residents) is counted in people by
sensitive group (age 75+, disabled, non-binary, ...), so its counts are published like
any other count of people: each characteristic's breakdown at one month is a release of
its own (`release_from_people`, namespace `comparison`) with a total over the recorded
categories; counts of 1 to 7 (1 to 9 in a sensitive cut) are hidden, every count is
rounded to the nearest 5, further cells are hidden until the audit passes. A share is
worked out from the rounded count and the rounded total, and is withheld (so is the
reach ratio that uses it) when either is hidden: a share from the unrounded counts
would give the small counts away. A breakdown that cannot be protected is withheld
whole. `unknown` is not a category of the comparison: shares are of those recorded.
"""

from __future__ import annotations

import math

import pandas as pd

from metrics.disclosure import DisclosureError, TableSpec, publish, release_from_people
from metrics.disclosure.rules import TOTAL, UNKNOWN

NAMESPACE = "comparison"
COLUMNS = ["month", "basis", "basis_label", "characteristic", "category",
           "comparison_people", "comparison_share", "comparison_hidden"]


def _group_key(characteristic: str, rows: pd.DataFrame) -> tuple:
    """What `_protect_group` depends on: the characteristic, and each category with its
    count of people, in order."""
    return (
        characteristic,
        tuple(rows["category"].tolist()),
        tuple(max(0, round(float(n))) for n in rows["comparison_people"]),
    )


def _protect_group(key: tuple) -> dict[object, int | None]:
    """category -> published count (None when hidden), with the total under TOTAL.
    key: `_group_key` of the group's rows."""
    characteristic, categories, counts = key
    people = pd.DataFrame({characteristic: list(categories), "count": list(counts)})
    name = f"comparison_by_{characteristic}"
    spec = TableSpec(name, [characteristic], totals=[characteristic],
                     categories={characteristic: list(people[characteristic])})
    try:
        protected = publish(release_from_people(people, [spec], namespace=NAMESPACE),
                            audience="public")
    except (DisclosureError, ValueError):
        return {**{c: None for c in people[characteristic]}, TOTAL: None}
    return {labels[characteristic]: count for labels, count in protected.published(name)}


def protect_comparisons(
    comparisons: pd.DataFrame, protected: dict[tuple, dict[object, int | None]] | None = None
) -> pd.DataFrame:
    """The comparison rows (month, basis, basis_label, characteristic, category,
    comparison_people, ...) with `comparison_people` published (missing when hidden) and
    `comparison_share` from the published counts; `comparison_hidden` marks a row whose
    share is withheld.

    protected: breakdowns already protected (`_group_key` -> published counts), added
    to; pass the same dict to calls for other months to protect each breakdown once."""
    rows = []
    known = comparisons[comparisons["category"] != UNKNOWN]
    # The comparison populations are yearly figures, so most months (and often both
    # bases) repeat the same counts: each distinct breakdown is protected once. The
    # protection depends on nothing else, so the result is the same as protecting each.
    protected = {} if protected is None else protected
    for (month, basis, characteristic), group in known.groupby(
            ["month", "basis", "characteristic"], sort=True):
        key = _group_key(characteristic, group)
        if key not in protected:
            protected[key] = _protect_group(key)
        published = protected[key]
        total = published.get(TOTAL)
        for record in group.to_dict("records"):
            count = published.get(record["category"])
            share = count / total if count is not None and total else None
            rows.append({
                "month": month,
                "basis": basis,
                "basis_label": record["basis_label"],
                "characteristic": characteristic,
                "category": record["category"],
                "comparison_people": math.nan if count is None else float(count),
                "comparison_share": math.nan if share is None else float(share),
                "comparison_hidden": count is None or not total,
            })
    return pd.DataFrame(rows, columns=COLUMNS)
