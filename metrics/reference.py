"""A plain pandas reference for the core indicators, hub as a whole (agency ``all``).

This is the analyst's-notebook way of computing the indicators of
``indicators.md``: filters, merges and groupbys over one DataFrame per contract
table, no loops over records. It has two jobs:

* an independent oracle for the SQL models (``tests/test_differential.py``
  compares it with ``marts.indicator_monthly``);
* the "pandas way" that the benchmark compares the warehouse's speed against.

Inputs: ``tables`` maps a contract table name to a DataFrame with the contract's
columns (dates as datetime64 or ``datetime.date``). A table left out of the dict
is absent from the extract; a column left out of a frame is absent from its
file; a measure is absent (``no_data``) when its table or column is absent or no
row has a value for it.

Output: one row per (indicator_id, month) for every month from the first
referral month to the as-of month, with status, numerator, denominator, value.
Numerator and value are NULL unless the status is ``ok``; the denominator is
NULL for counts and sums, and NULL too unless the status is ``ok``.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from metrics import calendar, contract, register
from metrics.reference_data import swemwbs_conversion

CORE_INDICATORS: tuple[str, ...] = (
    "referrals_received",
    "referrals_completed",
    "first_contact_2wd",
    "police_referral_2wd",
    "open_cases",
    "satisfaction",
    "enhanced_rights_share",
    "wellbeing_gain_at_exit",
    "coped_better_at_exit",
    "feel_safer_at_exit",
    "homes_made_safer",
    "not_revictimised_12m",
    "fewer_crisis_contacts",
    "nhs_contacts_change",
)

# count: ok with 0 in a month without events; rate: numerator / denominator over a
# base; sum: a total over a base of units (empty_base when nobody qualifies).
KIND: dict[str, str] = {
    "referrals_received": "count",
    "referrals_completed": "count",
    "open_cases": "count",
    "homes_made_safer": "count",
    "nhs_contacts_change": "sum",
}

# The input measures each indicator needs: every group must be present, a group
# is present when any of its (table, column) alternatives is.
MEASURES: dict[str, tuple[tuple[tuple[str, str], ...], ...]] = {
    "referrals_received": ((("referrals", "referral_date"),),),
    "referrals_completed": ((("referrals", "closure_reason"),),),
    "first_contact_2wd": ((("referrals", "first_contact_date"),),),
    "police_referral_2wd": ((("referrals", "reported_date"),),),
    "open_cases": ((("referrals", "referral_date"),),),
    "satisfaction": ((("exit_surveys", "satisfaction"),),),
    "enhanced_rights_share": ((("referrals", "enhanced_rights"),),),
    "wellbeing_gain_at_exit": (
        (("referrals", "closure_reason"),),
        (("assessments", "swemwbs"), ("assessments", "swemwbs_metric")),
    ),
    "coped_better_at_exit": ((("referrals", "closure_reason"),), (("assessments", "coping"),)),
    "feel_safer_at_exit": ((("referrals", "closure_reason"),), (("assessments", "safety"),)),
    "homes_made_safer": ((("services", "service_type"),),),
    "not_revictimised_12m": ((("repeat_crimes", "crime_date"),),),
    "fewer_crisis_contacts": (
        (("referrals", "closed_date"),),
        (("health_use", "ae_attendances"), ("health_use", "mental_health_crisis_contacts")),
    ),
    "nhs_contacts_change": (
        (("referrals", "closed_date"),),
        tuple(("health_use", c) for c in contract.NHS_CONTACT_COLUMNS),
    ),
}

# Censoring by cohort month: (window, coverage table). The month is measurable
# when its last day + window <= the as-of date (and the coverage date, if given).
CENSORING: dict[str, tuple[pd.DateOffset, str]] = {
    "not_revictimised_12m": (pd.DateOffset(days=365), "repeat_crimes"),
    "fewer_crisis_contacts": (pd.DateOffset(months=6), "health_use"),
    "nhs_contacts_change": (pd.DateOffset(months=6), "health_use"),
}

OUTPUT_COLUMNS = ["indicator_id", "month", "status", "numerator", "denominator", "value"]
CRISIS_COLUMNS = ("ae_attendances", "mental_health_crisis_contacts")


# --- inputs ---------------------------------------------------------------------------


def load_tables_from_warehouse(con) -> dict[str, pd.DataFrame]:
    """The loaded extract from ``raw.*`` as DataFrames, absent tables and columns left out.

    ``meta.source_tables`` and ``meta.source_columns`` say which tables were in the
    extract and which columns in their files; without them every raw table and column
    is taken as present.
    """
    present_tables, in_file = None, None
    if _has_table(con, "meta", "source_tables"):
        present_tables = {
            name
            for name, present in con.execute(
                "select table_name, present from meta.source_tables"
            ).fetchall()
            if present
        }
    if _has_table(con, "meta", "source_columns"):
        in_file = {
            (table, column)
            for table, column, flag in con.execute(
                "select table_name, column_name, in_file from meta.source_columns"
            ).fetchall()
            if flag
        }
    tables = {}
    for table in contract.TABLES:
        if present_tables is not None and table.name not in present_tables:
            continue
        frame = con.execute(f"select * from raw.{table.name}").df()
        if in_file is not None:
            frame = frame[[c for c in frame.columns if (table.name, c) in in_file]]
        tables[table.name] = frame
    return tables


def read_extract(snapshot) -> dict[str, pd.DataFrame]:
    """Read a clean extract's files straight into DataFrames, the notebook way.

    ``snapshot`` is a ``metrics.snapshot.Snapshot``. Only contract columns are kept;
    dates (ISO or UK order, a time part dropped), booleans and numbers are parsed.
    There is no validation, quarantine or code mapping here: use it on extracts known
    to be clean (the synthetic generator's); validated data comes from
    ``load_tables_from_warehouse``.
    """
    tables = {}
    for name, file in snapshot.files.items():
        table = contract.TABLES_BY_NAME[name]
        if file.format == "parquet":
            frame = pd.read_parquet(file.path)
        else:
            numeric = {c.name: "float64" for c in table.columns if c.type in ("int", "decimal")}
            frame = pd.read_csv(
                file.path,
                dtype=_csv_dtypes(numeric),
                keep_default_na=False,
                na_values=[""],
                encoding="utf-8-sig",
            )
        frame.columns = [contract.normalise_header(c) for c in frame.columns]
        frame = frame[[c for c in table.column_names if c in frame.columns]]
        tables[name] = _parse_text_columns(frame, table, snapshot.date_format)
    return tables


def _csv_dtypes(numeric: dict[str, str]):
    """read_csv dtypes: numbers as float64 (NaN for blanks), everything else as text."""
    return collections.defaultdict(lambda: "str", numeric)


def _parse_dates(text: pd.Series, date_format: str | None) -> pd.Series:
    if not pd.api.types.is_string_dtype(text):  # Parquet DATE columns arrive as date objects
        return pd.to_datetime(text)
    day = text.str.strip().str.slice(0, 10)
    if date_format == "uk":
        return pd.to_datetime(day, format="%d/%m/%Y")
    parsed = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")
    if date_format is None:
        unparsed = parsed.isna() & day.notna()
        if unparsed.any():
            parsed[unparsed] = pd.to_datetime(day[unparsed], format="%d/%m/%Y")
    return parsed


def _parse_text_columns(
    frame: pd.DataFrame, table: contract.Table, date_format: str | None
) -> pd.DataFrame:
    booleans = {
        **dict.fromkeys(contract.BOOL_TRUE, True),
        **dict.fromkeys(contract.BOOL_FALSE, False),
    }
    parsed = {}
    for name in frame.columns:
        column, values = table.column(name), frame[name]
        if values.dtype.kind in "biufcmM":  # already typed (numbers, Parquet)
            parsed[name] = values
        elif column.type == "date":
            parsed[name] = _parse_dates(values, date_format)
        elif column.type == "bool":
            parsed[name] = values.str.strip().str.lower().map(booleans).astype("boolean")
        elif column.type in ("int", "decimal"):
            parsed[name] = pd.to_numeric(values)
        else:
            parsed[name] = values
    return pd.DataFrame(parsed, index=frame.index)


def load_build_from_warehouse(con) -> tuple[dt.date, dict[str, dt.date]]:
    """The as-of date and coverage dates recorded in ``meta.build``."""
    as_of, repeat_crimes, health_use = con.execute(
        "select as_of, coverage_repeat_crimes, coverage_health_use from meta.build"
    ).fetchone()
    coverage = {"repeat_crimes": repeat_crimes, "health_use": health_use}
    return as_of, {k: v for k, v in coverage.items() if v is not None}


def _has_table(con, schema: str, name: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()[0]
    return found > 0


def central_parameters() -> dict[str, float]:
    """The register's central settings, by name."""
    frame = register.load_register()
    return dict(zip(frame["name"], frame["central"], strict=True))


@functools.cache
def _holiday_array(first_year: int, last_year: int) -> np.ndarray:
    holidays = calendar.bank_holidays(first_year, last_year)
    return np.array(list(holidays), dtype="datetime64[D]")


@functools.cache
def _metric_by_raw() -> dict[int, float]:
    conversion = swemwbs_conversion()
    return dict(zip(conversion["raw"], conversion["metric"], strict=True))


def _typed(tables: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame:
    """A table with every contract column (absent ones all missing), dates as datetime64."""
    table = contract.TABLES_BY_NAME[name]
    frame = tables.get(name)
    if frame is None:
        frame = pd.DataFrame(columns=list(table.column_names))
    frame = frame.reindex(columns=list(table.column_names))
    typed = {}
    for column in table.columns:
        values = frame[column.name]
        if column.type == "date":
            typed[column.name] = pd.to_datetime(values).astype("datetime64[ns]")
        elif column.type in ("int", "decimal"):
            typed[column.name] = pd.to_numeric(values).astype("float64")
        elif column.type == "bool":
            typed[column.name] = values.astype("boolean")
        else:
            typed[column.name] = values.astype("str")
    return pd.DataFrame(typed, index=frame.index)


def measure_present(tables: Mapping[str, pd.DataFrame], table: str, column: str) -> bool:
    frame = tables.get(table)
    return frame is not None and column in frame.columns and bool(frame[column].notna().any())


def _indicator_has_data(tables: Mapping[str, pd.DataFrame], indicator_id: str) -> bool:
    return all(
        any(measure_present(tables, t, c) for t, c in group) for group in MEASURES[indicator_id]
    )


# --- shared definitions ---------------------------------------------------------------


def month_of(dates: pd.Series) -> pd.Series:
    """First day of each date's month (datetime64)."""
    return dates.dt.to_period("M").dt.to_timestamp()


def nth_working_day_after(dates: pd.Series, n: int) -> pd.Series:
    """The N-th working day strictly after each date (NaT stays NaT).

    Rolling a non-working day back to the previous working day and then moving N
    working days forward counts only days strictly after the date.
    """
    days = dates.to_numpy(dtype="datetime64[D]")
    known = days[~np.isnat(days)]
    if known.size == 0:
        return pd.Series(pd.NaT, index=dates.index, dtype="datetime64[ns]")
    first_year = int(str(known.min())[:4]) - 1
    last_year = int(str(known.max())[:4]) + 1
    holidays = _holiday_array(first_year, last_year)
    shifted = np.busday_offset(days, n, roll="backward", holidays=holidays)
    return pd.Series(shifted, index=dates.index).astype("datetime64[ns]")


def positive_change(earlier: pd.Series, later: pd.Series) -> pd.Series:
    """Later score higher, or both at the top of the 1..5 scale."""
    return (later > earlier) | ((earlier == 5) & (later == 5))


def _monthly_rate(months: pd.Series, counted: pd.Series) -> pd.DataFrame:
    """Per month: denominator = rows, numerator = rows where ``counted``."""
    frame = pd.DataFrame({"month": months.to_numpy(), "counted": counted.to_numpy(dtype=bool)})
    grouped = frame.groupby("month")["counted"].agg(numerator="sum", denominator="size")
    return grouped.reset_index().astype({"numerator": "float64", "denominator": "float64"})


def _monthly_count(months: pd.Series) -> pd.DataFrame:
    counts = months.dropna().value_counts().rename("numerator").rename_axis("month")
    return counts.reset_index().astype({"numerator": "float64"})


# --- indicator families -----------------------------------------------------------------


def _referrals_received(inputs: dict) -> pd.DataFrame:
    referrals = inputs["referrals"]
    return _monthly_count(month_of(referrals["referral_date"]))


def _referrals_completed(inputs: dict) -> pd.DataFrame:
    referrals = inputs["referrals"]
    completed = referrals[referrals["closure_reason"] == "support_completed"]
    return _monthly_count(month_of(completed["referral_date"]))


def _open_cases(inputs: dict) -> pd.DataFrame:
    # Open at a month end = referred by then - closed by then (closed_date >= referral_date).
    referrals, spine = inputs["referrals"], inputs["months"]
    referred = month_of(referrals["referral_date"]).value_counts()
    closed = month_of(referrals["closed_date"]).value_counts()
    referred = referred.reindex(spine, fill_value=0).cumsum()
    closed = closed.reindex(spine, fill_value=0).cumsum()
    return pd.DataFrame({"month": spine, "numerator": (referred - closed).to_numpy(float)})


def _first_contact_2wd(inputs: dict) -> pd.DataFrame:
    referrals, as_of = inputs["referrals"], inputs["as_of"]
    working_days = int(inputs["params"].get("first_contact_working_days", 2))
    deadline = nth_working_day_after(referrals["referral_date"], working_days)
    contacted = referrals["first_contact_date"].notna()
    base = referrals[contacted | (deadline < as_of)]
    in_time = base["first_contact_date"] <= deadline[base.index]
    return _monthly_rate(month_of(base["referral_date"]), in_time)


def _police_referral_2wd(inputs: dict) -> pd.DataFrame:
    referrals = inputs["referrals"]
    base = referrals[(referrals["source"] == "police") & referrals["reported_date"].notna()]
    clock_start = base[["reported_date", "consent_date"]].max(axis=1)
    working_days = int(inputs["params"].get("victims_code_referral_working_days", 2))
    in_time = base["referral_date"] <= nth_working_day_after(clock_start, working_days)
    return _monthly_rate(month_of(base["referral_date"]), in_time)


def _enhanced_rights_share(inputs: dict) -> pd.DataFrame:
    referrals = inputs["referrals"]
    return _monthly_rate(
        month_of(referrals["referral_date"]), referrals["enhanced_rights"].fillna(False)
    )


def _satisfaction(inputs: dict) -> pd.DataFrame:
    surveys = inputs["exit_surveys"]
    answered = surveys[surveys["satisfaction"].notna()]
    return _monthly_rate(month_of(answered["survey_date"]), answered["satisfaction"] >= 4)


def _intake_exit_pairs(inputs: dict, measure: str) -> pd.DataFrame:
    """Completed referrals with the measure at intake and at exit."""
    referrals, assessments = inputs["referrals"], inputs["assessments"]
    completed = referrals.loc[
        referrals["closure_reason"] == "support_completed", ["referral_id", "closed_date"]
    ]
    scored = assessments[assessments[measure].notna()]
    intake = scored.loc[scored["stage"] == "intake", ["referral_id", measure]]
    exit_ = scored.loc[scored["stage"] == "exit", ["referral_id", measure]]
    return completed.merge(intake, on="referral_id").merge(
        exit_, on="referral_id", suffixes=("_intake", "_exit")
    )


def _exit_change(measure: str) -> Callable[[dict], pd.DataFrame]:
    def family(inputs: dict) -> pd.DataFrame:
        pairs = _intake_exit_pairs(inputs, measure)
        better = positive_change(pairs[f"{measure}_intake"], pairs[f"{measure}_exit"])
        return _monthly_rate(month_of(pairs["closed_date"]), better)

    return family


def _wellbeing_gain_at_exit(inputs: dict) -> pd.DataFrame:
    pairs = _intake_exit_pairs(inputs, "metric")
    gain = pairs["metric_exit"] - pairs["metric_intake"]
    meaningful = gain >= inputs["params"]["swemwbs_meaningful_change"]
    return _monthly_rate(month_of(pairs["closed_date"]), meaningful)


def _homes_made_safer(inputs: dict) -> pd.DataFrame:
    services = inputs["services"]
    hardening = services[services["service_type"] == "target_hardening"]
    first_start = hardening.groupby("referral_id")["start_date"].min()
    return _monthly_count(month_of(first_start))


def _not_revictimised_12m(inputs: dict) -> pd.DataFrame:
    referrals, crimes = inputs["referrals"], inputs["repeat_crimes"]
    limit = _observation_limit(inputs, "repeat_crimes")
    window_end = referrals["referral_date"] + pd.Timedelta(days=365)
    base = referrals.loc[window_end <= limit, ["referral_id", "victim_id", "referral_date"]]
    later = base.merge(crimes[["victim_id", "crime_date"]], on="victim_id")
    repeat = (later["crime_date"] > later["referral_date"]) & (
        later["crime_date"] <= later["referral_date"] + pd.Timedelta(days=365)
    )
    revictimised = set(later.loc[repeat, "referral_id"])
    spared = ~base["referral_id"].isin(revictimised)
    return _monthly_rate(month_of(base["referral_date"]), spared)


def _nhs_pairs(inputs: dict) -> pd.DataFrame:
    """Closed referrals with comparable (same source) pre_6m and complete post_6m rows."""
    referrals, health = inputs["referrals"], inputs["health_use"]
    limit = _observation_limit(inputs, "health_use")
    closed = referrals[referrals["closed_date"].notna()]
    complete = closed.loc[
        closed["closed_date"] + pd.DateOffset(months=6) <= limit, ["referral_id", "closed_date"]
    ]
    columns = ["referral_id", "source", *contract.NHS_CONTACT_COLUMNS]
    pre = health.loc[health["window"] == "pre_6m", columns]
    post = health.loc[health["window"] == "post_6m", columns]
    pairs = complete.merge(pre, on="referral_id").merge(
        post, on="referral_id", suffixes=("_pre", "_post")
    )
    return pairs[pairs["source_pre"] == pairs["source_post"]]


def _paired_sums(pairs: pd.DataFrame, columns: tuple[str, ...]) -> tuple[pd.Series, pd.Series]:
    """Pre and post totals over the contact types with a value in both windows."""
    pre = pairs[[f"{c}_pre" for c in columns]].to_numpy(float)
    post = pairs[[f"{c}_post" for c in columns]].to_numpy(float)
    both = ~np.isnan(pre) & ~np.isnan(post)
    pre_total = np.where(both, pre, 0.0).sum(axis=1)
    post_total = np.where(both, post, 0.0).sum(axis=1)
    return pd.Series(pre_total, index=pairs.index), pd.Series(post_total, index=pairs.index)


def _any_type_compared(pairs: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    pre = pairs[[f"{c}_pre" for c in columns]].to_numpy(float)
    post = pairs[[f"{c}_post" for c in columns]].to_numpy(float)
    both = ~np.isnan(pre) & ~np.isnan(post)
    return pd.Series(both.any(axis=1), index=pairs.index)


def _fewer_crisis_contacts(inputs: dict) -> pd.DataFrame:
    pairs = _nhs_pairs(inputs)
    pre, post = _paired_sums(pairs, CRISIS_COLUMNS)
    base = pre > 0
    return _monthly_rate(month_of(pairs.loc[base, "closed_date"]), (post < pre)[base])


def _nhs_contacts_change(inputs: dict) -> pd.DataFrame:
    # A referral whose rows share no valued contact type has nothing to compare: it is
    # not in the base (its change would be an unmeasured 0).
    pairs = _nhs_pairs(inputs)
    compared = _any_type_compared(pairs, contract.NHS_CONTACT_COLUMNS)
    pre, post = _paired_sums(pairs[compared], contract.NHS_CONTACT_COLUMNS)
    months = month_of(pairs.loc[compared, "closed_date"])
    frame = pd.DataFrame({"month": months, "change": pre - post})
    grouped = frame.groupby("month")["change"].agg(numerator="sum", denominator="size")
    return grouped.reset_index().astype({"numerator": "float64", "denominator": "float64"})


FAMILIES: dict[str, Callable[[dict], pd.DataFrame]] = {
    "referrals_received": _referrals_received,
    "referrals_completed": _referrals_completed,
    "first_contact_2wd": _first_contact_2wd,
    "police_referral_2wd": _police_referral_2wd,
    "open_cases": _open_cases,
    "satisfaction": _satisfaction,
    "enhanced_rights_share": _enhanced_rights_share,
    "wellbeing_gain_at_exit": _wellbeing_gain_at_exit,
    "coped_better_at_exit": _exit_change("coping"),
    "feel_safer_at_exit": _exit_change("safety"),
    "homes_made_safer": _homes_made_safer,
    "not_revictimised_12m": _not_revictimised_12m,
    "fewer_crisis_contacts": _fewer_crisis_contacts,
    "nhs_contacts_change": _nhs_contacts_change,
}


# --- assembly ---------------------------------------------------------------------------


def _observation_limit(inputs: dict, coverage_table: str) -> pd.Timestamp:
    """The as-of date, or the table's coverage date if that is earlier."""
    limit = inputs["as_of"]
    covered = inputs["coverage"].get(coverage_table)
    if covered is not None:
        limit = min(limit, pd.Timestamp(covered))
    return limit


def _with_swemwbs_metric(assessments: pd.DataFrame) -> pd.DataFrame:
    """Add ``metric``: the raw sum converted, else the stored metric score."""
    converted = assessments["swemwbs"].map(_metric_by_raw())
    return assessments.assign(metric=converted.fillna(assessments["swemwbs_metric"]))


def _assemble(indicator_id: str, rows: pd.DataFrame, inputs: dict, has_data: bool):
    spine = pd.DataFrame({"month": inputs["months"]})
    kind = KIND.get(indicator_id, "rate")
    frame = spine.merge(rows, on="month", how="left")
    if "denominator" not in frame:
        frame["denominator"] = np.nan
    if kind == "count":
        frame["numerator"] = frame["numerator"].fillna(0.0)
    status = pd.Series("ok", index=frame.index, dtype="object")
    status[frame["numerator"].isna() | (frame["denominator"] == 0)] = "empty_base"
    if indicator_id in CENSORING:
        window, coverage_table = CENSORING[indicator_id]
        month_end = frame["month"] + pd.offsets.MonthEnd(0)
        censored = month_end + window > _observation_limit(inputs, coverage_table)
        status[censored] = "not_yet_measurable"
    if not has_data:
        status[:] = "no_data"
    ok = status == "ok"
    frame["numerator"] = frame["numerator"].where(ok)
    frame["denominator"] = frame["denominator"].where(ok & (kind == "rate"))
    frame["value"] = (
        frame["numerator"] / frame["denominator"] if kind == "rate" else frame["numerator"]
    )
    frame.insert(0, "indicator_id", indicator_id)
    frame["status"] = status
    return frame[OUTPUT_COLUMNS]


def compute_core(
    tables: Mapping[str, pd.DataFrame],
    as_of,
    coverage: Mapping[str, object] | None = None,
    params: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The core indicators for agency ``all``, one row per (indicator_id, month)."""
    inputs: dict = {name: _typed(tables, name) for name in contract.TABLE_NAMES}
    inputs["assessments"] = _with_swemwbs_metric(inputs["assessments"])
    inputs["as_of"] = pd.Timestamp(as_of)
    inputs["coverage"] = {k: v for k, v in (coverage or {}).items() if v is not None}
    inputs["params"] = dict(params) if params is not None else central_parameters()
    referral_months = month_of(inputs["referrals"]["referral_date"]).dropna()
    if referral_months.empty:
        return pd.DataFrame(columns=OUTPUT_COLUMNS)
    inputs["months"] = pd.date_range(
        referral_months.min(), month_of(pd.Series([inputs["as_of"]])).iloc[0], freq="MS"
    )
    frames = [
        _assemble(i, FAMILIES[i](inputs), inputs, _indicator_has_data(tables, i))
        for i in CORE_INDICATORS
    ]
    return pd.concat(frames, ignore_index=True)
