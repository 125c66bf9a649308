"""The names shared by the public release and the PCC review's sensitive cuts: the
period column, the outcomes counted without a rate or about a sensitive group, the base
and met table names, and rule 6's pre-decision (one definition, used by
`metrics.published.specs` and `metrics.report.protected`). A leaf module: it imports
nothing of the report or the release, so both can import it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.catalogue import count_only_outcomes, flagged
from metrics.disclosure.rules import SPECIAL_CATEGORY, UNKNOWN

REFERRED_WHERE = {"stage": "referred"}
PERIOD = "period"
# outcomes about a sensitive group whose labels do not say so (rule 2: 1 to 9)
SENSITIVE_OUTCOMES = frozenset(flagged("sensitive_outcome"))
COUNT_ONLY = count_only_outcomes()


def base_table(indicator: str, suffix: str = "") -> str:
    return f"{indicator}_base{suffix}"


def met_table(indicator: str, suffix: str = "") -> str:
    return f"{indicator}_met{suffix}"


def matching_rows(people: pd.DataFrame, where: dict) -> np.ndarray:
    """Which rows of a people frame meet `where` (a column holding tuples, such as the
    stages a person reached, meets a value its tuple holds)."""
    mask = np.ones(len(people), dtype=bool)
    for column, value in where.items():
        codes, uniques = pd.factorize(people[column])
        hits = np.array(
            [value in u if isinstance(u, tuple) else u == value for u in uniques], dtype=bool
        )
        mask &= (codes >= 0) & hits[np.maximum(codes, 0)]
    return mask


def one_group_holds_everyone(people: pd.DataFrame, dim: str, where: dict) -> bool:
    """Rule 6, decided before publishing: among the people meeting `where`, one recorded
    group of a special category characteristic holds everyone. Such a table is left out
    (the library would otherwise refuse the whole release, since a group with nobody in
    it is known to be empty)."""
    if dim not in SPECIAL_CATEGORY or people.empty:
        return False
    groups, _ = pd.factorize(people[dim])
    rows = matching_rows(people, where) & (people[dim] != UNKNOWN).to_numpy() & (groups >= 0)
    counts = people["count"].to_numpy(dtype=float)
    sizes = np.bincount(groups[rows], weights=counts[rows], minlength=1)
    return int((sizes > 0).sum()) == 1
