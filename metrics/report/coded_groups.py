"""Decoding the coded rows of the people_groups named query (`coded`): its sets as
integers and JSON text, made into the people frame's columns with numpy, each distinct
value decoded once.

The query's bits (sql/queries/people_groups.sql): a stage's bit is its place in the
stages sorted by name (assessed 1, completed 2, contacted 4, referred 8, supported 16);
an outcome's bit is its place in the sorted distinct outcomes asked for.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

STAGES_BY_NAME = ("assessed", "completed", "contacted", "referred", "supported")


def integers(column: pd.Series) -> np.ndarray:
    """A column of bits as int64 (none of the coded rows' bits is null)."""
    return column.to_numpy(dtype=np.int64)


def bit_flags(bits: np.ndarray, position: int) -> np.ndarray:
    """Whether each row's bits have the bit at `position` set."""
    return (bits >> np.int64(position)) & 1 == 1


def outcome_flags(bits: np.ndarray, outcomes: Sequence[str]) -> dict[str, np.ndarray]:
    """For each outcome asked for, whether each row's bits include it."""
    order = sorted(set(outcomes))
    return {o: bit_flags(bits, order.index(o)) for o in outcomes}


def stage_names(bits: int) -> tuple[str, ...]:
    """The stages of a row's stage bits, sorted by name (the query's list)."""
    return tuple(s for k, s in enumerate(STAGES_BY_NAME) if bits >> k & 1)


def decoded(codes: np.ndarray, uniques: Sequence[tuple]) -> np.ndarray:
    """An object column of tuples: `uniques[code]` for each row's code."""
    values = np.empty(len(uniques), dtype=object)
    values[:] = list(uniques)
    return values[codes] if len(codes) else np.empty(0, dtype=object)


def stage_codes(bits: np.ndarray) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Each row's code among the distinct stage lists, and those lists (sorted by name)."""
    codes, uniques = pd.factorize(bits)
    return np.asarray(codes), [stage_names(int(b)) for b in uniques]


def json_codes(texts: pd.Series) -> tuple[np.ndarray, list[tuple]]:
    """Each row's code among the distinct JSON lists of a column, and those lists as
    tuples."""
    codes, uniques = pd.factorize(texts)
    return np.asarray(codes), [tuple(json.loads(t)) for t in uniques]


def outcome_lists(bits: np.ndarray, outcomes: Sequence[str]
                  ) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Each row's code among the distinct sets of outcomes of a bits column, and those
    sets as sorted tuples."""
    order = sorted(set(outcomes))
    codes, uniques = pd.factorize(bits)
    return np.asarray(codes), [
        tuple(o for k, o in enumerate(order) if int(b) >> k & 1) for b in uniques
    ]


def ranks(uniques: Sequence[tuple]) -> np.ndarray:
    """The place of each distinct list in the order of lists (element by element, a
    list before the lists it begins), as DuckDB orders them."""
    order = sorted(range(len(uniques)), key=lambda k: uniques[k])
    out = np.empty(len(uniques), dtype=np.int64)
    out[order] = np.arange(len(uniques))
    return out


def list_order(leading: Sequence[pd.Series], lists: Sequence[tuple[np.ndarray, list[tuple]]],
               counts: np.ndarray) -> np.ndarray:
    """The positions that put rows sorted by the `leading` columns (as the query sorts
    them) into the order of the query's rows without `coded`: the leading columns, then
    each list (coded: the rows' codes and the distinct lists), then the count."""
    n = len(counts)
    changes = np.zeros(n, dtype=bool)
    for column in leading:
        values, _ = pd.factorize(column)  # missing values alike (code -1)
        changes[1:] |= values[1:] != values[:-1]
    run = np.cumsum(changes)
    keys = [counts]
    for codes, uniques in reversed(lists):
        keys.append(ranks(uniques)[codes] if n else codes)
    keys.append(run)
    return np.lexsort(keys)
