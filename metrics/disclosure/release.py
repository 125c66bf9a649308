"""The data model: tables of person counts over shared atomic cells, and their protected form.

A *release* is a set of published tables. Every cell of every table is the sum of some
*atomic cells*: groups of people the tables can tell apart (metrics/disclosure/atoms.py).
A total is the sum of the atomic cells of its parts, two tables that count the same people
name the same atomic cells, and the atoms of columns no table crosses are tied by *links*
(their sums are equal), so the audit sees every linear relation between published figures.

`release_from_people` builds the tables from one frame of groups of people (one row per
group, a `count` column of people); `Table` takes hand-made cells with explicit atom ids.
`combine_releases` puts releases cut from different frames (different people) together.

A protected release can be kept without its atoms (`to_dict(atoms=False)`): it then
records each table's spec, and `release_from_people(..., earlier=[...])` binds it again to
the atoms of a new frame, so the new release is audited against it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from metrics.disclosure.atoms import PeopleAtoms, is_collection
from metrics.disclosure.rules import (
    SENSITIVE_THRESHOLD,
    SUPPRESSED,
    THRESHOLD,
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


@dataclass(frozen=True)
class TableInfo:
    """What the audit needs to know about a table besides its cells."""

    name: str
    dims: tuple[str, ...]
    context: tuple[tuple[str, object], ...] = ()
    sensitive: bool = False
    spec: TableSpec | None = None  # how it was cut from a people frame (None: by hand)
    namespace: str = ""  # which people frame

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
    spec: TableSpec | None = None
    namespace: str = ""

    def __post_init__(self) -> None:
        if not self.name or not isinstance(self.name, str):
            raise ValueError("a table needs a name")
        object.__setattr__(self, "dims", tuple(self.dims))
        missing = [c for c in (*self.dims, COUNT, ATOMS) if c not in self.cells.columns]
        if missing:
            raise ValueError(f"table {self.name}: missing columns {missing}")
        counts = self.cells[COUNT].tolist()
        for value in counts:
            whole_count(value, f"table {self.name}: count")
        seen = set()
        for labels, count, atoms in zip(
            self.labels(), counts, self.cells[ATOMS].tolist(), strict=True
        ):
            key = cell_id(self.name, labels)
            if key in seen:
                raise ValueError(f"table {self.name}: two cells have the labels {key}")
            seen.add(key)
            if isinstance(atoms, str) or not is_collection(atoms):
                raise ValueError(f"table {self.name}: atoms must be a list of atomic cell ids")
            if int(count) > 0 and len(atoms) == 0:
                raise ValueError(f"table {self.name}: cell {key} counts people but has no atoms")

    @property
    def info(self) -> TableInfo:
        return TableInfo(
            self.name,
            self.dims,
            tuple(self.context.items()),
            self.sensitive,
            self.spec,
            self.namespace,
        )

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

    earlier: ProtectedRelease objects already published, bound to the same atomic cells;
    their figures are constraints the new release is audited against. links: pairs of
    atom sets whose sums are equal (groups of atoms that split the same people).
    """

    tables: tuple[Table, ...]
    earlier: tuple[ProtectedRelease, ...] = ()
    atom_scheme: tuple[str, ...] | None = None
    links: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "tables", tuple(self.tables))
        object.__setattr__(self, "earlier", tuple(self.earlier))
        object.__setattr__(self, "links", tuple(self.links))
        names = [t.name for t in self.tables]
        if len(set(names)) != len(names):
            raise ValueError("table names in a release must be unique")
        for previous in self.earlier:
            if not previous.bound:
                raise ValueError(
                    "an earlier release kept without its atoms must be bound to a people "
                    "frame first: pass it to release_from_people(..., earlier=[...])"
                )
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


def _table_from_spec(atoms: PeopleAtoms, spec: TableSpec, namespace: str) -> Table:
    cells = atoms.cells(spec)
    return Table(
        spec.name, cells, tuple(spec.dims), dict(spec.where), spec.sensitive, spec, namespace
    )


