"""Active chart titles and descriptions written from the figures themselves."""

from __future__ import annotations

from dashboard import formatting as fmt
from dashboard import period_cells
from dashboard.indicators import Figure
from metrics.formatting import SUPPRESSED_MARK
from metrics.period_figures import PeriodCell


def direction_word(figure: Figure, cell: PeriodCell | None = None) -> str:
    """', up 5.2 points on Dec 2024 to Nov 2025' only for a change beyond noise; else how
    it compares in words ('no clear change on ...', 'not comparable: ...'). Without a
    cell (the public view's published quarters) the change has no verdict and no
    direction word."""
    if cell is not None and cell.previous is not None:
        return f", {cell.previous.text()}"
    change = figure.change()
    if change is None:
        return ""
    if change.startswith("+"):
        word = "up"
    elif change.startswith("-"):
        word = "down"
    else:
        return ", unchanged on the period before"
    return f", {word} {change.lstrip('+-±')} on the period before"


def headline(figure: Figure, period_title: str, cell: PeriodCell | None = None,
             published: bool = False) -> str:
    """'<title>: 58% in <period>, up 3.0 points on <months>' (escaped Markdown). A period
    not yet measurable names the latest measurable cohort of the same length instead;
    `published` (the public): the latest measurable published quarter, its figure as
    published ('[c]' where hidden)."""
    title = fmt.md(figure.title)
    if figure.status == "suppressed":
        return f"{title}: too few people to show for {period_title}"
    if not figure.shown:
        text = f"{title}: {fmt.status_label(figure.status).lower()} for {period_title}"
        if cell is not None and cell.stands_in and published:
            value = (fmt.value_text(cell.cohort.value, figure.unit) if cell.cohort.shown
                     else SUPPRESSED_MARK)
            quarter = period_cells.published_quarter(cell)
            text += f"; latest measurable quarter, {fmt.md(quarter.title())}: {value}"
        elif cell is not None and cell.stands_in:
            value = fmt.value_text(cell.cohort.value, figure.unit)
            text += (f"; latest measurable: {value} for {fmt.md(cell.cohort_words())}"
                     f"{fmt.md(direction_word(figure, cell))}")
        return text
    value = fmt.value_text(figure.value, figure.unit)
    if figure.unit == "gbp":
        value += " (projected)"
    words = direction_word(figure, cell)
    return f"{title}: {value} in {period_title}{fmt.md(words) if cell is not None else words}"


def base_sentence(figure: Figure, cell: PeriodCell | None = None,
                  published: bool = False) -> str:
    if (published and not figure.shown and cell is not None and cell.stands_in
            and cell.cohort.denominator):
        quarter = period_cells.published_quarter(cell)
        return (f"none for the period ({fmt.status_label(figure.status).lower()}); "
                f"{fmt.count(cell.cohort.denominator)} in the base of the latest measurable "
                f"quarter, {fmt.md(quarter.title())}")
    if not figure.shown and cell is not None and cell.stands_in and cell.cohort.denominator:
        return (f"none for the period ({fmt.status_label(figure.status).lower()}); "
                f"{fmt.count(cell.cohort.denominator)} in the base of the latest measurable "
                f"cohort, {fmt.md(cell.cohort_words())}")
    if not figure.shown:
        return f"none ({fmt.status_label(figure.status).lower()})"
    if figure.kind == "rate":
        return f"{fmt.count(figure.denominator)} in the base over the period"
    if figure.unit == "median_working_days":
        return f"{fmt.count(figure.denominator)} agency referrals in the latest month"
    return "the referrals counted in the period"
