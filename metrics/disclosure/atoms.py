"""The atomic cells of a people frame: the groups of people the tables can tell apart.

A table cuts the people frame by some columns: its dims and its `where` filters. Columns
that one table uses together are *linked*, and each set of linked columns (a *group*)
gets its own atomic cells: the combinations of the group's values seen in the frame, with
the number of people in each. Every group's atomic cells split the same people, the
frame's *population* (an atom of its own), so each group's sum equals the population; each
such relation (a *link*) reaches the audit as an equality. Columns that no table uses
together are not crossed. The audit then knows what an intruder knows from the tables
(each table's own cells, and that every table of the frame counts the same people), and
the linear programmes stay small however many people there are.

A column that holds one value for everyone (the period of a one-period frame) and has
no other category listed, and a `where` filter everyone meets, split nobody: they join no
group. A table that uses no other column counts everyone: its cells are made of the
population atom. A combination of values nobody has (a listed category with nobody in it)
is an atom with no people: the audit, like an intruder, does not know it is empty unless
a published 0 says so.

Atom ids are JSON: `[namespace, [[column, value], ...]]`, or `[namespace, "population"]`.
The namespace keeps apart the atoms of frames that count different people; within one
namespace the same id means the same group of people in every release (the same values
of the same linked columns, and the same population), which is how a release is audited
against earlier ones.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from metrics.disclosure.rules import is_total

if TYPE_CHECKING:
    from metrics.disclosure.release import TableSpec

COUNT = "count"
ATOMS = "atoms"
POPULATION = "population"


def is_collection(value: object) -> bool:
    return isinstance(value, (list, tuple, set, frozenset, np.ndarray))


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def whole_counts(series: pd.Series, what: str = "people count") -> np.ndarray:
    """A column of counts as int64; ValueError (without a value) unless every entry is a
    non-negative whole number."""
    message = f"{what} must be a non-negative whole number"
    values = series.to_numpy()
    if values.dtype == bool or (
        values.dtype == object
        and any(isinstance(v, bool) or not isinstance(v, Real) for v in values.tolist())
    ):
        raise ValueError(message)
    try:
        numbers = values.astype(float)
    except (TypeError, ValueError):
        raise ValueError(message) from None
    if len(numbers) and (
        not np.all(np.isfinite(numbers))
        or np.any(numbers < 0)
        or np.any(numbers != np.floor(numbers))
    ):
        raise ValueError(message)
    return numbers.astype(np.int64)


@dataclass(frozen=True)
class Column:
    """One classifying column, coded: `codes[row]` indexes `values` (a frozenset of
    values per row for a multi-valued column)."""

    name: str
    multi: bool
    codes: np.ndarray
    values: tuple

    @classmethod
    def encode(cls, name: str, series: pd.Series) -> Column:
        try:
            codes, uniques = pd.factorize(series, use_na_sentinel=False)
            raw = list(uniques)
        except TypeError:  # unhashable values (arrays): make them tuples first
            series = series.map(lambda v: tuple(v) if is_collection(v) else v)
            codes, uniques = pd.factorize(series, use_na_sentinel=False)
            raw = list(uniques)
        codes = np.asarray(codes, dtype=np.int64)
        multi = any(is_collection(v) for v in raw)
        for value in raw:
            for element in list(value) if is_collection(value) else [value]:
                if _is_missing(element):
                    raise ValueError(f"column {name}: missing values; use 'unknown'")
                if is_total(element):
                    raise ValueError(f"column {name}: the value 'all' is reserved for totals")
        if not multi:
            return cls(name, False, codes, tuple(raw))
        index: dict[frozenset, int] = {}
        remap = np.array(
            [
                index.setdefault(frozenset(list(v) if is_collection(v) else [v]), len(index))
                for v in raw
            ],
            dtype=np.int64,
        )
        return cls(name, True, remap[codes] if len(codes) else codes, tuple(index))

    @property
    def constant(self) -> bool:
        return len(self.values) <= 1

    def with_categories(self, categories: Sequence[object]) -> Column:
        """The column with listed categories nobody has added to its values (their codes
        are used by no row)."""
        values = list(self.values)
        known = {v for s in values for v in s} if self.multi else set(values)
        for category in categories:
            if category not in known:
                values.append(frozenset([category]) if self.multi else category)
                known.add(category)
        return Column(self.name, self.multi, self.codes, tuple(values))

    def categories(self) -> list[object]:
        found = {v for s in self.values for v in s} if self.multi else set(self.values)
        return sorted(found, key=str)

    def members(self, value: object) -> np.ndarray:
        """For each coded value: whether it is (or, multi-valued, contains) `value`."""
        if self.multi:
            return np.array([value in s for s in self.values], dtype=bool)
        return np.array([v == value for v in self.values], dtype=bool)

    def shown(self, code: int) -> object:
        value = self.values[code]
        return sorted(str(v) for v in value) if self.multi else str(value)


@dataclass(frozen=True)
class GroupAtoms:
    """The atomic cells of one group of linked columns (no columns: the population)."""

    columns: tuple[str, ...]
    keys: np.ndarray  # atoms x columns: the code of each column
    counts: np.ndarray
    ids: np.ndarray  # object array of atom ids


class PeopleAtoms:
    """The atomic cells of a people frame for a set of table specs.

    `specs` must include every table that will be cut from these atoms (the tables of an
    earlier release bound to this frame too): they decide which columns are linked.
    """

    def __init__(
        self,
        people: pd.DataFrame,
        count: str,
        specs: Sequence[TableSpec],
        namespace: str = "",
    ) -> None:
        if count not in people.columns:
            raise ValueError(f"the people frame has no {count!r} column")
        self.namespace = namespace
        self.counts = whole_counts(people[count])
        names = sorted(str(c) for c in people.columns if c != count)
        self.columns = {c: Column.encode(c, people[c]) for c in names}
        for spec in specs:
            self._check(spec)
        listed: dict[str, list] = {}
        for spec in specs:
            for dim, cats in spec.categories.items():
                listed.setdefault(dim, []).extend(cats)
        for column, cats in listed.items():
            if column in self.columns:
                self.columns[column] = self.columns[column].with_categories(cats)
        self.groups = self._groups(specs)
        self._atoms = {group: self._group_atoms(group) for group in self.groups}
        self.links = self._links()
        self.scheme = (f"namespace={namespace}", "columns=" + ",".join(names))

    # --- structure ---------------------------------------------------------------------

    def _check(self, spec: TableSpec) -> None:
        unknown = [c for c in (*spec.dims, *spec.where) if c not in self.columns]
        if unknown:
            raise ValueError(f"table {spec.name}: not columns of the people frame: {unknown}")
        if not set(spec.totals) <= set(spec.dims):
            raise ValueError(f"table {spec.name}: totals must be among its dims")
        for cats in spec.categories.values():
            if any(is_total(c) for c in cats):
                raise ValueError(f"table {spec.name}: 'all' is reserved for totals")

    def _filter_rows(self, column: str, value: object) -> np.ndarray:
        col = self.columns[column]
        return col.members(value)[col.codes]

    def splitting(self, spec: TableSpec) -> tuple[str, ...]:
        """The columns of a table that tell people apart in this frame."""
        used = {d for d in spec.dims if not self.columns[d].constant}
        for column, value in spec.where.items():
            rows = self._filter_rows(column, value)
            if rows.any() and not rows.all():
                used.add(column)
        return tuple(sorted(used))

    def _groups(self, specs: Sequence[TableSpec]) -> list[tuple[str, ...]]:
        parent: dict[str, str] = {}

        def root(c: str) -> str:
            while parent[c] != c:
                parent[c] = parent[parent[c]]
                c = parent[c]
            return c

        for spec in specs:
            used = self.splitting(spec)
            for c in used:
                parent.setdefault(c, c)
            for a, b in itertools.pairwise(used):
                parent[root(a)] = root(b)
        members: dict[str, list[str]] = {}
        for c in parent:
            members.setdefault(root(c), []).append(c)
        groups = sorted(tuple(sorted(m)) for m in members.values())
        return [(), *groups]

    def _group_atoms(self, group: tuple[str, ...]) -> GroupAtoms:
        n = len(self.counts)
        if not group:
            key = json.dumps([self.namespace, POPULATION])
            counts = np.array([int(self.counts.sum())] if n else [], dtype=np.int64)
            ids = np.array([key] if n else [], dtype=object)
            return GroupAtoms(group, np.zeros((len(ids), 0), dtype=np.int64), counts, ids)
        matrix = np.stack([self.columns[c].codes for c in group], axis=1)
        sizes = [len(self.columns[c].values) for c in group]
        keys, inverse = _unique_rows(matrix, sizes)
        counts = np.bincount(inverse, weights=self.counts, minlength=len(keys))
        keys, counts = _with_empty_combinations(keys, counts, sizes)
        ids = np.array(
            [
                json.dumps(
                    [
                        self.namespace,
                        [[c, self.columns[c].shown(int(k))] for c, k in zip(group, key, strict=True)],
                    ]
                )
                for key in keys.tolist()
            ],
            dtype=object,
        )
        return GroupAtoms(group, keys, np.rint(counts).astype(np.int64), ids)

    def _links(self) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
        """Every group counts the frame's people: its atoms add up to the population."""
        population = tuple(self._atoms[()].ids.tolist())
        if not population:
            return ()
        return tuple(
            (tuple(self._atoms[g].ids.tolist()), population) for g in self.groups if g
        )

    # --- tables ------------------------------------------------------------------------

    def _mask(self, atoms: GroupAtoms, column: str, value: object) -> np.ndarray:
        """Which atoms of the group have (or contain) `value` in `column`."""
        col = self.columns[column]
        if column in atoms.columns:
            j = atoms.columns.index(column)
            return col.members(value)[atoms.keys[:, j]]
        everyone = bool(self._filter_rows(column, value).all()) if len(col.codes) else False
        return np.full(len(atoms.ids), everyone, dtype=bool)

    def cells(self, spec: TableSpec, categories: Mapping[str, Sequence[object]] | None = None
              ) -> pd.DataFrame:
        """The cells of a table: its dims, `count` and `atoms` (the atom ids it sums)."""
        dims = tuple(spec.dims)
        used = self.splitting(spec)
        group = next(g for g in self.groups if set(used) <= set(g) and (used or not g))
        atoms = self._atoms[group]
        base = np.ones(len(atoms.ids), dtype=bool)
        for column, value in spec.where.items():
            base &= self._mask(atoms, column, value)
        chosen = {**spec.categories, **(categories or {})}
        axes = []
        for dim in dims:
            cats = list(chosen.get(dim, self.columns[dim].categories()))
            axes.append(cats + (["all"] if dim in spec.totals else []))
        masks: dict[tuple[str, object], np.ndarray] = {}
        rows = []
        for values in itertools.product(*axes):
            mask = base.copy()
            for dim, value in zip(dims, values, strict=True):
                if not is_total(value):
                    key = (dim, value)
                    if key not in masks:
                        masks[key] = self._mask(atoms, dim, value)
                    mask &= masks[key]
            rows.append(
                {
                    **dict(zip(dims, values, strict=True)),
                    COUNT: int(atoms.counts[mask].sum()),
                    ATOMS: tuple(atoms.ids[mask].tolist()),
                }
            )
        return pd.DataFrame(rows, columns=[*dims, COUNT, ATOMS])



