"""Small integer codes for the people frames, so that the grouping is done on numbers.

* a text value is coded as its position (1, 2, ...) in a list of the values seen, sorted;
* a set of such values (the crime types of a person's referrals) is coded as a bitmask:
  bit k - 1 is set when the value at position k is in the set, kept in words of
  `WORD_BITS` bits (one word per `WORD_BITS` values);
* yes/no flags (the stages reached, the outcome flags) are packed into the bits of one
  integer the same way, in the order given;
* several positions can be packed into one integer, each in a field of its own width
  (`field_widths`), to be aggregated together.

SQL builders give the DuckDB expressions; decoders turn each distinct code back into
values once, in Python.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

WORD_BITS = 62  # bits used in a signed 64-bit word (the sign bit stays clear)


def words_for(values: int) -> int:
    """How many words hold a set over `values` values (at least one)."""
    return max(1, -(-values // WORD_BITS))


def set_words_sql(position: str, values: int) -> list[str]:
    """Aggregates (one per word) giving the set of positions seen in a group, as bitmasks.

    position: a SQL expression for the value's position (1-based, null when missing).
    Each aggregate is 0 when no row of the group has a position in its word."""
    out = []
    for word in range(words_for(values)):
        first = word * WORD_BITS + 1
        last = first + WORD_BITS - 1
        out.append(
            f"coalesce(bit_or(case when {position} between {first} and {last} "
            f"then cast(1 as bigint) << ({position} - {first}) end), 0)"
        )
    return out


def flags_word_sql(flags: Sequence[str]) -> str:
    """An aggregate giving, as one bitmask, which flags hold in some row of the group:
    bit k for flags[k] (SQL boolean expressions that are never null)."""
    if not flags:
        return "cast(0 as bigint)"
    if len(flags) > WORD_BITS:
        raise ValueError(f"at most {WORD_BITS} flags fit in one word")
    bits = " | ".join(
        f"(cast({flag} as bigint) << {k})" if k else f"cast({flag} as bigint)"
        for k, flag in enumerate(flags)
    )
    return f"coalesce(bit_or({bits}), 0)"


def field_widths(sizes: Sequence[int]) -> list[int] | None:
    """Bits for each field holding a position 1..size, or None if they do not fit in a
    word together."""
    widths = [max(1, int(size).bit_length()) for size in sizes]
    return widths if sum(widths) <= WORD_BITS else None


def pack_sql(positions: Sequence[str], widths: Sequence[int]) -> str:
    """A SQL expression packing positions (never null) into one integer: the first in the
    lowest bits."""
    shifts = np.cumsum([0, *widths[:-1]]).tolist()
    return " | ".join(
        f"(cast({p} as bigint) << {shift})" if shift else f"cast({p} as bigint)"
        for p, shift in zip(positions, shifts, strict=True)
    )


def pack(positions: Sequence[int], widths: Sequence[int]) -> int:
    """`pack_sql` in Python, for constants."""
    shifts = np.cumsum([0, *widths[:-1]]).tolist()
    return sum(int(p) << s for p, s in zip(positions, shifts, strict=True))


def unpack(packed: np.ndarray, widths: Sequence[int], field: int) -> np.ndarray:
    """One field's positions from packed integers."""
    shift = int(sum(widths[:field]))
    return (np.asarray(packed, dtype=np.int64) >> shift) & ((1 << widths[field]) - 1)


def members(words: Sequence[int], values: Sequence[object]) -> tuple:
    """The values whose bits are set in a mask (given as its words), in the list's order."""
    out = []
    for k, value in enumerate(values):
        word, bit = divmod(k, WORD_BITS)
        if (int(words[word]) >> bit) & 1:
            out.append(value)
    return tuple(out)


def decode_sets(words: Sequence[np.ndarray], values: Sequence[object]) -> np.ndarray:
    """An object array of tuples (the members of each row's mask), decoding each distinct
    mask once. words: one integer array per word, all the same length."""
    if not len(words) or not len(words[0]):
        return np.empty(0, dtype=object)
    columns = [np.asarray(w, dtype=np.int64) for w in words]
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:  # one code per distinct combination of words
        which, uniques = pd.factorize(column)
        key, _ = pd.factorize(key * len(uniques) + which)
    row_of = np.empty(int(key.max()) + 1, dtype=np.int64)
    row_of[key] = np.arange(len(key))  # a row with each code (they have the same words)
    decoded = np.empty(len(row_of), dtype=object)
    for code, row in enumerate(row_of.tolist()):  # one by one: each element is a tuple
        decoded[code] = members([c[row] for c in columns], values)
    return decoded[key]


def flag(word: np.ndarray, k: int) -> np.ndarray:
    """Whether bit k is set in each mask, as booleans."""
    return (np.asarray(word, dtype=np.int64) >> k) & 1 == 1


def decode_values(positions: np.ndarray, values: Sequence[str]) -> pd.Series:
    """Text values from 1-based positions in `values`, as a column of pandas' default
    string type (built by Arrow, without a Python string per row)."""
    index = pa.array(np.asarray(positions, dtype=np.int64) - 1)
    taken = pa.array(list(values), type=pa.large_string()).take(index)
    return pd.Series(pd.array(taken, dtype="str"))