def release_from_people(
    people: pd.DataFrame,
    specs: Sequence[TableSpec],
    *,
    count: str = COUNT,
    earlier: Sequence[ProtectedRelease] = (),
    namespace: str = "",
    earlier_counts: Sequence[Mapping[str, int] | None] = (),
) -> Release:
    """Build a release whose tables all cut the same people.

    people: one row per group of people (any number of rows per group; they are added),
    the classifying columns and a `count` column of people. A column may hold a tuple or
    set of values per row (for example the agencies a person was referred to): the cell
    for a value then counts the people whose set contains it, and the total counts each
    person once.

    earlier: releases already published for the same people. One kept with its atoms
    is audited as it is: an atom id names the same group of people in every release of
    the namespace (the same values of the same linked columns), so cut the tables the same
    way. One kept without them (`to_dict(atoms=False)`) is bound to this frame: its tables
    of this `namespace` are cut again from it (the frame must have their columns and be
    able to make their figures), which relates them exactly to the new tables however
    these are cut. Its tables of another namespace are left out: bind them with the
    release of their own frame and put the two together with `combine_releases`.
    namespace: names the frame's people, so that atoms of different frames never meet.
    earlier_counts: for each earlier release (same order), None or the true count each of
    its cells was published from ({cell_id: count}, kept privately with it). A release
    bound with its counts is a *revision* of the same people: each cell's bounds move by
    what its count has gained since, as if the intruder knew every change, so old and new
    figures never contradict each other and differencing the two is caught.
    """
    specs = list(specs)
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ValueError("table names in a release must be unique")
    unbound = [e for e in earlier if not e.bound]
    own = [t.spec for e in unbound for t in e.tables if _binds(t, namespace)]
    atoms = PeopleAtoms(people, count, [*specs, *own], namespace)
    tables = tuple(_table_from_spec(atoms, spec, namespace) for spec in specs)
    counts = list(earlier_counts) + [None] * (len(earlier) - len(earlier_counts))
    bound = []
    for previous, old_counts in zip(earlier, counts, strict=True):
        if previous.bound:
            bound.append(previous)
            continue
        part = bind_release(previous, atoms, namespace, old_counts)
        if part is not None:
            bound.append(part)
    return Release(tables, tuple(bound), atoms.scheme, atoms.links)


def _binds(info: TableInfo, namespace: str) -> bool:
    return info.spec is not None and info.namespace == namespace


def bind_release(
    previous: ProtectedRelease,
    atoms: PeopleAtoms,
    namespace: str,
    counts: Mapping[str, int] | None = None,
) -> ProtectedRelease | None:
    """The tables of `previous` cut from frames of `namespace`, with their cells' atoms
    made again from `atoms` (None if it has no such table). The published values, hidden
    flags and reasons are kept. counts: the true count each cell was published from; each
    cell then records its `shift` (its count now minus that count)."""
    infos = [t for t in previous.tables if _binds(t, namespace)]
    if not infos:
        return None
    rows, shifts = [], []
    for info in infos:
        kept = previous.cells[previous.cells["table"] == info.name]
        seen: dict[str, list] = {dim: [] for dim in info.dims}
        for labels in kept["labels"]:
            for dim, value in labels:
                if not is_total(value) and value not in seen[dim]:
                    seen[dim].append(value)
        cells = atoms.cells(info.spec, categories=seen)
        made = {
            cell_id(info.name, tuple(zip(info.dims, values, strict=True))): (a, n)
            for values, a, n in zip(
                zip(*(cells[d].tolist() for d in info.dims), strict=True)
                if info.dims
                else [()] * len(cells),
                cells[ATOMS],
                cells[COUNT],
                strict=True,
            )
        }
        for row in kept.itertuples(index=False):
            if row.cell_id not in made:
                raise ValueError(
                    f"an earlier release has a cell this people frame cannot make: {row.cell_id}"
                )
            cell_atoms, now = made[row.cell_id]
            rows.append(
                (row.table, row.labels, cell_atoms, row.hidden, row.value, row.reason,
                 row.floor)
            )
            if counts is not None and row.cell_id not in counts:
                raise ValueError(f"no count kept for the earlier cell {row.cell_id}")
            shifts.append(0 if counts is None else int(now) - int(counts[row.cell_id]))
    cells_frame = make_cells(rows)
    cells_frame["shift"] = shifts
    return ProtectedRelease(
        tuple(infos), cells_frame, (), atoms.scheme, previous.audience, (), True
    )


def combine_releases(releases: Sequence[Release]) -> Release:
    """Releases cut from different people frames (different namespaces), published and
    audited together: their tables, earlier releases and links side by side."""
    return Release(
        tuple(t for r in releases for t in r.tables),
        tuple(e for r in releases for e in r.earlier),
        None,
        tuple(link for r in releases for link in r.links),
    )