MAX_EMPTY_COMBINATIONS = 4096
DIRECT_COUNT_LIMIT = 1 << 16  # distinct rows found by counting when they pack below this


def _with_empty_combinations(
    keys: np.ndarray, counts: np.ndarray, sizes: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Add an atom with nobody in it for every combination of the group's values that
    nobody has (when there are at most MAX_EMPTY_COMBINATIONS combinations). An intruder
    does not know that a combination is empty unless a published 0 says so, so neither
    does the audit: a hidden cell of a category nobody is in can still hold people."""
    total = math.prod(max(s, 1) for s in sizes)
    if total > MAX_EMPTY_COMBINATIONS or total == len(keys):
        return keys, counts
    grid = np.array(list(itertools.product(*(range(s) for s in sizes))), dtype=np.int64)
    seen = {tuple(k) for k in keys.tolist()}
    empty = np.array([g for g in grid.tolist() if tuple(g) not in seen], dtype=np.int64)
    if not len(empty):
        return keys, counts
    return (
        np.concatenate([keys, empty.reshape(-1, keys.shape[1])]),
        np.concatenate([counts, np.zeros(len(empty))]),
    )


def _unique_rows(matrix: np.ndarray, sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a matrix of codes (sorted) and each row's position among them.
    `sizes`: how many codes each column has (to pack a row into one integer)."""
    total = math.prod(max(s, 1) for s in sizes)
    if total < 2**62:
        packed = np.zeros(len(matrix), dtype=np.int64)
        for j, size in enumerate(sizes):
            packed = packed * max(size, 1) + matrix[:, j]
        if total <= max(DIRECT_COUNT_LIMIT, 4 * len(matrix)):
            return _unique_packed(packed, sizes, total)
        unique, first, inverse = np.unique(packed, return_index=True, return_inverse=True)
        return matrix[first], np.asarray(inverse).reshape(-1)
    keys, inverse = np.unique(matrix, axis=0, return_inverse=True)
    return keys, np.asarray(inverse).reshape(-1)


def _unique_packed(
    packed: np.ndarray, sizes: list[int], total: int
) -> tuple[np.ndarray, np.ndarray]:
    """`_unique_rows` for rows packed into integers below `total`, by counting (no sort):
    the same sorted distinct rows and positions."""
    present = np.bincount(packed, minlength=total) > 0
    unique = np.flatnonzero(present)
    rank = np.cumsum(present) - 1
    keys = np.empty((len(unique), len(sizes)), dtype=np.int64)
    rest = unique.astype(np.int64)
    for j in range(len(sizes) - 1, -1, -1):
        size = max(sizes[j], 1)
        keys[:, j] = rest % size
        rest = rest // size
    return keys, rank[packed].astype(np.int64)
