"""Every query the dashboard and the reports send to the warehouse, and who may see what.

The SQL lives in ``sql/queries/`` as named queries, run by ``metrics.read`` (the
read layer: marts, meta, ref and published only). This module opens the
warehouse read-only with DuckDB's external access off, picks the named query
for each call, binds every filter value as a parameter (a breakdown's dimension
too: the SQL chooses the column by a ``case`` on it, from an allow-list), pools
and applies disclosure control. The public audience's queries read the
``published`` schema only (``metrics.read`` refuses any other for them).

The audience (`manager`, `pcc`, `public`, see docs: disclosure) is applied
here, where the data is read:

* ``manager`` sees every indicator by month and agency and the pseudonymous
  exception lists;
* ``pcc`` sees aggregates only: the exception lists are refused, and every
  cut by a sensitive dimension (a sensitive agency, crime type or
  characteristic) goes through disclosure control;
* ``public`` sees only the published release: the fixed quarterly tables of the
  ``published`` schema, protected and audited when the warehouse was built
  (metrics/published). Its queries read no other schema; monthly, yearly,
  per-agency and record-level queries are refused.

Each named query is registered in ``QUERIES`` with the audiences allowed to
run it and the keyword arguments of a typical call, so ``time_queries`` can
time every query the app issues.

A ``WarehouseSnapshot`` is one version of the warehouse file, attached once:
the dashboard runs all of a page's queries through one snapshot, so a rebuild
that swaps the file mid-page cannot give the page a mix of old and new figures.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from metrics import cohorts, period, read
from metrics.catalogue import (
    MONETISED_COMPONENTS,
    count_only_outcomes,
    flagged,
    stock_indicators,
    value_indicator,
)
from metrics.catalogue import catalogue as shipped_catalogue
from metrics.disclosure import rules
from metrics.read import NotInWarehouse, NotPermitted

AUDIENCES = read.AUDIENCES
CATALOG = read.CATALOG
CONNECTION_CONFIG = {
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "threads": 2,
}

# The per-figure disclosure rules (thresholds, rounding, sensitivity) live in
# metrics.disclosure.rules; these name the sensitive agencies for the filters.
SENSITIVE_AGENCIES = rules.SENSITIVE_VALUES["agency"]
SENSITIVE_CRIME_TYPES = rules.SENSITIVE_VALUES["crime_type"]
STOCK_INDICATORS = stock_indicators()  # a month-end count: a period shows its last month


class WarehouseMissing(FileNotFoundError):
    """There is no warehouse file at the path given."""


class SnapshotClosed(RuntimeError):
    """The snapshot was retired and closed: open the warehouse again."""


@dataclass(frozen=True)
class Filters:
    """What the user chose: a month range (first days of months), an agency, a crime type."""

    first: dt.date | None = None
    last: dt.date | None = None
    agency: str = "all"
    crime_type: str = "all"


# --- connection ---------------------------------------------------------------------------


def connect(path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only, then turn external access off and lock the settings.

    The file is attached read-only to a private in-memory database rather than opened
    with duckdb.connect(path): DuckDB caches database instances by path within a
    process, so after a rebuild swapped a new file in, connect(path) would hand back the
    old file while any connection to it is open (duckdb/duckdb#15912). Attached, each
    connection reads the file that was there when it opened; queries already running
    finish on the old one. Once attached, file access, extension loading and every
    setting are locked for the life of the connection."""
    path = Path(path)
    if not path.is_file():
        raise WarehouseMissing(str(path))
    con = duckdb.connect(":memory:", config=dict(CONNECTION_CONFIG))
    try:
        con.execute(f"attach ? as {CATALOG} (read_only)", [str(path)])
        con.execute(f"use {CATALOG}")
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


cursor = read.cursor  # a cursor of its own on the warehouse (connections are shared)