@dataclass(frozen=True, eq=False)
class ProtectedRelease:
    """A release after disclosure control: published values only, no true counts.

    cells (internal, never written out as is): table, cell_id, labels, atoms, hidden,
    value (the published count, None when hidden), reason (why hidden: primary,
    secondary or breakdown) and floor (the least value an intruder may assume for a
    hidden cell). Write only what `table()` and `rates()` return.

    links: pairs of atom sets with equal sums (see `Release`). bound: False for a release
    kept without its atoms (`to_dict(atoms=False)`): it can still give its tables, but it
    must be bound to a people frame (`release_from_people(..., earlier=[...])`) before an
    audit can use it.
    """

    tables: tuple[TableInfo, ...]
    cells: pd.DataFrame
    earlier: tuple[ProtectedRelease, ...] = ()
    atom_scheme: tuple[str, ...] | None = None
    audience: str = "public"
    links: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    bound: bool = True

    def __post_init__(self) -> None:
        if self.audience not in AUDIENCES:
            raise ValueError(f"audience must be one of {AUDIENCES}")
        object.__setattr__(self, "links", tuple(self.links))

    def protects(self, threshold: int) -> bool:
        """Whether a cell with this threshold had the rules applied (pcc: sensitive only)."""
        return self.audience == "public" or threshold >= SENSITIVE_THRESHOLD

    def info(self, name: str) -> TableInfo:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(f"no table {name!r} in this release")

    def _rows(self, name: str) -> dict[str, list]:
        """The cells of one table as lists (labels, hidden, value), in order."""
        cache = self.__dict__.get("_by_table")
        if cache is None:
            cache = {}
            for table, labels, hidden, value in zip(
                self.cells["table"].tolist(),
                self.cells["labels"].tolist(),
                self.cells["hidden"].tolist(),
                self.cells["value"].tolist(),
                strict=True,
            ):
                part = cache.setdefault(table, {"labels": [], "hidden": [], "value": []})
                part["labels"].append(labels)
                part["hidden"].append(hidden)
                part["value"].append(value)
            object.__setattr__(self, "_by_table", cache)
        return cache.get(name, {"labels": [], "hidden": [], "value": []})

    def published(self, name: str) -> list[tuple[dict[str, object], int | None]]:
        """A table's cells as (labels, published count or None when hidden), in order:
        what `table()` gives, without building a frame."""
        rows = self._rows(name)
        return [
            (dict(labels), None if hidden else int(value))
            for labels, hidden, value in zip(
                rows["labels"], rows["hidden"], rows["value"], strict=True
            )
        ]

    def table(self, name: str) -> pd.DataFrame:
        """The publishable frame: dims, `count` (Int64, missing when hidden), `display`."""
        info = self.info(name)
        rows = self._rows(name)
        out = pd.DataFrame(
            {dim: [dict(labels)[dim] for labels in rows["labels"]] for dim in info.dims},
            index=range(len(rows["labels"])),
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
        thresholds = sorted({info.threshold(labels) for labels in self._rows(name)["labels"]})
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

    def to_dict(self, atoms: bool = True, earlier: bool = True) -> dict:
        """A JSON-ready form (for keeping a release to audit later ones against).

        atoms=False leaves the atomic cells out (they can be as many as the groups of
        people) and keeps each table's spec instead: every table must have been cut from a
        people frame. earlier=False leaves out the releases it was audited against.
        """
        if not atoms and any(t.spec is None for t in self.tables):
            raise ValueError("a hand-made table can only be kept with its atoms")
        return {
            "tables": [
                {
                    "name": t.name,
                    "dims": list(t.dims),
                    "context": [list(p) for p in t.context],
                    "sensitive": t.sensitive,
                    "namespace": t.namespace,
                    "spec": None if t.spec is None else spec_to_dict(t.spec),
                }
                for t in self.tables
            ],
            "cells": [
                {
                    "table": r.table,
                    "labels": [list(p) for p in r.labels],
                    **({"atoms": list(r.atoms)} if atoms else {}),
                    "hidden": bool(r.hidden),
                    "value": None if r.hidden else int(r.value),
                    "reason": r.reason,
                    "floor": int(r.floor),
                }
                for r in self.cells.itertuples(index=False)
            ],
            "earlier": [e.to_dict(atoms, earlier) for e in self.earlier] if earlier else [],
            "atom_scheme": None if self.atom_scheme is None else list(self.atom_scheme),
            "audience": self.audience,
            "links": [[list(a), list(b)] for a, b in self.links] if atoms else [],
            "bound": bool(atoms and self.bound),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> ProtectedRelease:
        tables = tuple(
            TableInfo(
                t["name"],
                tuple(t["dims"]),
                tuple(tuple(p) for p in t["context"]),
                bool(t["sensitive"]),
                None if t.get("spec") is None else spec_from_dict(t["spec"]),
                t.get("namespace", ""),
            )
            for t in data["tables"]
        )
        bound = bool(data.get("bound", True)) and all("atoms" in c for c in data["cells"])
        cells = make_cells(
            [
                (
                    c["table"],
                    tuple(tuple(p) for p in c["labels"]),
                    tuple(c.get("atoms", ())),
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
        links = tuple((tuple(a), tuple(b)) for a, b in data.get("links", []))
        return cls(
            tables,
            cells,
            earlier,
            None if scheme is None else tuple(scheme),
            data.get("audience", "public"),
            links,
            bound,
        )


def spec_to_dict(spec: TableSpec) -> dict:
    return {
        "name": spec.name,
        "dims": list(spec.dims),
        "totals": list(spec.totals),
        "where": [[k, v] for k, v in spec.where.items()],
        "sensitive": bool(spec.sensitive),
        "categories": [[k, list(v)] for k, v in spec.categories.items()],
    }


def spec_from_dict(data: Mapping) -> TableSpec:
    return TableSpec(
        data["name"],
        tuple(data["dims"]),
        tuple(data["totals"]),
        {k: v for k, v in data["where"]},
        bool(data["sensitive"]),
        {k: tuple(v) for k, v in data["categories"]},
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
