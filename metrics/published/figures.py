"""What the public dashboard reads, made from a quarter's protected tables only.

* `table_rows`: every published cell, long format (the transparency tables);
* `indicator_rows`: one row per catalogue indicator, in the columns of the dashboard's
  indicator queries. A person-level outcome takes its base and met counts from the
  protected tables and its rate from the rounded counts; a money figure (not a count of
  people, spec rule 7) is rounded to 3 significant figures and shown only with at least 8
  people behind it (the largest monthly head count); a quarter that is not measurable in
  every month keeps its status. Any other indicator is `not_published`: it is not a count
  of people the release holds (referral counts, medians, modelled estimates);
* `reach_rows`: reach by characteristic, worked out from the published (rounded) counts
  and the comparison population's protected counts and shares (`comparison.py`: they
  count people by sensitive group too).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from metrics.catalogue import MONEY_INDICATORS as MONEY
from metrics.disclosure import ProtectedRelease, protect_money, rate
from metrics.disclosure.rules import SENSITIVE_THRESHOLD, TOTAL, UNKNOWN, threshold_for
from metrics.disclosure.rules import SUPPRESSED as SUPPRESSED_MARK
from metrics.published.names import COUNT_ONLY, PERIOD, base_table, met_table
from metrics.queries import wilson_interval
from metrics.report import data

NOT_PUBLISHED = "not_published"
COMPARISON_HIDDEN = (
    "not shown: the comparison population's count is fewer than 8 people (10 for a "
    "sensitive group), or hidden to protect another figure"
)
SUPPRESSED = "suppressed"
INDICATOR_COLUMNS = [
    "indicator_id",
    "period",
    "period_start",
    "kind",
    "months",
    "months_ok",
    "months_not_yet_measurable",
    "months_no_data",
    "months_empty_base",
    "numerator",
    "denominator",
    "persons",
    "status",
    "value",
    "value_low",
    "value_high",
    "suppressed",
]
TABLE_COLUMNS = ["period", "table_name", "dimension", "category", "count", "display", "legend"]
REACH_COLUMNS = [
    "period",
    "month",
    "basis",
    "basis_label",
    "characteristic",
    "category",
    "victims_referred",
    "comparison_people",
    "comparison_share",
    "reach_ratio",
    "ci_low",
    "ci_high",
    "status",
    "suppressed",
]


class QuarterTables:
    """A quarter's published tables (name -> the protected release holding it)."""

    def __init__(self, tables: Mapping[str, ProtectedRelease]) -> None:
        self.releases = dict(tables)

    def __contains__(self, name: str) -> bool:
        return name in self.releases

    def names(self) -> list[str]:
        return sorted(self.releases)

    def count(self, name: str) -> int | None:
        """The published count of a one-cell table (None when hidden)."""
        return self.releases[name].published(name)[0][1]

    def hidden_reason(self, name: str) -> str:
        """The footnote words for a hidden cell of a one-cell table."""
        protected = self.releases[name]
        info = protected.info(name)
        labels = protected.cells.loc[protected.cells["table"] == name, "labels"].iloc[0]
        return hidden_label(threshold_for(info.labels_of(labels), info.sensitive))


def hidden_label(threshold: int) -> str:
    fewer = SENSITIVE_THRESHOLD if threshold >= SENSITIVE_THRESHOLD else 8
    return f"fewer than {fewer} people, or hidden to protect another figure"


