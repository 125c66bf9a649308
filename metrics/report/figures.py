"""Indicator figures for a report period, pooled from marts.indicator_monthly.

One row per (indicator, agency) for the period:

* status: `no_data` if any month of the period has no data (or is not in the warehouse
  at all), then, for the public (`require_complete`), `not_yet_measurable` if any month
  is; otherwise `ok` if at least one month is measurable, else `not_yet_measurable` or
  `empty_base`. `months_ok` of `months` says how much of the period a figure covers.
* value: a rate or ratio is the sum of the numerators over the sum of the denominators
  of the measurable months; counts, sums and money are sums; `open_cases` (a month-end
  stock) is its last measurable month; a median over several months is recomputed from
  the agency referrals of the whole period (`data.agency_medians`).
* ci_low, ci_high: the 95 % Wilson interval of a rate.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from metrics.catalogue import stock_indicators
from metrics.queries import wilson_interval

STOCK_INDICATORS = stock_indicators()
COLUMNS = [
    "indicator_id",
    "agency",
    "status",
    "numerator",
    "denominator",
    "value",
    "value_low",
    "value_high",
    "persons",
    "persons_max",
    "months",
    "months_ok",
    "ci_low",
    "ci_high",
]


def _status(statuses: list[str], require_complete: bool) -> str:
    if "no_data" in statuses:
        return "no_data"
    if require_complete and "not_yet_measurable" in statuses:
        return "not_yet_measurable"
    if "ok" in statuses:
        return "ok"
    if "not_yet_measurable" in statuses:
        return "not_yet_measurable"
    return "empty_base"


def _sum(values: list) -> float:
    present = [float(v) for v in values if v is not None and not pd.isna(v)]
    return float(sum(present)) if present else math.nan


def _pool_one(
    indicator: str,
    agency: str,
    kind: str,
    rows: list[dict],
    months: list[dt.date],
    require_complete: bool,
) -> dict:
    by_month = {r["month"]: r for r in rows}
    statuses = [by_month[m]["status"] if m in by_month else "no_data" for m in months]
    status = _status(statuses, require_complete)
    ok = sorted((r for r in rows if r["status"] == "ok"), key=lambda r: r["month"])
    out = {
        "indicator_id": indicator,
        "agency": agency,
        "status": status,
        "numerator": math.nan,
        "denominator": math.nan,
        "value": math.nan,
        "value_low": math.nan,
        "value_high": math.nan,
        "persons": 0,
        "persons_max": 0,
        "months": len(months),
        "months_ok": int(sum(s == "ok" for s in statuses)),
        "ci_low": math.nan,
        "ci_high": math.nan,
    }
    if status != "ok" or not ok:
        return out
    persons = [0 if pd.isna(r["persons"]) else int(r["persons"]) for r in ok]
    out["persons"], out["persons_max"] = sum(persons), max(persons)
    numerator = _sum([r["numerator"] for r in ok])
    denominator = _sum([r["denominator"] for r in ok])
    has_scenarios = any(not pd.isna(r["value_low"]) for r in ok)
    if indicator in STOCK_INDICATORS:
        last = ok[-1]
        out.update(
            numerator=last["numerator"],
            value=last["value"],
            persons=persons[-1],
            persons_max=persons[-1],
        )
        return out
    if kind in ("rate", "ratio"):
        out["numerator"], out["denominator"] = numerator, denominator
        if denominator and not math.isnan(denominator):
            out["value"] = numerator / denominator
            if has_scenarios:
                out["value_low"] = (
                    _sum([r["value_low"] * r["denominator"] for r in ok]) / denominator
                )
                out["value_high"] = (
                    _sum([r["value_high"] * r["denominator"] for r in ok]) / denominator
                )
        if kind == "rate":
            interval = wilson_interval(numerator, denominator)
            if interval is not None:
                out["ci_low"], out["ci_high"] = interval
        return out
    if kind == "median":
        out["denominator"] = denominator
        if len(ok) == 1 and len(months) == 1:
            out["numerator"] = out["value"] = float(ok[0]["value"])
        return out  # a median over several months is filled in by `add_medians`
    out["numerator"] = out["value"] = numerator
    if has_scenarios:
        out["value_low"] = _sum([r["value_low"] for r in ok])
        out["value_high"] = _sum([r["value_high"] for r in ok])
    return out


def pool(
    rows: pd.DataFrame,
    catalogue: pd.DataFrame,
    months: list[dt.date],
    require_complete: bool = False,
    agencies: bool = True,
) -> pd.DataFrame:
    """Pool indicator_monthly rows over `months` (every indicator in the catalogue)."""
    kinds = dict(zip(catalogue["indicator_id"], catalogue["kind"], strict=True))
    wanted_months = set(months)
    groups: dict[tuple[str, str], list[dict]] = {(i, "all"): [] for i in kinds}
    for record in rows.to_dict("records"):
        record["month"] = pd.Timestamp(record["month"]).date()
        if record["month"] not in wanted_months or record["indicator_id"] not in kinds:
            continue
        if not agencies and record["agency"] != "all":
            continue
        groups.setdefault((record["indicator_id"], record["agency"]), []).append(record)
    records = [
        _pool_one(indicator, agency, kinds[indicator], part, months, require_complete)
        for (indicator, agency), part in sorted(groups.items())
    ]
    return pd.DataFrame(records, columns=COLUMNS)


def add_medians(
    pooled: pd.DataFrame, catalogue: pd.DataFrame, medians: pd.DataFrame, months: list[dt.date]
) -> pd.DataFrame:
    """Fill the median indicators of a period longer than a month from `agency_medians`."""
    if len(months) == 1:
        return pooled
    out = pooled.copy()
    median_ids = set(catalogue.loc[catalogue["kind"] == "median", "indicator_id"])
    by_agency = dict(zip(medians["agency"], medians["median_days"], strict=True))
    hit = out["indicator_id"].isin(median_ids) & (out["status"] == "ok")
    for i in out.index[hit]:
        value = by_agency.get(out.at[i, "agency"])
        if value is not None and not pd.isna(value):
            out.at[i, "numerator"] = out.at[i, "value"] = float(value)
    return out
