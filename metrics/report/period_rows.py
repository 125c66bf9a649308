"""Report cells from `metrics.period_figures`: the latest measurable cohort beside a period
that is not yet measurable, the like-for-like change in words, and "moved the wrong way"
only for a change beyond noise (evidence.md, sections 2 and 3). The manager pack and
the PCC review draw their period figures' extras from here."""

from __future__ import annotations

from metrics.period_figures import Comparison, PeriodCell, base_words
from metrics.report import text as fmt
from metrics.report.render import Cell

COHORT_LABEL = "Latest measurable cohort"


def change_cell(comparison: Comparison | None) -> Cell:
    """'up 5.2 points on Sep 2026', 'no clear change on ...', 'not comparable: ...'."""
    if comparison is None:
        return Cell(fmt.NO_VALUE, "number")
    return Cell(comparison.text(), "flag" if comparison.worse else "text")


def cohort_value_cell(cell: PeriodCell) -> Cell:
    kind = "money" if cell.rule.unit in ("gbp", "ratio") else (
        "rate" if cell.rule.unit == "rate" else "number")
    return Cell(fmt.value_text(cell.cohort.value, cell.rule.unit), kind)


def earlier_value_cell(comparison: Comparison | None, unit: str) -> Cell:
    """The earlier window's figure a cohort is compared with (its status if none)."""
    if comparison is None:
        return Cell(fmt.NO_VALUE, "status")
    earlier = comparison.earlier
    if earlier.before_start:
        return Cell("Before the first referral month", "status")
    if not earlier.shown:
        return Cell(fmt.status_word(earlier.status), "status")
    kind = "money" if unit in ("gbp", "ratio") else ("rate" if unit == "rate" else "number")
    return Cell(fmt.value_text(earlier.value, unit), kind)


def cohort_label(cell: PeriodCell) -> str:
    """'Latest measurable cohort: people who closed Dec 2024 to Nov 2025'."""
    return f"{COHORT_LABEL}: {cell.cohort_words()}"


def pending_text(cell: PeriodCell) -> str:
    """For a period not yet measurable: when it matures and which months are open, and the
    first cohort's date where none has matured."""
    parts = [cell.status_text(), cell.no_cohort_text()]
    return "; ".join(p for p in parts if p)


def cohort_sentence(cell: PeriodCell) -> str:
    """For a report sentence or scorecard cell: 'latest measurable 12 months: 36.8% (28 of
    76; 95% CI ...), people who closed Dec 2024 to Nov 2025, no clear change on ...;
    matures on 30 Nov 2027'; '' where the period has its own figure."""
    if cell.figure.shown or cell.status != "not_yet_measurable":
        return ""
    parts = []
    if cell.cohort is not None:
        text = cell.cohort_text()
        if cell.previous is not None:
            text += f", {cell.previous.text()}"
        parts.append(text)
    else:
        parts.append(cell.no_cohort_text())
    if cell.maturity:
        parts.append(cell.maturity)
    return "; ".join(p for p in parts if p)


def cohort_base_cell(cell: PeriodCell) -> Cell:
    if cell.rule.unit != "rate" or cell.cohort.denominator is None:
        return Cell("", "text")
    return Cell(fmt.count(cell.cohort.denominator), "number")


def cohort_interval_cell(cell: PeriodCell) -> Cell:
    if cell.cohort.interval is None:
        return Cell("", "text")
    return Cell(fmt.interval_text(*cell.cohort.interval), "rate")


def wrong_way(cell: PeriodCell | None) -> str:
    """Why a figure is flagged as moving the wrong way ('' when it is not): only a change
    beyond noise against the previous period or the same period a year earlier, in the
    indicator's wrong direction. A cohort standing in for the period is named; for a
    year, the previous period and the year earlier are one window, named once."""
    if cell is None:
        return ""
    named: dict[str, str] = {}  # months in words -> which comparison
    for label, comparison in (("previous", cell.previous), ("last year", cell.year_earlier)):
        if comparison is not None and comparison.worse:
            named.setdefault(comparison.earlier.words(), label)
    if not named:
        return ""
    text = "worse than " + " and ".join(f"{label} ({months})"
                                        for months, label in named.items()) + " beyond noise"
    if cell.stands_in:
        text = f"latest measurable cohort ({cell.cohort_words()}) {text}"
    return text


__all__ = ["COHORT_LABEL", "base_words", "change_cell", "cohort_base_cell",
           "cohort_interval_cell", "cohort_label", "cohort_sentence", "cohort_value_cell",
           "earlier_value_cell", "pending_text", "wrong_way"]