def _count(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def table_rows(label: str, tables: QuarterTables) -> list[dict]:
    rows = []
    for name in tables.names():
        protected = tables.releases[name]
        dims = [d for d in protected.info(name).dims if d != PERIOD]
        legend = protected.legend(name)
        for labels, count in protected.published(name):
            rows.append(
                {
                    "period": label,
                    "table_name": name,
                    "dimension": dims[0] if dims else "",
                    "category": str(labels[dims[0]]) if dims else TOTAL,
                    "count": count,
                    "display": SUPPRESSED_MARK if count is None else str(count),
                    "legend": legend,
                }
            )
    return rows


def _blank(entry: dict, status: str, reason: str = "") -> dict:
    return {
        **entry,
        "numerator": math.nan,
        "denominator": math.nan,
        "persons": math.nan,
        "status": status,
        "value": math.nan,
        "value_low": math.nan,
        "value_high": math.nan,
        "suppressed": reason,
    }


def _person_row(entry: dict, indicator: str, tables: QuarterTables) -> dict:
    base = base_table(indicator)
    denominator = tables.count(base)
    if indicator in COUNT_ONLY:
        if denominator is None:
            return _blank(entry, SUPPRESSED, tables.hidden_reason(base))
        count = float(denominator)
        return {**_blank(entry, "ok"), "numerator": count, "persons": count, "value": count}
    met = met_table(indicator)
    numerator = tables.count(met)
    figure = rate(numerator, denominator)
    out = _blank(entry, "ok")
    out["denominator"] = math.nan if denominator is None else float(denominator)
    out["persons"] = out["denominator"]
    if figure.status == "empty_base":
        return {**out, "status": "empty_base"}
    if figure.status != "published":
        hidden = met if numerator is None else base
        return {**out, "status": SUPPRESSED, "suppressed": tables.hidden_reason(hidden)}
    return {**out, "numerator": float(numerator), "value": float(figure.value)}


def _money_row(entry: dict, pooled: pd.Series) -> dict:
    persons = 0 if pd.isna(pooled.get("persons_max")) else int(pooled["persons_max"])
    central = protect_money(_number(pooled.get("value")), persons)
    if central.status == "withheld":
        return _blank(entry, SUPPRESSED, "fewer than 8 people")
    if central.status != "published":
        return _blank(entry, "no_data")
    low = protect_money(_number(pooled.get("value_low")), persons).value
    high = protect_money(_number(pooled.get("value_high")), persons).value
    out = _blank(entry, "ok")
    out.update(
        value=central.value,
        value_low=math.nan if low is None else low,
        value_high=math.nan if high is None else high,
    )
    if entry["kind"] == "money":
        out["numerator"] = central.value
    return out


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def indicator_rows(
    label: str,
    first: object,
    catalogue: pd.DataFrame,
    pooled: pd.DataFrame,
    tables: QuarterTables,
) -> list[dict]:
    """One row per catalogue indicator for the quarter starting `first`. `pooled`: the
    quarter's rows of `queries.pooled_quarters`; `tables`: its published tables."""
    by_id = {r["indicator_id"]: r for _, r in pooled.iterrows()}
    rows = []
    for _, entry in catalogue.iterrows():
        indicator = entry["indicator_id"]
        found = by_id.get(indicator)
        base = {
            "indicator_id": indicator,
            "period": label,
            "period_start": first,
            "kind": entry["kind"],
            "months": 3,
            "months_ok": 0,
            "months_not_yet_measurable": 0,
            "months_no_data": 3,
            "months_empty_base": 0,
        }
        if found is not None:
            for column in ("months", "months_ok", "months_not_yet_measurable",
                           "months_no_data", "months_empty_base"):
                base[column] = int(found[column])
        status = "no_data" if found is None else str(found["status"])
        if indicator in data.PERSON_OUTCOMES and base_table(indicator) in tables:
            rows.append(_person_row(base, indicator, tables))
        elif status != "ok":
            rows.append(_blank(base, status))
        elif indicator in MONEY:
            rows.append(_money_row(base, found))
        else:
            rows.append(_blank(base, NOT_PUBLISHED))
    return rows


def _known_total(cells: list[tuple[object, int | None]]) -> int | None:
    """People whose category is recorded, from published counts only (None if it cannot
    be worked out from them). cells: (category, published count or None when hidden)."""
    total = [count for category, count in cells if category == TOTAL][0]
    unknown = [count for category, count in cells if category == UNKNOWN]
    known = [count for category, count in cells if category not in (TOTAL, UNKNOWN)]
    if not unknown:
        return total
    if total is not None and unknown[0] is not None:
        return total - int(unknown[0])
    if all(count is not None for count in known):
        return int(sum(known))
    return None


def reach_rows(
    label: str,
    month: object,
    tables: QuarterTables,
    comparisons: pd.DataFrame,
) -> list[dict]:
    """Reach by characteristic for the quarter; `comparisons`: the comparison
    population's rows (basis, basis_label, characteristic, category, comparison_people,
    comparison_share, comparison_hidden) of the latest month in the quarter, protected
    (`comparison.protect_comparisons`)."""
    rows = []
    records = comparisons.to_dict("records")
    for dim in data.DEMOGRAPHICS:
        name = f"referred_by_{dim}"
        if name not in tables:
            continue
        cells = [(labels[dim], count) for labels, count in tables.releases[name].published(name)]
        counts: dict[object, int | None] = {}
        for category, count in cells:
            counts.setdefault(category, count)
        known_total = _known_total(cells)
        info = tables.releases[name].info(name)
        for comp in records:
            if comp["characteristic"] != dim or comp["category"] not in counts:
                continue
            count = counts[comp["category"]]
            share_base = comp["comparison_share"]
            row = {
                "period": label,
                "month": month,
                "basis": comp["basis"],
                "basis_label": comp["basis_label"],
                "characteristic": dim,
                "category": comp["category"],
                "victims_referred": math.nan if count is None else float(count),
                "comparison_people": comp["comparison_people"],
                "comparison_share": share_base,
                "reach_ratio": math.nan,
                "ci_low": math.nan,
                "ci_high": math.nan,
                "status": "ok",
                "suppressed": "",
            }
            if comp.get("comparison_hidden"):
                row["status"] = SUPPRESSED
                row["suppressed"] = COMPARISON_HIDDEN
            elif count is None:
                labels = ((PERIOD, label), (dim, comp["category"]))
                row["status"] = SUPPRESSED
                row["suppressed"] = hidden_label(threshold_for(info.labels_of(labels)))
            elif known_total is None:
                row["status"] = SUPPRESSED
                row["suppressed"] = "share not shown: the number recorded is hidden"
            elif known_total == 0 or not share_base or pd.isna(share_base):
                row["status"] = "empty_base"
            else:
                row["reach_ratio"] = count / known_total / share_base
                interval = wilson_interval(count, known_total)
                if interval is not None:
                    row["ci_low"] = interval[0] / share_base
                    row["ci_high"] = interval[1] / share_base
            rows.append(row)
    return rows
