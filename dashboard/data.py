"""The app's side of the data layer: one shared snapshot per warehouse file version, and
cached query results keyed by query, audience, filters and that version.

A script run (one page) leases the snapshot of the file at the warehouse path when the
run starts and sends every query of the page through it, so a rebuild that swaps the
file mid-page never gives the page a mix of two builds: the next run sees the new file
(a new stamp, so a new snapshot and new cache keys), without a restart. A snapshot the
cache lets go of closes when the last run holding it ends.

The audience is part of every cache key: results for one audience are never served to
another. It comes from the server side (dashboard/access.py), never from the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from metrics import queries
from metrics.period import Period

VIEW_KEY = "_hubvalue_view"
LEASE_ATTEMPTS = 5


@dataclass(frozen=True)
class View:
    """Everything a page needs to know about the current run."""

    snapshot: queries.WarehouseSnapshot = field(compare=False, repr=False)
    audience: str
    period: Period
    filters: queries.Filters
    money: bool
    build: tuple[tuple[str, object], ...]

    def build_value(self, name: str, default=None):
        return dict(self.build).get(name, default)


def _retire(snapshot: queries.WarehouseSnapshot) -> None:
    snapshot.retire()


@st.cache_resource(max_entries=4, on_release=_retire, show_spinner=False)
def _snapshot(path: str, stamp: str) -> queries.WarehouseSnapshot:
    """The shared read-only snapshot of the warehouse file that is at `path` at `stamp`."""
    return queries.WarehouseSnapshot(path)


@contextmanager
def leased_snapshot(path: str) -> Iterator[queries.WarehouseSnapshot | None]:
    """Hold the snapshot of the file now at `path` for one run (None: there is no file)."""
    for _ in range(LEASE_ATTEMPTS):
        stamp = queries.stamp(path)
        if stamp is None:
            yield None
            return
        snapshot = _snapshot(path, stamp)
        if snapshot.acquire():
            try:
                yield snapshot
            finally:
                snapshot.release()
            return
        # retired between the cache lookup and the lease: the cache no longer holds it
    raise queries.SnapshotClosed("could not hold a snapshot of the warehouse")


@st.cache_data(max_entries=1024, show_spinner=False)
def _run(name: str, audience: str, filters: tuple, version: str, kwargs: tuple,
         _snapshot: queries.WarehouseSnapshot) -> pd.DataFrame:
    return _snapshot.run(name, audience, queries.Filters(*filters), **dict(kwargs))


def run(snapshot: queries.WarehouseSnapshot, audience: str, name: str,
        filters: queries.Filters | None = None, **kwargs) -> pd.DataFrame:
    """Run a named query on the snapshot for the audience; cached per (query, audience,
    filters, arguments, file version)."""
    filters = filters or queries.Filters()
    key = (filters.first, filters.last, filters.agency, filters.crime_type)
    return _run(name, audience, key, f"{snapshot.path}|{snapshot.key}",
                tuple(sorted(kwargs.items())), snapshot)


def load(view: View, name: str, filters: queries.Filters | None = None, **kwargs
         ) -> pd.DataFrame:
    """Run a named query for the current view (its filters unless others are given)."""
    return run(view.snapshot, view.audience, name, filters or view.filters, **kwargs)


def current() -> View:
    return st.session_state[VIEW_KEY]