def stamp(path: str | Path) -> str | None:
    """Identity of the warehouse file now: inode, size and change time (None if absent).

    A rebuild replaces the file atomically (a new inode), so a new stamp means a new
    connection and new cache entries.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return f"{info.st_ino}-{info.st_size}-{info.st_mtime_ns}"


class WarehouseSnapshot:
    """One version of the warehouse file, attached read-only once (see `connect`).

    Every query run through a snapshot reads the file that was at the path when it was
    opened, however many rebuilds swap the path meanwhile, so one page's queries never
    mix two builds. `key` names that version for result caches: the file's stamp when
    opened, and the build id and build time read from the attached file itself.

    Many threads share a snapshot (each query gets its own cursor). A user holds a
    lease (`lease()` or `acquire`/`release`) while running queries; `retire()` marks the
    snapshot as no longer handed out, and the connection closes when the last lease ends.
    """

    def __init__(self, path: str | Path):
        self.path = str(path)
        opened = stamp(path)
        self.con = connect(path)
        self.build_id, self.built_at = _build_identity(self.con)
        self.key = f"{opened}|{self.build_id}|{self.built_at}"
        self._lock = threading.Lock()
        self._leases = 0
        self._retired = False
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def acquire(self) -> bool:
        """Take a lease; False if the snapshot is retired or closed (open a new one)."""
        with self._lock:
            if self._retired or self._closed:
                return False
            self._leases += 1
            return True

    def release(self) -> None:
        with self._lock:
            self._leases -= 1
            if self._retired and self._leases <= 0:
                self._close()

    def retire(self) -> None:
        """No new leases; close now if nobody holds one, else when the last one ends."""
        with self._lock:
            self._retired = True
            if self._leases <= 0:
                self._close()

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            self.con.close()

    @contextmanager
    def lease(self) -> Iterator[WarehouseSnapshot]:
        if not self.acquire():
            raise SnapshotClosed("the warehouse snapshot was closed: open it again")
        try:
            yield self
        finally:
            self.release()

    def run(self, name: str, audience: str, filters: Filters | None = None, **kwargs
            ) -> pd.DataFrame:
        """Run the named query (see `QUERIES`) for the audience on this snapshot."""
        if self._closed:
            raise SnapshotClosed("the warehouse snapshot was closed: open it again")
        return QUERIES[name].function(self.con, audience, filters or Filters(), **kwargs)


def _build_identity(con: duckdb.DuckDBPyConnection) -> tuple[str | None, str | None]:
    """(build id, build time) of the attached file; (None, None) if it has no meta.build."""
    try:
        row = read.run(con, "build_identity", read.SYSTEM)
    except (duckdb.Error, NotInWarehouse):
        return None, None
    if row.empty:
        return None, None
    build_id, built_at = row["build_id"].iloc[0], row["built_at"].iloc[0]
    return (None if pd.isna(build_id) else str(build_id),
            None if pd.isna(built_at) else str(built_at))


# catalogue lookups: the read layer's (one copy)
has_table = read.has_table
table_columns = read.table_columns
_has_table = read.has_table


def _require(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    for qualified in tables:
        schema, name = qualified.split(".")
        if not _has_table(con, schema, name):
            raise NotInWarehouse(f"{qualified} is not in this warehouse: rebuild it")


# --- registry ------------------------------------------------------------------------------

QueryFunction = Callable[..., pd.DataFrame]


@dataclass(frozen=True)
class Query:
    name: str
    function: QueryFunction
    audiences: tuple[str, ...]
    examples: tuple[dict, ...] = field(default_factory=lambda: ({},))


QUERIES: dict[str, Query] = {}


def query(*audiences: str, examples: tuple[dict, ...] = ({},)):
    """Register a query; calling it checks the audience first."""
    allowed = tuple(audiences) or AUDIENCES

    def register(function: QueryFunction) -> QueryFunction:
        def run(con, audience: str, filters: Filters | None = None, **kwargs) -> pd.DataFrame:
            check_audience(audience)
            if audience not in allowed:
                raise NotPermitted(f"{function.__name__} is not available to the {audience} view")
            return function(con, audience, filters or Filters(), **kwargs)

        run.__name__ = function.__name__
        run.__doc__ = function.__doc__
        run.__wrapped__ = function
        QUERIES[function.__name__] = Query(function.__name__, run, allowed, examples)
        return run

    return register


def check_audience(audience: str) -> None:
    if audience not in AUDIENCES:
        raise NotPermitted(f"unknown audience (use one of {', '.join(AUDIENCES)})")


# --- disclosure control ---------------------------------------------------------------------


def is_sensitive_cut(agency: str = "all", crime_type: str = "all",
                     characteristic: str | None = None, category: str | None = None) -> bool:
    """Whether a figure for this agency, crime type or characteristic category is a cut by a
    sensitive dimension (docs: disclosure)."""
    labels = {"agency": agency, "crime_type": crime_type}
    if characteristic is not None:
        labels["characteristic"] = characteristic
        labels["category"] = category if category is not None else rules.TOTAL
    return rules.labels_are_sensitive(labels)


def suppression_label(sensitive: bool) -> str:
    return "fewer than 10" if sensitive else "fewer than 8"


def _is_whole(value) -> bool:
    return value is not None and not pd.isna(value) and float(value).is_integer()


def _persons(row) -> int:
    persons = row.get("persons")
    return 0 if persons is None or pd.isna(persons) else int(persons)


def _control_row(row: pd.Series, sensitive: bool) -> tuple[dict, str]:
    """Disclosure control of one indicator row: the changed columns and the reason."""
    kind = row.get("kind", "rate")
    blank = {"numerator": math.nan, "denominator": math.nan, "value": math.nan,
             "value_low": math.nan, "value_high": math.nan}
    if row.get("status") != "ok":
        return {}, ""
    if kind == "money":
        figures = [rules.protect_money(row.get(c), _persons(row), sensitive)
                   for c in ("numerator", "value_low", "value_high")]
        if figures[0].status == "withheld":
            return blank, "fewer than 10 people" if sensitive else "fewer than 8 people"
        central, low, high = (f.value if f.value is not None else math.nan for f in figures)
        return {"numerator": central, "value": central, "value_low": low,
                "value_high": high}, ""
    whole = _is_whole(row["numerator"]) and (kind != "rate" or _is_whole(row["denominator"]))
    if kind in ("rate", "count") and whole:
        numerator = rules.protect_count(int(row["numerator"]), sensitive)
        if kind == "count":
            if numerator is None:
                return blank, suppression_label(sensitive)
            return {"numerator": float(numerator), "value": float(numerator),
                    "value_low": math.nan, "value_high": math.nan}, ""
        denominator = rules.protect_count(int(row["denominator"]), sensitive)
        figure = rules.rate(numerator, denominator)
        if figure.status != "published":
            return blank, suppression_label(sensitive)
        return {"numerator": float(numerator), "denominator": float(denominator),
                "value": figure.value, "value_low": math.nan, "value_high": math.nan}, ""
    # medians, ratios, modelled estimates and sums over people: a statistic that needs
    # enough people behind it, shown as it is.
    figure = rules.protect_statistic(row.get("value"), _persons(row), "median", sensitive)
    if figure.status == "withheld":
        return blank, "fewer than 10 people" if sensitive else "fewer than 8 people"
    return {}, ""


def _control_rates(frame: pd.DataFrame, sensitive: pd.Series | bool,
                   only_sensitive: bool = False) -> pd.DataFrame:
    """Primary disclosure control of indicator rows (metrics.disclosure.rules): person
    counts of 1 to 7 (1 to 9 in a sensitive cut) suppressed, counts rounded to 5, rates
    from the rounded parts, money to 3 significant figures and only with 8 people (10)
    behind it, other statistics only with 8 people (10). Adds `suppressed` (reason or
    ''); a suppressed row gets status 'suppressed'. With `only_sensitive` (the pcc
    view) only the rows that are a cut by a sensitive dimension are controlled."""
    out = frame.copy()
    if isinstance(sensitive, bool):
        sensitive = pd.Series(sensitive, index=out.index)
    reasons = []
    for i, row in out.iterrows():
        if only_sensitive and not bool(sensitive.loc[i]):
            reasons.append("")
            continue
        changes, reason = _control_row(row, bool(sensitive.loc[i]))
        for column, value in changes.items():
            if column in out.columns:
                out.at[i, column] = value
        reasons.append(reason)
    out["suppressed"] = reasons
    if "status" in out.columns:
        out.loc[out["suppressed"] != "", "status"] = "suppressed"
    return out


# --- period arithmetic (filters → bound parameters) ---------------------------------------


def _bounds(con: duckdb.DuckDBPyConnection, filters: Filters) -> tuple[dt.date, dt.date]:
    """The filter's month range, defaulting to the 12 months ending at the as-of month."""
    if filters.first and filters.last:
        return filters.first.replace(day=1), filters.last.replace(day=1)
    as_of = read.run(con, "as_of", read.SYSTEM)["as_of"].iloc[0]
    window = period.trailing(pd.Timestamp(as_of).date(), 12)
    return window.first, window.last


def _check_public_period(first: dt.date, last: dt.date) -> None:
    if (first.month not in period.QUARTER_FIRST_MONTHS
            or period.months_between(first, last) != 3):
        raise NotPermitted("the public view shows the published financial quarters only")


def _check_public_filters(filters: Filters) -> None:
    if filters.agency != "all" or filters.crime_type != "all":
        raise NotPermitted("the public view shows the hub as a whole, without filters")


def _agency(filters: Filters, audience: str) -> str:
    if audience == "public":
        _check_public_filters(filters)
    return filters.agency or "all"


# --- the public audience: the published release only ----------------------------------------

# The public reads are named queries for the public audience: `metrics.read` refuses one
# that names any schema but `published`.
PUBLIC = "public"
PUBLIC_COLUMNS = ["indicator_id", "period_start", "kind", "months", "months_ok",
                  "months_not_yet_measurable", "months_no_data", "months_empty_base",
                  "numerator", "denominator", "persons", "status", "value", "value_low",
                  "value_high", "suppressed"]


def _public_quarter(con: duckdb.DuckDBPyConnection, filters: Filters) -> tuple[dt.date, dt.date]:
    """The quarter asked for (first and last month): the latest published one if none."""
    _check_public_filters(filters)
    if filters.first and filters.last:
        first, last = filters.first.replace(day=1), filters.last.replace(day=1)
    else:
        latest = read.run(con, "public_latest_quarter", PUBLIC)
        if latest.empty or pd.isna(latest["first"].iloc[0]):
            raise NotInWarehouse("published.periods has no published quarter: rebuild")
        first = pd.Timestamp(latest["first"].iloc[0]).date()
        last = pd.Timestamp(latest["last"].iloc[0]).date()
    _check_public_period(first, last)
    return first, last


