"""Indicator rows made ready for the page: catalogue joined, intervals added, current
period beside the previous one."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard import formatting as fmt
from dashboard.stats import wilson_interval

MONEY_UNITS = frozenset({"gbp", "ratio"})


def with_intervals(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ci_low and ci_high: the 95 % Wilson interval of every ok rate row."""
    out = frame.copy()
    lows, highs = [], []
    kinds = out["kind"] if "kind" in out.columns else [None] * len(out)
    statuses = out["status"] if "status" in out.columns else [None] * len(out)
    numerators = out["numerator"] if "numerator" in out.columns else [None] * len(out)
    denominators = out["denominator"] if "denominator" in out.columns else [None] * len(out)
    for kind, status, numerator, denominator in zip(kinds, statuses, numerators,
                                                    denominators, strict=True):
        interval = None
        if kind == "rate" and status == "ok":
            interval = wilson_interval(numerator, denominator)
        lows.append(interval[0] if interval else float("nan"))
        highs.append(interval[1] if interval else float("nan"))
    out["ci_low"] = lows
    out["ci_high"] = highs
    return out


@dataclass(frozen=True)
class Figure:
    """One indicator over the chosen period, ready to show."""

    indicator_id: str
    title: str
    unit: str
    kind: str
    direction: str
    status: str
    value: float
    numerator: float
    denominator: float
    ci_low: float
    ci_high: float
    value_low: float
    value_high: float
    previous: float
    months: int
    months_ok: int
    suppressed: str

    @property
    def shown(self) -> bool:
        return self.status == "ok" and not fmt.missing(self.value)

    def value_text(self) -> str:
        if not self.shown:
            return fmt.status_label(self.status)
        return fmt.value_text(self.value, self.unit)

    def base_text(self) -> str:
        """'base 120 people; 95% CI 35% to 52%' for rates; the base for others."""
        if not self.shown:
            return fmt.STATUS_MEANINGS.get(self.status, "")
        if self.kind == "rate":
            text = f"{fmt.count(self.numerator)} of {fmt.count(self.denominator)}"
            if not fmt.missing(self.ci_low):
                text += f"; 95% CI {fmt.percent(self.ci_low)} to {fmt.percent(self.ci_high)}"
            return text
        if self.unit == "gbp" and not fmt.missing(self.value_low):
            return f"low {fmt.gbp(self.value_low)}, high {fmt.gbp(self.value_high)}"
        if self.unit == "ratio" and not fmt.missing(self.value_low):
            return f"low {fmt.ratio(self.value_low)}, high {fmt.ratio(self.value_high)}"
        if self.unit == "median_working_days" and not fmt.missing(self.denominator):
            return f"over {fmt.count(self.denominator)} agency referrals"
        return ""

    def coverage_text(self) -> str:
        if self.status == "ok" and self.months_ok < self.months:
            return f"{self.months_ok} of {self.months} months measurable"
        return ""

    def change(self) -> str | None:
        if not self.shown:
            return None
        return fmt.change_text(self.value, self.previous, self.unit)


def _number(row, column: str) -> float:
    value = row.get(column) if row is not None else None
    if value is None or value is pd.NA or value is pd.NaT or fmt.missing(value):
        return float("nan")
    return float(value)


def _suppressed(row: dict | None) -> str:
    value = row.get("suppressed") if row is not None else None
    if value is None or value is pd.NA or fmt.missing(value):
        return ""
    return str(value)


def _rows_by_indicator(frame: pd.DataFrame) -> dict[str, dict]:
    """The frame's rows as plain dicts by indicator id (the first row of each id)."""
    out: dict[str, dict] = {}
    for row in frame.to_dict("records"):
        out.setdefault(row["indicator_id"], row)
    return out


def figures(summary: pd.DataFrame, catalogue: pd.DataFrame) -> dict[str, Figure]:
    """Current-period Figures by indicator id, each with the previous period's value."""
    summary = with_intervals(summary)
    current = _rows_by_indicator(summary[summary["bucket"] == "current"])
    previous = _rows_by_indicator(summary[summary["bucket"] == "previous"])
    out = {}
    for entry in catalogue.to_dict("records"):
        indicator = entry["indicator_id"]
        row = current.get(indicator)
        before = previous.get(indicator)
        prev_value = float("nan")
        if before is not None and before["status"] == "ok":
            prev_value = _number(before, "value")
        out[indicator] = Figure(
            indicator_id=indicator,
            title=entry["title"],
            unit=entry["unit"],
            kind=entry.get("kind", "rate"),
            direction=entry.get("direction", "neutral"),
            status=row["status"] if row is not None else "no_data",
            value=_number(row, "value"),
            numerator=_number(row, "numerator"),
            denominator=_number(row, "denominator"),
            ci_low=_number(row, "ci_low"),
            ci_high=_number(row, "ci_high"),
            value_low=_number(row, "value_low"),
            value_high=_number(row, "value_high"),
            previous=prev_value,
            months=int(row["months"]) if row is not None else 0,
            months_ok=int(row["months_ok"]) if row is not None else 0,
            suppressed=_suppressed(row),
        )
    return out


def delta_colour(direction: str) -> str:
    return {"higher_is_better": "normal", "lower_is_better": "inverse"}.get(direction, "off")
