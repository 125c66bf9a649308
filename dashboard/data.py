"""The app's side of the data layer: one cached connection per warehouse file, cached
query results keyed by query, filters, audience and the warehouse file's identity.

A rebuild replaces the warehouse file (a new inode), so its stamp changes: the next
interaction opens a new connection and misses the old cache entries, without a
restart. The old connection is closed when the cache evicts it.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd
import streamlit as st

from dashboard.periods import Period
from metrics import queries

VIEW_KEY = "_hubvalue_view"


@dataclass(frozen=True)
class View:
    """Everything a page needs to know about the current run."""

    db_path: str
    stamp: str
    audience: str
    period: Period
    filters: queries.Filters
    money: bool
    build: tuple[tuple[str, object], ...]

    def build_value(self, name: str, default=None):
        return dict(self.build).get(name, default)


def _close(con: duckdb.DuckDBPyConnection) -> None:
    con.close()


@st.cache_resource(max_entries=2, on_release=_close, show_spinner=False)
def connection(path: str, stamp: str) -> duckdb.DuckDBPyConnection:
    """The read-only connection to the warehouse file as it is at `stamp`."""
    return queries.connect(path)


@st.cache_data(max_entries=1024, show_spinner=False)
def _run(name: str, audience: str, filters: tuple, path: str, stamp: str,
         kwargs: tuple) -> pd.DataFrame:
    con = connection(path, stamp)
    return queries.QUERIES[name].function(con, audience, queries.Filters(*filters),
                                          **dict(kwargs))


def run(path: str, stamp: str, audience: str, name: str,
        filters: queries.Filters | None = None, **kwargs) -> pd.DataFrame:
    filters = filters or queries.Filters()
    key = (filters.first, filters.last, filters.agency, filters.crime_type)
    return _run(name, audience, key, path, stamp, tuple(sorted(kwargs.items())))


def load(view: View, name: str, filters: queries.Filters | None = None, **kwargs
         ) -> pd.DataFrame:
    """Run a named query for the current view (its filters unless others are given)."""
    return run(view.db_path, view.stamp, view.audience, name, filters or view.filters, **kwargs)


def current() -> View:
    return st.session_state[VIEW_KEY]
