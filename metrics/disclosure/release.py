"""The data model: tables of person counts over shared atomic cells, and their protected form.

A *release* is a set of published tables. Every cell of every table is the sum of some
*atomic cells*: groups of people who fall into the same cell of every table (for example
"2026/27-Q1, victim_support, female, white"). A total is the sum of the atomic cells of
its parts, and two tables that count the same people name the same atomic cells, so the
audit can see every linear relation between published figures.

`release_from_people` builds the tables from one frame of such groups (one row per group,
a `count` column of people); `Table` takes hand-made cells with explicit atom ids.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from metrics.disclosure.rules import (
    SENSITIVE_THRESHOLD,
    SUPPRESSED,
    THRESHOLD,
    TOTAL,
    is_total,
    rate,
    threshold_for,
    whole_count,
)

COUNT = "count"
ATOMS = "atoms"
DISPLAY = "display"
CELL_COLUMNS = ["table", "cell_id", "labels", "atoms", "hidden", "value", "reason", "floor"]
REASONS = ("", "primary", "secondary", "breakdown")
AUDIENCES = ("public", "pcc")


def cell_id(table: str, labels: Iterable[tuple[str, object]]) -> str:
    inner = ", ".join(f"{dim}={value}" for dim, value in labels)
    return f"{table}[{inner}]"


def _is_collection(value: object) -> bool:
    return isinstance(value, (list, tuple, set, frozenset, np.ndarray))


@dataclass(frozen=True)
class TableInfo:
    """What the audit needs to know about a table besides its cells."""

    name: str
    dims: tuple[str, ...]
    context: tuple[tuple[str, object], ...] = ()
    sensitive: bool = False

    def labels_of(self, labels: Iterable[tuple[str, object]]) -> dict[str, object]:
        """A cell's labels plus the table's fixed context (used for sensitivity)."""
        return {**dict(self.context), **dict(labels)}

    def threshold(self, labels: Iterable[tuple[str, object]]) -> int:
        return threshold_for(self.labels_of(labels), self.sensitive)


@dataclass(frozen=True, eq=False)
class Table:
    """One table of a release.

    cells: one row per published cell, with the `dims` columns (a total is labelled
    "all"), `count` (true, unrounded number of people) and `atoms` (a list of the ids of
    the atomic cells it sums). context: labels that hold for the whole table (for
    example {"agency": "lgbt"} for a table about one agency), used only to decide
    sensitivity. sensitive=True forces the 1..9 threshold on every cell.
    """

    name: str
    cells: pd.DataFrame
    dims: tuple[str, ...]
    context: Mapping[str, object] = field(default_factory=dict)
    sensitive: bool = False

    def __post_init__(self) -> None:
        if not self.name or not isinstance(self.name, str):
            raise ValueError("a table needs a name")
        object.__setattr__(self, "dims", tuple(self.dims))
        missing = [c for c in (*self.dims, COUNT, ATOMS) if c not in self.cells.columns]
        if missing:
            raise ValueError(f"table {self.name}: missing columns {missing}")
        for value in self.cells[COUNT]:
            whole_count(value, f"table {self.name}: count")
        seen = set()
        for labels, count, atoms in zip(
            self.labels(), self.cells[COUNT], self.cells[ATOMS], strict=True
        ):
            key = cell_id(self.name, labels)
            if key in seen:
                raise ValueError(f"table {self.name}: two cells have the labels {key}")
            seen.add(key)
            if isinstance(atoms, str) or not _is_collection(atoms):
                raise ValueError(f"table {self.name}: atoms must be a list of atomic cell ids")
            if int(count) > 0 and len(atoms) == 0:
                raise ValueError(f"table {self.name}: cell {key} counts people but has no atoms")

    @property
    def info(self) -> TableInfo:
        return TableInfo(self.name, self.dims, tuple(self.context.items()), self.sensitive)

    def labels(self) -> list[tuple[tuple[str, object], ...]]:
        columns = [self.cells[d].tolist() for d in self.dims]
        return (
            [tuple(zip(self.dims, values, strict=True)) for values in zip(*columns, strict=True)]
            if self.dims
            else [() for _ in range(len(self.cells))]
        )


@dataclass(frozen=True, eq=False)
class Release:
    """The tables to publish together, plus earlier releases for the same periods.

    earlier: ProtectedRelease objects already published; their figures are constraints
    the new release is audited against (their atom ids must mean the same people).
    """

    tables: tuple[Table, ...]
    earlier: tuple[ProtectedRelease, ...] = ()
    atom_scheme: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "tables", tuple(self.tables))
        object.__setattr__(self, "earlier", tuple(self.earlier))
        names = [t.name for t in self.tables]
        if len(set(names)) != len(names):
            raise ValueError("table names in a release must be unique")
        for previous in self.earlier:
            if (
                self.atom_scheme is not None
                and previous.atom_scheme is not None
                and previous.atom_scheme != self.atom_scheme
            ):
                raise ValueError(
                    "an earlier release uses different atomic cells; rebuild both from "
                    "people frames with the same columns"
                )


@dataclass(frozen=True)
class TableSpec:
    """How to cut a people frame into one table.

    dims: the columns that label the cells. totals: the dims that get an "all" margin
    (all of them gives every margin and the grand total). where: keep only people with
    these values (a multi-valued column matches when it contains the value).
    categories: the category list of a dim (default: every value seen in the frame).
    """

    name: str
    dims: Sequence[str]
    totals: Sequence[str] = ()
    where: Mapping[str, object] = field(default_factory=dict)
    sensitive: bool = False
    categories: Mapping[str, Sequence[object]] = field(default_factory=dict)


class _Atoms:
    """The atomic cells of a people frame, with membership masks per label."""

    def __init__(self, people: pd.DataFrame, count: str) -> None:
        if count not in people.columns:
            raise ValueError(f"the people frame has no {count!r} column")
        self.columns = sorted(c for c in people.columns if c != count)
        self.multi = {c: any(_is_collection(v) for v in people[c].tolist()) for c in self.columns}
        grouped: dict[tuple, int] = {}
        for row, n in zip(
            zip(*(people[c].tolist() for c in self.columns), strict=True),
            people[count].tolist(),
            strict=True,
        ):
            key = tuple(self._normalise(c, v) for c, v in zip(self.columns, row, strict=True))
            grouped[key] = grouped.get(key, 0) + whole_count(n, "people count")
        self.keys = list(grouped)
        self.counts = np.array(list(grouped.values()), dtype=np.int64)
        self.ids = np.array([self._atom_id(k) for k in self.keys], dtype=object)
        self._values = {c: [k[i] for k in self.keys] for i, c in enumerate(self.columns)}
        self._masks: dict[tuple[str, object], np.ndarray] = {}

    def _normalise(self, column: str, value: object) -> object:
        values = list(value) if _is_collection(value) else [value]
        for v in values:
            if v is None or (isinstance(v, float) and np.isnan(v)):
                raise ValueError(f"column {column}: missing values; use 'unknown'")
            if is_total(v):
                raise ValueError(f"column {column}: the value 'all' is reserved for totals")
        return frozenset(values) if self.multi[column] else value

    def _atom_id(self, key: tuple) -> str:
        parts = []
        for column, value in zip(self.columns, key, strict=True):
            shown = sorted(str(v) for v in value) if self.multi[column] else str(value)
            parts.append([column, shown])
        return json.dumps(parts)

    def categories(self, column: str) -> list[object]:
        values = self._values[column]
        found = {v for s in values for v in s} if self.multi[column] else set(values)
        return sorted(found, key=str)

    def mask(self, column: str, value: object) -> np.ndarray:
        key = (column, value)
        if key not in self._masks:
            if self.multi[column]:
                self._masks[key] = np.array([value in s for s in self._values[column]], bool)
            else:
                self._masks[key] = np.array([v == value for v in self._values[column]], bool)
        return self._masks[key]


def _table_from_spec(atoms: _Atoms, spec: TableSpec) -> Table:
    dims = tuple(spec.dims)
    unknown = [c for c in (*dims, *spec.where) if c not in atoms.columns]
    if unknown:
        raise ValueError(f"table {spec.name}: not columns of the people frame: {unknown}")
    if not set(spec.totals) <= set(dims):
        raise ValueError(f"table {spec.name}: totals must be among its dims")
    base = np.ones(len(atoms.ids), bool)
    for column, value in spec.where.items():
        base &= atoms.mask(column, value)
    axes = []
    for dim in dims:
        cats = list(spec.categories.get(dim, atoms.categories(dim)))
        if any(is_total(c) for c in cats):
            raise ValueError(f"table {spec.name}: 'all' is reserved for totals")
        axes.append(cats + ([TOTAL] if dim in spec.totals else []))
    rows = []
    for values in itertools.product(*axes):
        mask = base.copy()
        for dim, value in zip(dims, values, strict=True):
            if not is_total(value):
                mask &= atoms.mask(dim, value)
        rows.append(
            {
                **dict(zip(dims, values, strict=True)),
                COUNT: int(atoms.counts[mask].sum()),
                ATOMS: tuple(atoms.ids[mask]),
            }
        )
    cells = pd.DataFrame(rows, columns=[*dims, COUNT, ATOMS])
    return Table(spec.name, cells, dims, dict(spec.where), spec.sensitive)


def release_from_people(
    people: pd.DataFrame,
    specs: Sequence[TableSpec],
    *,
    count: str = COUNT,
    earlier: Sequence[ProtectedRelease] = (),
) -> Release:
    """Build a release whose tables all cut the same people.

    people: one row per group of people (any number of rows per group; they are added),
    the classifying columns and a `count` column of people. A column may hold a tuple or
    set of values per row (for example the agencies a person was referred to): the cell
    for a value then counts the people whose set contains it, and the total counts each
    person once.
    """
    atoms = _Atoms(people, count)
    tables = tuple(_table_from_spec(atoms, spec) for spec in specs)
    return Release(tables, tuple(earlier), tuple(atoms.columns))


@dataclass(frozen=True, eq=False)
class ProtectedRelease:
    """A release after disclosure control: published values only, no true counts.

    cells (internal, never written out as is): table, cell_id, labels, atoms, hidden,
    value (the published count, None when hidden), reason (why hidden: primary,
    secondary or breakdown) and floor (the least value an intruder may assume for a
    hidden cell). Write only what `table()` and `rates()` return.
    """

    tables: tuple[TableInfo, ...]
    cells: pd.DataFrame
    earlier: tuple[ProtectedRelease, ...] = ()
    atom_scheme: tuple[str, ...] | None = None
    audience: str = "public"

    def __post_init__(self) -> None:
        if self.audience not in AUDIENCES:
            raise ValueError(f"audience must be one of {AUDIENCES}")

    def protects(self, threshold: int) -> bool:
        """Whether a cell with this threshold had the rules applied (pcc: sensitive only)."""
        return self.audience == "public" or threshold >= SENSITIVE_THRESHOLD

    def info(self, name: str) -> TableInfo:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(f"no table {name!r} in this release")

    def table(self, name: str) -> pd.DataFrame:
        """The publishable frame: dims, `count` (Int64, missing when hidden), `display`."""
        info = self.info(name)
        rows = self.cells[self.cells["table"] == name]
        out = pd.DataFrame(
            {dim: [dict(labels)[dim] for labels in rows["labels"]] for dim in info.dims},
            index=range(len(rows)),
        )
        values = [
            None if hidden else int(v)
            for hidden, v in zip(rows["hidden"], rows["value"], strict=True)
        ]
        out[COUNT] = pd.array(values, dtype="Int64")
        out[DISPLAY] = [SUPPRESSED if v is None else str(v) for v in values]
        return out

    def rates(self, numerator: str, denominator: str, scale: float = 1.0) -> pd.DataFrame:
        """Rates from the published (rounded) counts of two tables with the same cells,
        in the numerator table's order.

        rate_status: published, withheld (a part is hidden) or empty_base (denominator 0).
        """
        num, den = self.info(numerator), self.info(denominator)
        if set(num.dims) != set(den.dims):
            raise ValueError("numerator and denominator tables must have the same dims")
        dims = list(num.dims)
        top, bottom = self.table(numerator), self.table(denominator)
        merged = top.merge(
            bottom,
            on=dims,
            how="left",
            suffixes=("_num", "_den"),
            validate="one_to_one",
            indicator=True,
        )
        if len(top) != len(bottom) or (merged["_merge"] != "both").any():
            raise ValueError("numerator and denominator tables must have the same cells")
        figures = [
            rate(None if pd.isna(n) else int(n), None if pd.isna(d) else int(d), scale)
            for n, d in zip(merged[f"{COUNT}_num"], merged[f"{COUNT}_den"], strict=True)
        ]
        return pd.DataFrame(
            {
                **{dim: merged[dim] for dim in dims},
                "numerator": merged[f"{COUNT}_num"],
                "denominator": merged[f"{COUNT}_den"],
                "rate": pd.array([f.value for f in figures], dtype="Float64"),
                "rate_status": [f.status for f in figures],
            }
        )

    def legend(self, name: str) -> str:
        """The footnote for a table: what [c] means and how counts are rounded."""
        info = self.info(name)
        rows = self.cells[self.cells["table"] == name]
        thresholds = sorted({info.threshold(labels) for labels in rows["labels"]})
        if self.audience == "pcc":
            return (
                f"Figures about a sensitive group: {SUPPRESSED} means fewer than "
                f"{SENSITIVE_THRESHOLD} people or hidden so that another hidden figure cannot "
                "be worked out, and counts are rounded to the nearest 5. Other counts are "
                "exact, except where hidden as [c] to protect a sensitive figure."
            )
        if thresholds == [THRESHOLD, SENSITIVE_THRESHOLD]:
            fewer = (
                f"fewer than {THRESHOLD} people (fewer than {SENSITIVE_THRESHOLD} for "
                "figures about a sensitive group)"
            )
        else:
            fewer = f"fewer than {thresholds[0] if thresholds else THRESHOLD} people"
        return (
            f"{SUPPRESSED}: {fewer}, or hidden so that another hidden figure cannot be "
            "worked out. Counts are of people, rounded to the nearest 5; totals are "
            "rounded separately, so they may differ from the sum of their parts."
        )

    def to_dict(self) -> dict:
        """A JSON-ready form (for keeping a release to audit later ones against)."""
        return {
            "tables": [
                {
                    "name": t.name,
                    "dims": list(t.dims),
                    "context": [list(p) for p in t.context],
                    "sensitive": t.sensitive,
                }
                for t in self.tables
            ],
            "cells": [
                {
                    "table": r.table,
                    "labels": [list(p) for p in r.labels],
                    "atoms": list(r.atoms),
                    "hidden": bool(r.hidden),
                    "value": None if r.hidden else int(r.value),
                    "reason": r.reason,
                    "floor": int(r.floor),
                }
                for r in self.cells.itertuples(index=False)
            ],
            "earlier": [e.to_dict() for e in self.earlier],
            "atom_scheme": None if self.atom_scheme is None else list(self.atom_scheme),
            "audience": self.audience,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> ProtectedRelease:
        tables = tuple(
            TableInfo(
                t["name"],
                tuple(t["dims"]),
                tuple(tuple(p) for p in t["context"]),
                bool(t["sensitive"]),
            )
            for t in data["tables"]
        )
        cells = make_cells(
            [
                (
                    c["table"],
                    tuple(tuple(p) for p in c["labels"]),
                    tuple(c["atoms"]),
                    c["hidden"],
                    c["value"],
                    c["reason"],
                    c["floor"],
                )
                for c in data["cells"]
            ]
        )
        earlier = tuple(cls.from_dict(e) for e in data.get("earlier", []))
        scheme = data.get("atom_scheme")
        return cls(
            tables,
            cells,
            earlier,
            None if scheme is None else tuple(scheme),
            data.get("audience", "public"),
        )


def make_cells(rows: Sequence[tuple]) -> pd.DataFrame:
    """Cells of a ProtectedRelease from (table, labels, atoms, hidden, value, reason, floor)."""
    records = []
    for table, labels, atoms, hidden, value, reason, floor in rows:
        if reason not in REASONS:
            raise ValueError("unknown suppression reason")
        records.append(
            {
                "table": table,
                "cell_id": cell_id(table, labels),
                "labels": tuple(labels),
                "atoms": tuple(str(a) for a in atoms),
                "hidden": bool(hidden),
                "value": None if hidden else value,
                "reason": reason,
                "floor": int(floor),
            }
        )
    frame = pd.DataFrame(records, columns=CELL_COLUMNS)
    frame["value"] = pd.Series([r["value"] for r in records], dtype=object)
    return frame
