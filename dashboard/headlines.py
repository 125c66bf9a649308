"""Active chart titles and descriptions written from the figures themselves."""

from __future__ import annotations

from dashboard import formatting as fmt
from dashboard.indicators import Figure


def direction_word(figure: Figure) -> str:
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


def headline(figure: Figure, period_title: str) -> str:
    """'<title>: 58% in <period>, up 3.0 points on the period before' (escaped Markdown)."""
    title = fmt.md(figure.title)
    if figure.status == "suppressed":
        return f"{title}: too few people to show for {period_title}"
    if not figure.shown:
        return f"{title}: {fmt.status_label(figure.status).lower()} for {period_title}"
    value = fmt.value_text(figure.value, figure.unit)
    if figure.unit == "gbp":
        value += " (projected)"
    return f"{title}: {value} in {period_title}{direction_word(figure)}"


def base_sentence(figure: Figure) -> str:
    if not figure.shown:
        return f"none ({fmt.status_label(figure.status).lower()})"
    if figure.kind == "rate":
        return f"{fmt.count(figure.denominator)} in the base over the period"
    if figure.unit == "median_working_days":
        return f"{fmt.count(figure.denominator)} agency referrals in the latest month"
    return "the referrals counted in the period"
