"""What the three reports share: the warehouse facts, pooled figures, table cells for an
indicator figure, and the notes every report carries."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import duckdb
import pandas as pd

from metrics.catalogue import MONEY_INDICATORS, catalogue, in_place_order
from metrics.period import Period
from metrics.period_figures import PeriodCell, read_cells
from metrics.report import data, figures
from metrics.report import text as fmt
from metrics.report.render import Cell

SOURCE = "hub case records, hubvalue build {build}"
TIMELINESS = in_place_order("standard_order")
STANDARD_WORDS = {
    entry["indicator_id"]: entry["standard"]
    for entry in catalogue().to_dict("records")
    if entry["indicator_id"] in TIMELINESS
}
MONEY = MONEY_INDICATORS
THEMES = ("wellbeing", "prevention", "nhs_demand")
HORIZONS = ("short", "medium", "long")
DIMENSIONS = ("public_values", "public_sphere")


@dataclass
class Context:
    """Everything read once for a report."""

    con: duckdb.DuckDBPyConnection
    period: Period
    build: data.BuildInfo
    catalogue: pd.DataFrame

    @property
    def source(self) -> str:
        return SOURCE.format(build=self.build.build_id)

    def entry(self, indicator: str) -> pd.Series:
        return self.catalogue.set_index("indicator_id").loc[indicator]

    def title(self, indicator: str) -> str:
        return str(self.entry(indicator)["title"])

    def unit(self, indicator: str) -> str:
        return str(self.entry(indicator)["unit"])

    def pooled(
        self, period: Period, require_complete: bool = True, agencies: bool = True
    ) -> pd.DataFrame:
        rows = data.indicator_rows(self.con, period.first, period.last)
        out = figures.pool(rows, self.catalogue, period.month_list, require_complete, agencies)
        medians = data.agency_medians(self.con, period.first, period.last)
        return figures.add_medians(out, self.catalogue, medians, period.month_list)

    def cells(self, period: Period, agency: str = "all") -> dict[str, PeriodCell]:
        """Every indicator's period cell (metrics.period_figures): latest measurable
        cohort, matures on, and the change on the previous period and a year earlier."""
        cache = self.__dict__.setdefault("_cells", {})
        key = (period.label, agency)
        if key not in cache:
            cache[key] = read_cells(self.con, data.READER, period, agency, year_earlier=True)
        return cache[key]


def facts(ctx: Context, extra: list[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    out = [
        ("Period", f"{ctx.period.title()}"),
        ("As-of date", fmt.long_date(ctx.build.as_of)),
        ("Build id", ctx.build.build_id),
    ]
    if ctx.build.price_base_year:
        out.append(("Price base year", ctx.build.price_base_year))
    if ctx.build.assumptions_sha256:
        out.append(("Hub's own register", f"{ctx.build.assumptions_file} (SHA-256 "
                                          f"{ctx.build.assumptions_sha256})"))
    return out + list(extra)


# A pooled frame's rows by (indicator, agency), built once per frame. Kept beside the
# frame, not in its `attrs`: pandas deep-copies `attrs` into every frame derived from it,
# which made a manager pack spend most of its time copying this index.
_ROWS_BY_KEY: dict[int, tuple[weakref.ref, dict]] = {}


def figure_row(pooled: pd.DataFrame, indicator: str, agency: str = "all") -> dict | None:
    """One pooled figure as a dict (None if the period has no row for it)."""
    held = _ROWS_BY_KEY.get(id(pooled))
    if held is None or held[0]() is not pooled:
        index = {(r["indicator_id"], r["agency"]): r for r in pooled.to_dict("records")}
        key = id(pooled)
        _ROWS_BY_KEY[key] = (weakref.ref(pooled), index)
        weakref.finalize(pooled, _ROWS_BY_KEY.pop, key, None)
        held = _ROWS_BY_KEY[key]
    return held[1].get((indicator, agency))


def value_cell(row: pd.Series | None, unit: str) -> Cell:
    """The figure's value, or its status in words (never 0 for a missing value)."""
    if row is None:
        return Cell(fmt.status_word("no_data"), "status")
    if row["status"] != "ok":
        return Cell(fmt.status_word(row["status"]), "status")
    if unit == "rate" and (pd.isna(row["denominator"]) or row["denominator"] == 0):
        return Cell(fmt.status_word("empty_base"), "status")
    kind = "money" if unit in ("gbp", "ratio") else ("rate" if unit == "rate" else "number")
    return Cell(fmt.value_text(row["value"], unit), kind)


def base_cell(row: pd.Series | None, unit: str) -> Cell:
    if row is None or row["status"] != "ok" or unit != "rate":
        return Cell("", "text")
    return Cell(fmt.count(row["denominator"]), "number")


def interval_cell(row: pd.Series | None, unit: str) -> Cell:
    if row is None or row["status"] != "ok" or unit != "rate":
        return Cell("", "text")
    return Cell(fmt.interval_text(row["ci_low"], row["ci_high"]), "rate")


def coverage_note(row: pd.Series | None) -> str:
    """'2 of 3 months measurable' when a figure covers part of the period."""
    if row is None or row["status"] != "ok" or row["months_ok"] >= row["months"]:
        return ""
    return f"{int(row['months_ok'])} of {int(row['months'])} months measurable"


def status_notes() -> list[str]:
    return [f"{fmt.status_label(status)}: {fmt.STATUS_MEANINGS[status]}."
            for status in ("no_data", "not_yet_measurable", "empty_base")]


def scenario_text(row: pd.Series | None, unit: str) -> str:
    if row is None or row["status"] != "ok":
        return ""
    low, high = row["value_low"], row["value_high"]
    if pd.isna(low) or pd.isna(high):
        return ""
    low, high = sorted((float(low), float(high)))
    return f"{fmt.value_text(low, unit)} to {fmt.value_text(high, unit)}"
