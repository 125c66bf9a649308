"""A published quarter as the public bulletin prints it: read from the `published`
schema only, the same tables the public dashboard reads (`metrics.queries`' public
queries), so the two cannot disagree.

`published_quarter(con, period)` returns the quarter's published cells
(`published.tables`), its indicator rows (`published.indicator_quarter`: statuses and
money), its reach (`published.equity_reach`), its release history
(`published.periods`) and its revisions (`published.revisions`). Nothing is protected
here: every figure was protected and audited when the release was made, and a quarter
that is not in the release cannot be printed (`NotPublished`).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from metrics import read
from metrics.disclosure import rate
from metrics.disclosure.rules import TOTAL
from metrics.published.names import COUNT_ONLY, base_table, met_table
from metrics.report.periods import Period


class NotPublished(LookupError):
    """The period is not in the published release (the message names the period only)."""


# the bulletin reads the published release as the public sees it
PUBLIC = "public"


def _has(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return read.has_table(con, "published", name)


def _count(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


@dataclass
class PublishedQuarter:
    period: Period
    cells: pd.DataFrame  # published.tables rows of the quarter
    indicators: pd.DataFrame  # published.indicator_quarter rows of the quarter
    reach: pd.DataFrame  # published.equity_reach rows of the quarter
    history: pd.Series  # the quarter's row of published.periods
    revisions: pd.DataFrame  # published.revisions rows of the quarter, oldest first
    release: pd.Series  # published.release

    def has(self, name: str) -> bool:
        return bool((self.cells["table_name"] == name).any())

    def table(self, name: str) -> pd.DataFrame:
        """A published table: its dimension's categories (`all` for the total) and `count`
        (missing when hidden), in the order published."""
        rows = self.cells[self.cells["table_name"] == name]
        dim = str(rows["dimension"].iloc[0]) if len(rows) and rows["dimension"].iloc[0] else (
            "category")
        return pd.DataFrame(
            {dim: rows["category"].tolist(),
             "count": pd.array([_count(c) for c in rows["count"]], dtype="Int64")}
        )

    def legend(self, name: str) -> str:
        rows = self.cells[self.cells["table_name"] == name]
        return str(rows["legend"].iloc[0]) if len(rows) else ""

    def total(self, name: str) -> int | None:
        rows = self.cells[(self.cells["table_name"] == name) & (self.cells["category"] == TOTAL)]
        return _count(rows["count"].iloc[0]) if len(rows) else None

    def status(self, indicator: str) -> str:
        """`ok` when the outcome's tables are published (a hidden figure shows [c]), else
        the indicator's published status (not yet measurable, no data, ...)."""
        if self.has(base_table(indicator)):
            return "ok"
        row = self._indicator(indicator)
        return "no_data" if row is None else str(row["status"])

    def rate(self, indicator: str) -> dict:
        """base, met (published counts or None), rate and rate_status for an outcome."""
        base = self.total(base_table(indicator))
        if indicator in COUNT_ONLY:
            return {"base": base, "met": None, "rate": None,
                    "rate_status": "published" if base is not None else "withheld"}
        met = self.total(met_table(indicator))
        figure = rate(met, base)
        return {"base": base, "met": met, "rate": figure.value, "rate_status": figure.status}

    def _indicator(self, indicator: str) -> pd.Series | None:
        rows = self.indicators[self.indicators["indicator_id"] == indicator]
        return None if rows.empty else rows.iloc[0]

    def money(self, indicator: str) -> tuple[float | None, float | None, float | None, str]:
        """(central, low, high, status) as published: status `ok`, or `suppressed`, or
        the indicator's status."""
        row = self._indicator(indicator)
        if row is None:
            return None, None, None, "no_data"
        status = str(row["status"])
        if status != "ok" or _number(row["value"]) is None:
            return None, None, None, status if status != "ok" else "no_data"
        return _number(row["value"]), _number(row["value_low"]), _number(row["value_high"]), "ok"

    def reach_of(self, dim: str) -> pd.DataFrame:
        """The published reach rows of a characteristic, for one basis (the first)."""
        rows = self.reach[self.reach["characteristic"] == dim]
        if rows.empty:
            return rows
        return rows[rows["basis"] == sorted(rows["basis"])[0]]


def published_quarter(con: duckdb.DuckDBPyConnection, period: Period) -> PublishedQuarter:
    """The published figures of a quarter; NotPublished if the release does not hold it."""
    if period.kind != "quarter" or not _has(con, "periods"):
        raise NotPublished(period.label)
    history = read.run(con, "release_periods", PUBLIC, period=period.label)
    if history.empty:
        raise NotPublished(period.label)
    cells = read.run(con, "release_tables", PUBLIC, period=period.label)  # in the order written
    indicators = read.run(con, "release_indicators", PUBLIC, period=period.label)
    reach = read.run(con, "release_reach", PUBLIC, period=period.label)
    revisions = (
        read.run(con, "release_revisions", PUBLIC, period=period.label)
        if _has(con, "revisions")
        else pd.DataFrame(columns=["period", "sequence", "reason", "revised_at", "build_id"])
    )
    release = read.run(con, "release", PUBLIC).iloc[0]
    return PublishedQuarter(period, cells, indicators, reach, history.iloc[0], revisions,
                            release)



@dataclass
class PublishedRegister:
    """A hub's own register as the release carries it: the overrides (published.overrides,
    no rows when the shipped register was used) and the override file's name and SHA-256
    (published.build, empty when there is none)."""

    overrides: pd.DataFrame
    file_name: str
    sha256: str


def published_register(con: duckdb.DuckDBPyConnection) -> PublishedRegister | None:
    """The register in force as published; None for a release made before it was
    carried (the reader says the overrides are not recorded, not that there are none)."""
    if not _has(con, "overrides") or not _has(con, "build"):
        return None
    overrides = read.run(con, "public_register_overrides", PUBLIC)
    build = read.run(con, "public_build", PUBLIC)
    row = build.iloc[0] if len(build) else pd.Series(dtype=object)

    def text(column: str) -> str:
        value = row.get(column)
        return "" if value is None or pd.isna(value) else str(value)

    return PublishedRegister(overrides, text("assumptions_file"), text("assumptions_sha256"))