def _public_summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """indicator_summary for the public: the quarter ('current') and the quarter before
    ('previous') as published; a quarter that is not in the release gives every indicator
    the status `not_published`."""
    first, last = _public_quarter(con, filters)
    _require(con, "published.indicator_quarter", "published.catalogue")
    previous = period.add_months(first, -3)
    frame = read.run(con, "public_summary", PUBLIC, first=first, previous_first=previous)
    if not (frame["bucket"] == "current").any():
        missing = read.run(con, "public_indicators", PUBLIC)
        missing["bucket"] = "current"
        missing["status"] = "not_published"
        missing["months"], missing["months_ok"] = 3, 0
        frame = pd.concat([frame, missing], ignore_index=True)
    frame["agency"] = "all"
    frame["first_month"] = [first if b == "current" else previous for b in frame["bucket"]]
    frame["last_month"] = [last if b == "current" else period.add_months(previous, 2)
                           for b in frame["bucket"]]
    for column in PUBLIC_COLUMNS:
        if column not in frame.columns:
            frame[column] = math.nan
    frame["suppressed"] = frame["suppressed"].fillna("")
    return frame.drop(columns=["period_start"]).reset_index(drop=True)


def _public_trend(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """indicator_trend for the public: every published quarter up to the period's end."""
    _first, last = _public_quarter(con, filters)
    return read.run(con, "public_trend", PUBLIC, last=last)


def _public_reach(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    _first, last = _public_quarter(con, filters)
    return read.run(con, "public_reach", PUBLIC, last=last)


@query("public", examples=({},))
def change_lines(con, audience: str, filters: Filters) -> pd.DataFrame:
    """The public bulletin's change lines of the chosen published quarter, made by the same
    function from the same published figures (`metrics.published.changes`): one row per
    measure (people referred, then the bulletin's rates) with this quarter, the previous
    quarter, the same quarter a year earlier (as printed) and each change in words,
    `judged_previous` / `judged_year` ('better', 'worse', 'moved' or '' for no arrow) and
    the three quarters' labels; `latest_measurable`: for an outcome whose quarter is not
    yet measurable, when it matures and the latest measurable quarter, as the bulletin
    gives it under its table (`metrics.published.cohorts`)."""
    from metrics.published import changes, cohorts

    first, _last = _public_quarter(con, filters)
    quarter = period.period_starting("quarter", first)
    quarters = changes.Quarters(con)
    latest = cohorts.for_quarter(con, quarter, catalogue(con, audience, filters).to_dict(
        "records"), quarters)
    rows = []
    for indicator, label in [(changes.PEOPLE_REFERRED, changes.PEOPLE_LABEL),
                             *changes.bulletin_rates()]:
        current, on_previous, on_year = changes.change_lines(quarters, quarter, indicator)
        rows.append({
            "measure": label,
            "this_quarter": changes.figure_text(current),
            "previous_quarter": changes.figure_text(on_previous.earlier),
            "change_on_previous": changes.change_words(on_previous, changes.unit(indicator)),
            "judged_previous": changes.judgement(on_previous, indicator),
            "year_earlier": changes.figure_text(on_year.earlier),
            "change_on_year": changes.change_words(on_year, changes.unit(indicator)),
            "judged_year": changes.judgement(on_year, indicator),
            "period": quarter.label,
            "previous_period": quarter.previous().label,
            "year_earlier_period": quarter.year_before().label,
            "latest_measurable": latest[indicator].text() if indicator in latest else "",
        })
    return pd.DataFrame(rows)


@query("public", examples=({},))
def latest_cohorts(con, audience: str, filters: Filters) -> pd.DataFrame:
    """For each cohort indicator whose chosen published quarter is not yet measurable: the
    latest earlier published quarter in which it is and the date the quarter matures,
    made by the public bulletin's function (`metrics.published.cohorts`)."""
    from metrics.published import cohorts

    first, _last = _public_quarter(con, filters)
    quarter = period.period_starting("quarter", first)
    entries = catalogue(con, audience, filters).to_dict("records")
    rows = []
    for indicator, found in cohorts.for_quarter(con, quarter, entries).items():
        latest = found.latest
        rows.append({
            "indicator_id": indicator,
            "latest_period": latest.period.label if latest else None,
            "latest_first": latest.period.first if latest else None,
            "latest_last": latest.period.last if latest else None,
            "latest_status": latest.status if latest else None,
            "latest_value": latest.value if latest else None,
            "latest_met": latest.met if latest else None,
            "latest_base": latest.base if latest else None,
            "latest_figure": latest.text(found.rule.unit) if latest else None,
            "matures_on": found.matures,
            "maturity": found.maturity,
            "latest_text": found.latest_text(),
            "text": found.text(),
        })
    return pd.DataFrame(rows, columns=[
        "indicator_id", "latest_period", "latest_first", "latest_last", "latest_status",
        "latest_value", "latest_met", "latest_base", "latest_figure", "matures_on",
        "maturity", "latest_text", "text"])


# --- build, catalogue, register -------------------------------------------------------------


@query()
def build_info(con, audience: str, filters: Filters) -> pd.DataFrame:
    """The one row of meta.build (build id, as-of date, period, price base year, ...).

    A build that left the price base year to the default (the financial year of the as-of
    date) gets the base year the register was uprated to. Public: published.build."""
    if audience == "public":
        return read.run(con, "public_build", PUBLIC)
    frame = read.run(con, "build_info", audience)
    # a warehouse built before the fix of set_price_base_year may hold an empty text
    missing = "price_base_year" not in frame.columns or (
        frame["price_base_year"].replace("", None).isna().all()
    )
    if missing and _has_table(con, "ref", "parameters"):
        years = read.run(con, "price_base_year", audience)
        frame["price_base_year"] = years["base_year"].iloc[0]
    return frame


@query()
def catalogue(con, audience: str, filters: Filters) -> pd.DataFrame:
    """The indicator catalogue: titles, themes, horizons, dimensions, units, definitions
    (public: the copy in the published release)."""
    wanted = ["indicator_id", "title", "theme", "horizon", "dimension", "unit", "direction",
              "definition", "source", "kind", "has_agency_rows", "uses_parameters", "requires",
              "cohort_month", "public_label", "public_base", "coverage_indicator",
              "benchmark_parameter", "benchmark_note", "dimension_why", "censor_days",
              "censor_months", "coverage_table"]
    if audience != "public":
        frame = read.run(con, "catalogue", audience)
        return frame[[c for c in wanted if c in frame.columns]]
    frame = read.run(con, "public_catalogue", PUBLIC)
    return frame[[c for c in wanted if c in frame.columns]]


@query()
def parameters(con, audience: str, filters: Filters) -> pd.DataFrame:
    """The assumptions register as built (money uprated to the price base year; public:
    the copy in the published release)."""
    if audience != "public":
        return read.run(con, "parameters", audience)
    return read.run(con, "public_parameters", PUBLIC)


@query()
def filter_options(con, audience: str, filters: Filters) -> pd.DataFrame:
    """What the filters can offer: months with indicator rows, agencies, crime types.

    One row per option: (kind, value). The public view gets the months of the published
    quarters only."""
    if audience == "public":
        return read.run(con, "public_months", PUBLIC)
    frame = read.run(con, "filter_options", audience)
    if not _has_table(con, "marts", "fct_referrals"):
        return frame
    crime_types = read.run(con, "filter_crime_types", audience)
    return (pd.concat([frame, crime_types], ignore_index=True)
            .sort_values(["kind", "value"], kind="stable").reset_index(drop=True))


# --- indicators -----------------------------------------------------------------------------


def _pooled_status(row: pd.Series, require_complete: bool) -> str:
    if row["months_no_data"] > 0:
        return "no_data"
    if require_complete and row["months_not_yet_measurable"] > 0:
        return "not_yet_measurable"
    if row["months_ok"] > 0:
        return "ok"
    if row["months_not_yet_measurable"] > 0:
        return "not_yet_measurable"
    return "empty_base"


def _finish_pooled(frame: pd.DataFrame, require_complete: bool) -> pd.DataFrame:
    """Status and value of each pooled (indicator, bucket) row.

    Rates and ratios: sum of numerators over sum of denominators of the measurable
    months; counts, sums and money: the sum; a month-end stock (open cases): its
    last measurable month; a median: NaN here (see `period_medians`)."""
    out = frame.copy()
    if out.empty:
        for col in ("status", "value", "value_low", "value_high"):
            out[col] = pd.Series(dtype="object" if col == "status" else "float64")
        return out
    out["status"] = [_pooled_status(row, require_complete) for _, row in out.iterrows()]
    values, lows, highs = [], [], []
    for _, row in out.iterrows():
        kind, ok = row["kind"], row["status"] == "ok"
        den = row["denominator"]
        if not ok:
            values.append(math.nan)
            lows.append(math.nan)
            highs.append(math.nan)
        elif row["indicator_id"] in STOCK_INDICATORS:
            values.append(row["last_ok_value"])
            lows.append(math.nan)
            highs.append(math.nan)
        elif kind in ("rate", "ratio"):
            has_den = not pd.isna(den) and den != 0
            values.append(row["numerator"] / den if has_den else math.nan)
            lows.append(row["weighted_low"] / den if has_den else math.nan)
            highs.append(row["weighted_high"] / den if has_den else math.nan)
        elif kind == "median":
            values.append(row["last_ok_value"] if row["months_ok"] == 1 else math.nan)
            lows.append(math.nan)
            highs.append(math.nan)
        else:
            values.append(row["numerator"])
            lows.append(row["weighted_low"])
            highs.append(row["weighted_high"])
    out["value"] = values
    out["value_low"] = lows
    out["value_high"] = highs
    stock = out["indicator_id"].isin(STOCK_INDICATORS) & (out["status"] == "ok")
    out.loc[stock, "numerator"] = out.loc[stock, "last_ok_numerator"]
    out.loc[stock, "persons"] = out.loc[stock, "last_ok_persons"]
    out.loc[stock, "persons_max"] = out.loc[stock, "last_ok_persons"]
    return out.drop(columns=["weighted_low", "weighted_high", "last_ok_numerator",
                             "last_ok_persons", "last_ok_denominator", "last_ok_value"])


def _pooled(con, audience: str, agency: str | None, first: dt.date, last: dt.date,
            current_first: dt.date) -> pd.DataFrame:
    """Pool indicator_monthly by (indicator, agency, bucket): `current` from
    `current_first`, `previous` before it; agency None = every agency."""
    return read.run(con, "pooled_periods", audience, every_agency=agency is None,
                    agency=agency or "all", first=first, last=last,
                    current_first=current_first, by_quarter=False)


def pooled_quarters(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date
                    ) -> pd.DataFrame:
    """Every indicator of the whole hub pooled over each financial quarter (financial
    quarters are calendar quarters) from `first` to `last`: quarters with all three
    months in the warehouse only, each measurable only when every month is. `bucket` is
    the quarter's first month; `persons_max` the largest monthly head count (a lower bound
    on the distinct people behind a money figure)."""
    # the release is worked out from the rows the manager sees, then protected and audited
    frame = read.run(con, "pooled_periods", "manager", every_agency=False, agency="all",
                     first=first, last=last, current_first=first, by_quarter=True)
    frame["bucket"] = pd.to_datetime(frame["bucket"]).astype("datetime64[us]")
    frame = frame[frame["months"] == 3].reset_index(drop=True)
    return _finish_pooled(frame, require_complete=True)


@query(examples=({},))
def indicator_summary(con, audience: str, filters: Filters) -> pd.DataFrame:
    """Every indicator pooled over the chosen period (bucket 'current') and the period of
    the same length before it (bucket 'previous'), for the chosen agency (or the hub).

    Columns: indicator_id, bucket, kind, months, months_ok, months_not_yet_measurable,
    months_no_data, months_empty_base, numerator, denominator, persons, last_ok_month,
    status, value, value_low, value_high (and `suppressed` for pcc and public)."""
    if audience == "public":
        return _public_summary(con, filters)
    agency = _agency(filters, audience)
    first, last = _bounds(con, filters)
    months = period.months_between(first, last)
    previous_first = period.add_months(first, -months)
    frame = _pooled(con, audience, agency, previous_first, last, first)
    # a period is not yet measurable if its last month is (evidence.md, section 2); a
    # censored month is followed only by censored months, so: if any month is
    frame = _finish_pooled(frame, require_complete=True)
    medians = _period_medians(con, audience, agency, first, last, previous_first)
    for bucket, median in medians.items():
        hit = (frame["kind"] == "median") & (frame["bucket"] == bucket) & (frame["status"] == "ok")
        frame.loc[hit, "value"] = median
        frame.loc[hit, "numerator"] = median
    if audience == "pcc" and is_sensitive_cut(agency):
        frame = _control_rates(frame, True)
    return frame


def _period_medians(con, audience: str, agency: str, first: dt.date, last: dt.date,
                    previous_first: dt.date) -> dict[str, float]:
    """Median working days from assessment to agency referral over each whole period."""
    if not _has_table(con, "marts", "agency_referrals"):
        return {}
    frame = read.run(con, "period_medians", audience, first=first, last=last,
                     previous_first=previous_first, agency=agency)
    return dict(zip(frame["bucket"], frame["median_days"], strict=True))


@query(examples=({},))
def indicator_trend(con, audience: str, filters: Filters) -> pd.DataFrame:
    """Every indicator's history up to the end of the chosen period, for the chosen agency.

    Manager and pcc: one row per month (the warehouse's own rows). Public: one row per
    published quarter up to the end of the period (published.indicator_quarter).
    Columns: indicator_id, period_start, status, numerator, denominator, value, value_low,
    value_high, persons, kind (and `suppressed` for the public)."""
    if audience == "public":
        return _public_trend(con, filters)
    agency = _agency(filters, audience)
    _first, last = _bounds(con, filters)
    frame = read.run(con, "indicator_trend", audience, agency=agency, last=last)
    if audience == "pcc" and is_sensitive_cut(agency):
        frame = _control_rates(frame, True)
    return frame


@query("manager", "pcc", examples=({},))
def indicator_by_agency(con, audience: str, filters: Filters) -> pd.DataFrame:
    """Every indicator with agency rows, pooled over the chosen period, one row per agency
    (and `all`). For pcc, the sensitive agencies go through disclosure control."""
    first, last = _bounds(con, filters)
    frame = _pooled(con, audience, None, first, last, first)
    frame = _finish_pooled(frame, require_complete=True)
    medians = _agency_medians(con, audience, first, last)
    for agency, median in medians.items():
        hit = (frame["kind"] == "median") & (frame["agency"] == agency) & (frame["status"] == "ok")
        frame.loc[hit, "value"] = median
        frame.loc[hit, "numerator"] = median
    if audience == "pcc":
        frame = _control_rates(frame, frame["agency"].isin(SENSITIVE_AGENCIES),
                               only_sensitive=True)
    return frame.reset_index(drop=True)


def _agency_medians(con, audience: str, first: dt.date, last: dt.date) -> dict[str, float]:
    if not _has_table(con, "marts", "agency_referrals"):
        return {}
    frame = read.run(con, "agency_medians", audience, first=first, last=last)
    return dict(zip(frame["agency"], frame["median_days"], strict=True))


# --- breakdowns from referral records ------------------------------------------------------

BREAKDOWN_DIMENSIONS = ("crime_type", "enhanced_rights", "hate_crime", "domestic_abuse",
                        "source", "age_band", "gender", "ethnic_group", "disability", "lgbt")
# the outcomes a breakdown splits: the wellbeing, prevention and NHS outcomes counted per
# referral (fct_referrals in the catalogue), each with its cohort month (metrics.cohorts
# holds the rule)
_OUTCOMES = shipped_catalogue()
BREAKDOWN_COHORTS = {
    indicator: cohorts.cohort_month(indicator)
    for indicator in _OUTCOMES.loc[
        (_OUTCOMES["record_table"] == "fct_referrals")
        & ~_OUTCOMES["theme"].isin(("operations", "equity")),
        "indicator_id",
    ]
}
AGENCY_CODES = ("victim_support", "hate_crime", "older_people", "young_people", "lgbt",
                "witness_care", "nhs_mental_health")


@query("manager", "pcc", examples=tuple(
    {"indicator": i, "dimension": d}
    for i in (  # the first rate and the first count
        next(i for i in BREAKDOWN_COHORTS if i not in count_only_outcomes()),
        next(i for i in BREAKDOWN_COHORTS if i in count_only_outcomes()),
    )
    for d in ("crime_type", "enhanced_rights")))
def referral_breakdown(con, audience: str, filters: Filters, indicator: str = "",
                       dimension: str = "crime_type") -> pd.DataFrame:
    """One outcome over the chosen period split by a referral characteristic.

    Rates: denominator = referrals in the indicator's base, numerator = those counted;
    homes_made_safer: the count. Only cohort months the warehouse counts (status ok in
    indicator_monthly) are included, so the categories add up to the hub's figure.
    Filtered by agency involvement and crime type. For pcc, a category that is a cut by a
    sensitive dimension goes through disclosure control."""
    if indicator not in BREAKDOWN_COHORTS:
        raise ValueError("no breakdown for this indicator")
    if dimension not in BREAKDOWN_DIMENSIONS:
        raise ValueError("not a breakdown dimension")
    frame = _outcome_split(con, audience, filters, indicator, dimension)
    if audience == "pcc":
        sensitive = pd.Series([
            rules.labels_are_sensitive({"agency": filters.agency,
                                        "crime_type": filters.crime_type, dimension: c})
            for c in frame["category"]], index=frame.index)
        frame = _control_rates(frame, sensitive, only_sensitive=True)
    return frame


def _outcome_split(con, audience: str, filters: Filters, indicator: str, dimension: str,
                   categories: list[str] | None = None) -> pd.DataFrame:
    """The rows of a breakdown before disclosure control; with `categories`, every one of
    them has a row (nobody in it: a base of 0, a count of 0)."""
    first, last = _bounds(con, filters)
    kind = "count" if indicator in count_only_outcomes() else "rate"
    frame = read.run(con, "referral_breakdown", audience, indicator=indicator,
                     dimension=dimension, cohort=BREAKDOWN_COHORTS[indicator], first=first,
                     last=last, crime_type=filters.crime_type, agency=filters.agency)
    if categories is not None:
        listed = [*categories, *(c for c in frame["category"] if c not in categories)]
        frame = (frame.set_index("category").reindex(listed, fill_value=0)
                 .rename_axis("category").reset_index())
    frame.insert(0, "dimension", dimension)
    frame["kind"] = kind
    if kind == "rate":
        frame["numerator"] = frame["success_count"].astype("float64")
        frame["denominator"] = frame["base_count"].astype("float64")
        frame["value"] = [n / d if d else math.nan
                          for n, d in zip(frame["numerator"], frame["denominator"], strict=True)]
    else:
        frame["numerator"] = frame["success_count"].astype("float64")
        frame["denominator"] = math.nan
        frame["value"] = frame["numerator"]
    frame["status"] = ["ok" if (b > 0 or kind == "count") else "empty_base"
                       for b in frame["base_count"]]
    frame = frame.drop(columns=["base_count", "success_count"])
    frame["suppressed"] = ""
    return frame


SCORE_MEASURES = {
    # measure: (follow-up windows it has in int_outcome_follow_ups)
    "swemwbs_metric": ("medium", "long"),
    "coping": (),
    "information_choices": (),
    "daily_activities": ("medium",),
    "safety": ("long",),
    "health_wellbeing": ("long",),
    "life_satisfaction": (),
}
WHOLE_POINT_MEASURES = frozenset(SCORE_MEASURES) - {"swemwbs_metric"}


@query("manager", "pcc", examples=({"measure": "swemwbs_metric"}, {"measure": "safety"}))
def score_changes(con, audience: str, filters: Filters, measure: str = "swemwbs_metric"
                  ) -> pd.DataFrame:
    """How scores moved: the distribution of (later - intake) over completed referrals
    closed in the period, at exit and at each post-support follow-up window the measure
    has (only cohorts whose window has closed by the as-of date).

    One row per (stage, change) with `people`; SWEMWBS metric changes are rounded to whole
    points. Also the paired means (`intake_mean`, `later_mean`, `paired`) per stage, for
    the page to show only from 30 paired people. For pcc, counts of 1 to 7 are suppressed
    and counts rounded to 5."""
    if measure not in SCORE_MEASURES:
        raise ValueError("not a score measure")
    first, last = _bounds(con, filters)
    frame = read.run(con, "score_changes", audience, measure=measure, first=first, last=last,
                     crime_type=filters.crime_type, agency=filters.agency)
    if measure in WHOLE_POINT_MEASURES:  # scores in whole points: so are their changes
        frame["change"] = frame["change"].astype("int32")
    if audience == "pcc":
        shown = [rules.protect_count(int(n)) for n in frame["people"]]
        frame["people"] = [math.nan if v is None else float(v) for v in shown]
        paired = [rules.protect_count(int(n)) for n in frame["paired"]]
        frame["paired"] = [math.nan if v is None else float(v) for v in paired]
        frame.loc[frame["paired"].isna() | (frame["paired"] < rules.MIN_PERSONS_WELLBEING_MEAN),
                  ["intake_mean", "later_mean"]] = math.nan
    return frame


# --- value for money -----------------------------------------------------------------------

NHS_CONTACT_TYPES = ("gp_appointments", "ae_attendances", "mental_health_crisis_contacts",
                     "ambulance_callouts", "nonelective_admissions")
VALUE_INDICATORS = {component: value_indicator(component) for component in MONETISED_COMPONENTS}


@query("manager", "pcc", examples=({},))
def valuation_inputs(con, audience: str, filters: Filters) -> pd.DataFrame:
    """What the value-for-money page recomputes from when a parameter changes.

    One row per (month, component, item) over the chosen period, hub-wide:
    * wellbeing / life_satisfaction: amount = sum of (exit - intake) life satisfaction over
      completed referrals with both (the wellbeing value is linear in it);
    * nhs / <contact type>: amount = sum of the first-year change in that contact type over
      referrals with comparable before and after NHS records;
    * prevention / <crime_type>[|domestic_abuse]: amount = referrals with target hardening;
    * funding / all: amount = funding received (all agencies);
    * status / <indicator>: one row per month and monetised indicator, with its status.
    `status` is the month's status of the component's indicator in indicator_monthly (the
    recomputed figures use the months the warehouse counts); referrals and persons give
    the base. The rows of every month are built once per build
    (marts.valuation_inputs): the period is a filter on their month."""
    first, last = _bounds(con, filters)
    return read.run(con, "valuation_inputs", audience, first=first, last=last)


@query("manager", "pcc", examples=({},))
def hub_evidence(con, audience: str, filters: Filters) -> pd.DataFrame:
    """The sums the hub's own evidence is estimated from (marts.hub_evidence): one row per
    estimate, referral group and month closed, every month up to the as-of date (the
    estimates pool them all; metrics.hub_evidence). Hub-wide; the filters do not apply."""
    return read.run(con, "hub_evidence", audience)


@query(examples=({},))
def register_overrides(con, audience: str, filters: Filters) -> pd.DataFrame:
    """A hub's own register (build --assumptions): each overridden row with the shipped
    settings beside the hub's; no rows when the build used the shipped register
    (public: the copy in the published release; parameters, not counts)."""
    if audience == "public":
        return read.run(con, "public_register_overrides", PUBLIC)
    return read.run(con, "register_overrides", audience)


@query(examples=({},))
def methods_notes(con, audience: str, filters: Filters) -> pd.DataFrame:
    """Counts the methods page reports (whole warehouse, hub-wide): referrals whose NHS
    first-year change was extrapolated from six months, and the NHS-paired referrals.

    Public: no rows. They are referral counts of the whole warehouse, not in the
    published release (and a running count re-published every build could be
    differenced from one build to the next)."""
    if audience == "public":
        return pd.DataFrame({"nhs_paired": pd.Series(dtype="float64"),
                             "nhs_extrapolated": pd.Series(dtype="float64")})
    frame = read.run(con, "methods_notes", audience)
    if audience == "pcc":
        for column in ("nhs_paired", "nhs_extrapolated"):
            value = rules.protect_count(int(frame[column].iloc[0]))
            frame[column] = math.nan if value is None else float(value)
    return frame


# --- equity of reach ------------------------------------------------------------------------


@query(examples=({},))
def equity_reach(con, audience: str, filters: Filters) -> pd.DataFrame:
    """Reach ratios over the 12 months ending with the last month of the period.

    For pcc and public the counts of victims referred go through disclosure control
    (sensitive characteristics at the higher threshold), the share and the ratio are
    recomputed from the rounded counts (the comparison population is published data), a
    special-category breakdown where one category holds everyone is dropped, and the
    interval is the Wilson interval of the rounded share.

    Public: the published quarter's reach (published.equity_reach), worked out when the
    release was made from its rounded counts of people referred in the quarter."""
    if audience == "public":
        return _public_reach(con, filters)
    _agency(filters, audience)
    _first, last = _bounds(con, filters)
    frame = read.run(con, "equity_reach_month", audience, last=last)
    frame["status"] = ["ok" if not pd.isna(r) else "empty_base" for r in frame["reach_ratio"]]
    frame["suppressed"] = ""
    if audience == "manager" or frame.empty:
        return frame
    return _control_reach(frame)


def _control_reach(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["victims_referred"] = out["victims_referred"].astype("float64")
    keep = pd.Series(True, index=out.index)
    for (_month, _basis, characteristic), group in out.groupby(
            ["month", "basis", "characteristic"]):
        known = group[group["category"] != rules.UNKNOWN]
        if known.empty:
            continue
        total_known = int(known["victims_referred"].sum())
        comparison_total = float(known["comparison_people"].sum())
        if characteristic in rules.RULE6_DIMENSIONS and (
                (known["victims_referred"] == total_known).any() and total_known > 0):
            keep.loc[group.index] = False  # rule 6: one category holds everyone
            continue
        total_shown = rules.protect_count(total_known, is_sensitive_cut(
            characteristic=characteristic))
        # the comparison population is counted in people by group too: the same rules,
        # and its share from the rounded counts (a share of the exact counts gives them)
        comparison_shown = rules.protect_count(round(comparison_total), is_sensitive_cut(
            characteristic=characteristic))
        for i, row in group.iterrows():
            sensitive = is_sensitive_cut(characteristic=characteristic, category=row["category"])
            shown = rules.protect_count(int(row["victims_referred"]), sensitive)
            out.at[i, "victims_referred"] = math.nan if shown is None else float(shown)
            people = row["comparison_people"]
            compared = None if pd.isna(people) else rules.protect_count(round(people), sensitive)
            out.at[i, "comparison_people"] = math.nan if compared is None else float(compared)
            if compared is None and row["category"] != rules.UNKNOWN:
                shown = None  # its reach would give the comparison count away
            if shown is None or total_shown is None:
                for column in ("reach_ratio", "ci_low", "ci_high"):
                    out.at[i, column] = math.nan
                out.at[i, "status"] = "suppressed"
                out.at[i, "suppressed"] = suppression_label(sensitive)
                continue
            if row["category"] == rules.UNKNOWN or not total_shown or not comparison_shown \
                    or not compared:
                continue
            comparison_share = compared / comparison_shown
            out.at[i, "reach_ratio"] = shown / total_shown / comparison_share
            interval = wilson_interval(shown, total_shown)
            out.at[i, "ci_low"] = interval[0] / comparison_share
            out.at[i, "ci_high"] = interval[1] / comparison_share
    return out[keep].reset_index(drop=True)


def wilson_interval(successes: float, n: float, z: float = 1.959963984540054
                    ) -> tuple[float, float] | None:
    """The 95 % Wilson score interval for successes out of n (None when n is 0 or missing):
    centre (p + z²/2n) / (1 + z²/n), half-width z sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n)."""
    if n is None or successes is None or pd.isna(n) or pd.isna(successes) or n <= 0:
        return None
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(max(0.0, p * (1 - p) / n + z2 / (4 * n * n))) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


# --- data quality ---------------------------------------------------------------------------


@query("manager", "pcc")
def load_report(con, audience: str, filters: Filters) -> pd.DataFrame:
    """Per file of the last build: rows read, loaded and quarantined."""
    return read.run(con, "load_report", audience)


@query("manager", "pcc")
def load_issues(con, audience: str, filters: Filters) -> pd.DataFrame:
    """Quarantine and mapping counts by file, rule and column (counts and rule ids only)."""
    return read.run(con, "load_issues", audience)


@query("manager", "pcc")
def completeness(con, audience: str, filters: Filters) -> pd.DataFrame:
    """Per contract column: whether the file had it and the share of loaded rows with a value.

    Rows in the contract's order of tables and columns (marts.column_completeness)."""
    from metrics import contract

    counted = read.run(con, "completeness", audience)
    order = {(table.name, column.name): k for k, (table, column) in enumerate(
        (t, c) for t in contract.TABLES for c in t.columns)}
    counted = counted[[key in order for key in zip(counted["table_name"],
                                                    counted["column_name"], strict=True)]]
    if counted.empty:
        raise NotInWarehouse("raw tables are not in this warehouse")
    rank = [order[key] for key in zip(counted["table_name"], counted["column_name"],
                                       strict=True)]
    frame = counted.iloc[sorted(range(len(rank)), key=rank.__getitem__)].reset_index(drop=True)
    if _has_table(con, "meta", "source_columns"):
        files = read.run(con, "source_columns", audience)
        frame = frame.merge(files, on=["table_name", "column_name"], how="left")
    frame["share_with_value"] = [
        w / n if n else math.nan
        for w, n in zip(frame["rows_with_value"], frame["rows_loaded"], strict=True)
    ]
    return frame


# --- hub operations -------------------------------------------------------------------------

EXCEPTION_KINDS = ("first_contact", "agency_acceptance", "mental_health_contact")


@query("manager", examples=tuple({"kind": k} for k in EXCEPTION_KINDS))
def exceptions(con, audience: str, filters: Filters, kind: str = "first_contact"
               ) -> pd.DataFrame:
    """Open cases past a service deadline at the as-of date, by pseudonymous id only.

    first_contact: referrals not closed and not contacted, past the first-contact deadline.
    agency_acceptance: agency referrals still pending past the acceptance deadline.
    mental_health_contact: NHS mental health referrals not declined, withdrawn or
    redirected, not yet seen, past the 10-working-day deadline.
    Filtered by the receiving agency (agency referrals) and by crime type; the period does
    not apply (these are open now). At most 1,000 rows, longest overdue first."""
    if kind not in EXCEPTION_KINDS:
        raise ValueError("unknown exception list")
    if kind == "first_contact":
        return read.run(con, "exceptions_first_contact", audience, agency=filters.agency,
                        crime_type=filters.crime_type)
    return read.run(con, "exceptions_agency_referrals", audience, kind=kind,
                    agency=filters.agency, crime_type=filters.crime_type)


@query("manager", "pcc", examples=({},))
def referral_funnel(con, audience: str, filters: Filters) -> pd.DataFrame:
    """The referrals received in the chosen months (for the chosen agency, or the hub)
    by the furthest stage reached in order: one row per stage (stage_order, stage_name,
    referrals), each stage inside the one before, then the referrals that skipped a stage
    (`supported_unassessed`, `completed_unsupported`). For pcc, a sensitive agency's
    counts go through disclosure control (suppressed counts are NaN, `suppressed` says
    why)."""
    agency = _agency(filters, audience)
    first, last = _bounds(con, filters)
    frame = read.run(con, "referral_funnel", audience, agency=agency, first=first, last=last)
    frame["referrals"] = frame["referrals"].astype("float64")
    frame["suppressed"] = ""
    if audience == "pcc" and is_sensitive_cut(agency):
        protected = [rules.protect_count(int(n), True) for n in frame["referrals"]]
        frame["referrals"] = [math.nan if p is None else float(p) for p in protected]
        frame["suppressed"] = ["" if p is not None else suppression_label(True)
                               for p in protected]
    return frame


# --- working together -----------------------------------------------------------------------

FLOW_OUTCOMES = ("accepted", "declined", "redirected", "withdrawn", "pending")
FLOW_COUNTS = ("sent", *FLOW_OUTCOMES)
FLOW_MEDIANS = {  # median column: (distinct victims behind it)
    "median_days_to_acceptance": "acceptance_persons",
    "median_days_to_first_contact": "contact_persons",
}
AGENCY_COUNT_GROUPS = ("at_most_one", "two_or_more")
AREA_INDICATORS = flagged("by_area")


def _control_flow(frame: pd.DataFrame, crime_type: str) -> pd.DataFrame:
    """Disclosure control of flow rows for pcc: in a cut by a sensitive receiving agency
    or crime type, counts of 1 to 9 suppressed and counts rounded to 5; medians withheld
    with fewer than 10 people behind them."""
    out = frame.copy()
    reasons = []
    for i, row in out.iterrows():
        sensitive = rules.labels_are_sensitive({"agency": row["to_agency"],
                                                "crime_type": crime_type})
        if not sensitive:
            reasons.append("")
            continue
        reason = ""
        for column in FLOW_COUNTS:
            protected = rules.protect_count(int(row[column]), True)
            out.at[i, column] = math.nan if protected is None else float(protected)
            if protected is None:
                reason = suppression_label(True)
        for column, persons in FLOW_MEDIANS.items():
            figure = rules.protect_statistic(row[column], _persons({"persons": row[persons]}),
                                             "median", True)
            out.at[i, column] = math.nan if figure.value is None else figure.value
        reasons.append(reason)
    out["suppressed"] = reasons
    # head counts would give away the suppressed counts: pcc sees the counts only
    return out.drop(columns=["persons", *FLOW_MEDIANS.values()])


@query("manager", "pcc", examples=({},))
def agency_flow(con, audience: str, filters: Filters) -> pd.DataFrame:
    """The flow from the lead agency to each partner over the period (month of sent_date):
    agency referrals sent and their outcomes, and the median working days from sending to
    acceptance (accepted referrals) and to the partner's first contact (where recorded).
    Filtered by receiving agency and by the referral's crime type; for pcc a cut by a
    sensitive agency or crime type goes through disclosure control."""
    _require(con, "marts.agency_referrals", "marts.fct_referrals")
    first, last = _bounds(con, filters)
    frame = read.run(con, "agency_flow", audience, first=first, last=last,
                     agency=filters.agency, crime_type=filters.crime_type)
    for column in FLOW_COUNTS:
        frame[column] = frame[column].astype("float64")
    frame["suppressed"] = ""
    if audience == "pcc":
        frame = _control_flow(frame, filters.crime_type)
    return frame


@query("manager", "pcc", examples=({},))
def outcomes_by_agency_count(con, audience: str, filters: Filters) -> pd.DataFrame:
    """Exit outcomes of cases worked on by at most one agency and by two or more, over the
    period's closed months the hub counts (status ok in indicator_monthly), with 95 %
    Wilson intervals. The whole hub (the mart has no agency or crime type cut).
    Descriptive, not causal."""
    _require(con, "marts.outcomes_by_agency_count", "marts.indicator_monthly")
    first, last = _bounds(con, filters)
    found = read.run(con, "outcomes_by_agency_count", audience, first=first, last=last)
    rows = []
    for indicator in flagged("by_agency_count"):
        for group in AGENCY_COUNT_GROUPS:
            hit = found[(found["indicator_id"] == indicator) & (found["agency_count"] == group)]
            numerator = float(hit["numerator"].iloc[0]) if not hit.empty else math.nan
            denominator = float(hit["denominator"].iloc[0]) if not hit.empty else 0.0
            persons = int(hit["persons"].iloc[0]) if not hit.empty else 0
            interval = wilson_interval(numerator, denominator) if denominator else None
            rows.append({
                "indicator_id": indicator, "agency_count": group, "kind": "rate",
                "status": "ok" if denominator else "empty_base",
                "numerator": numerator if denominator else math.nan,
                "denominator": denominator if denominator else math.nan,
                "value": numerator / denominator if denominator else math.nan,
                "ci_low": interval[0] if interval else math.nan,
                "ci_high": interval[1] if interval else math.nan,
                "persons": persons,
            })
    frame = pd.DataFrame(rows)
    frame["suppressed"] = ""
    return frame


@query("manager", "pcc", examples=tuple({"indicator": i} for i in AREA_INDICATORS))
def collaboration_by_area(con, audience: str, filters: Filters,
                          indicator: str = AREA_INDICATORS[0]) -> pd.DataFrame:
    """One working-together rate over the period by the victim's area: every area among
    the victims, an area with nobody in the base as empty_base (never left out), blank
    areas as 'unknown' (Not recorded). The whole hub (no agency or crime type cut). For
    pcc every area goes through primary disclosure control (small areas)."""
    if indicator not in AREA_INDICATORS:
        raise ValueError("no area breakdown for this indicator")
    _require(con, "marts.collaboration_by_area", "marts.indicator_monthly")
    first, last = _bounds(con, filters)
    frame = read.run(con, "collaboration_by_area", audience, indicator=indicator, first=first,
                     last=last)
    no_data = frame["is_no_data"].fillna(False).astype(bool)
    frame["status"] = ["no_data" if n else ("ok" if d > 0 else "empty_base")
                       for n, d in zip(no_data, frame["denominator"], strict=True)]
    ok = frame["status"] == "ok"
    frame["value"] = (frame["numerator"] / frame["denominator"]).where(ok)
    frame["numerator"] = frame["numerator"].where(ok)
    frame["denominator"] = frame["denominator"].where(ok)
    frame["kind"] = "rate"
    frame.insert(0, "indicator_id", indicator)
    frame = frame.drop(columns=["is_no_data"])
    if audience == "pcc":
        return _control_rates(frame, False).drop(columns=["persons"])
    frame["suppressed"] = ""
    return frame


AREA_DIMENSION = "area"


def _areas(con, audience: str) -> list[str]:
    """Every area among the victims (marts.areas), 'unknown' (Not recorded) last."""
    return list(read.run(con, "areas", audience)["area"])


@query("manager", "pcc", examples=tuple(
    {"indicator": i} for i in (  # the first rate and the first count
        next(i for i in BREAKDOWN_COHORTS if i not in count_only_outcomes()),
        next(i for i in BREAKDOWN_COHORTS if i in count_only_outcomes()))))
def area_breakdown(con, audience: str, filters: Filters, indicator: str = "") -> pd.DataFrame:
    """One theme outcome over the period by the victim's area (evidence.md, Place): every
    area among the victims (marts.areas), an area with nobody in the base as empty_base
    (a count: 0), never left out; blank areas as 'unknown' (Not recorded). Counted as
    `referral_breakdown` (cohort months the hub counts; agency and crime type filters).
    For pcc every area goes through primary disclosure control (small areas), at the
    higher threshold in a cut by a sensitive agency or crime type."""
    if indicator not in BREAKDOWN_COHORTS:
        raise ValueError("no area breakdown for this indicator")
    _require(con, "marts.areas", "marts.fct_referrals", "marts.indicator_monthly")
    frame = _outcome_split(con, audience, filters, indicator, AREA_DIMENSION,
                           _areas(con, audience))
    if audience == "pcc":
        sensitive = is_sensitive_cut(filters.agency, filters.crime_type)
        return _control_rates(frame, sensitive).drop(columns=["persons"])
    return frame


@query("manager", "pcc", examples=({},))
def referrals_by_area(con, audience: str, filters: Filters) -> pd.DataFrame:
    """Where the hub reaches: referrals received over the period and the people (distinct
    victims) behind them, by the victim's area; every area among the victims kept, 0
    where nobody was referred; `total_persons`: the people referred (for pcc rounded);
    `share`: the area's share of them (for pcc, of the rounded counts). The whole hub. For pcc the counts go through primary disclosure
    control (1 to 7 hidden, the rest rounded to 5); a hidden count has no share."""
    _require(con, "marts.areas", "marts.fct_referrals")
    first, last = _bounds(con, filters)
    frame = read.run(con, "referrals_by_area", audience, first=first, last=last)
    for column in ("referrals", "persons"):
        frame[column] = frame[column].astype("float64")
    frame["suppressed"] = ""
    total = float(frame["persons"].sum())  # a person has one area: the areas add up
    if audience == "pcc":
        total = float(rules.protect_count(int(total)) or math.nan)
        for column in ("referrals", "persons"):
            shown = [rules.protect_count(int(n)) for n in frame[column]]
            frame[column] = [math.nan if v is None else float(v) for v in shown]
        frame.loc[frame["persons"].isna() | frame["referrals"].isna(),
                  ["referrals", "persons", "suppressed"]] = [math.nan, math.nan,
                                                             suppression_label(False)]
    frame["share"] = frame["persons"] / total if total else math.nan
    frame["total_persons"] = total
    return frame


# --- typical calls, timing -------------------------------------------------------------------


def typical_filters(con: duckdb.DuckDBPyConnection, audience: str = "manager") -> Filters:
    """The view a user first sees: the 12 months ending with the as-of month, whole hub
    (public: the latest published quarter)."""
    if audience == "public":
        first, last = _public_quarter(con, Filters())
    else:
        first, last = _bounds(con, Filters())
    return Filters(first, last)


def run_all(con: duckdb.DuckDBPyConnection, audience: str = "manager",
            filters: Filters | None = None) -> dict[str, pd.DataFrame]:
    """Run every query the audience may run, with its typical arguments."""
    filters = filters or typical_filters(con, audience)
    results = {}
    for name, entry in QUERIES.items():
        if audience not in entry.audiences:
            continue
        for i, kwargs in enumerate(entry.examples):
            key = name if i == 0 else f"{name}[{i}]"
            try:
                results[key] = entry.function(con, audience, filters, **kwargs)
            except NotInWarehouse:
                continue
    return results


def time_queries(db_path: str | Path, repeats: int = 20, audience: str = "manager"
                 ) -> dict[str, list[float]]:
    """Seconds per call of every query the app issues, uncached, `repeats` times each."""
    con = connect(db_path)
    try:
        filters = typical_filters(con, audience)
        timings: dict[str, list[float]] = {}
        for name, entry in QUERIES.items():
            if audience not in entry.audiences:
                continue
            for i, kwargs in enumerate(entry.examples):
                key = name if i == 0 else f"{name}[{i}]"
                values = []
                for _ in range(repeats):
                    started = time.perf_counter()
                    try:
                        entry.function(con, audience, filters, **kwargs)
                    except NotInWarehouse:
                        break
                    values.append(time.perf_counter() - started)
                if values:
                    timings[key] = values
        return timings
    finally:
        con.close()
