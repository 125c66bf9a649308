"""The scorecard's cards: one per indicator of the 3 x 3 x 2 grid.

Each card: the title (with the definition as help), the latest value with its change on
the period before (st.metric), then one caption holding the small trend as inline SVG
(dashboard/sparkline.py: cheap to draw, gaps where a period has no value) and the base,
interval, coverage and benchmark notes."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import charts, period_cells, sparkline
from dashboard import formatting as fmt
from dashboard.data import View
from dashboard.indicators import Figure, delta_colour, figures
from metrics.formatting import SUPPRESSED_MARK
from metrics.period_figures import PeriodCell, base_words

THEMES = [
    ("wellbeing", "Victim wellbeing", "wellbeing"),
    ("prevention", "Prevention", "prevention"),
    ("nhs_demand", "NHS demand", "nhs_demand"),
]
HORIZONS = [
    ("short", "Short term: during support"),
    ("medium", "Medium term: 3 to 12 months after"),
    ("long", "Long term: a year and beyond"),
]
DIMENSIONS = [
    ("public_values", "What the public values"),
    ("public_sphere", "What adds value to the public sphere"),
]


@dataclass(frozen=True)
class Card:
    figure: Figure
    definition: str
    sparkline: tuple
    coverage: Figure | None
    benchmark: tuple[str, float, str] | None  # (label, level, source)
    cell: PeriodCell | None = None  # the period figure's cohort, maturity and change


def _benchmark(entry: dict, params: pd.DataFrame) -> tuple[str, float, str] | None:
    """The catalogue's benchmark for the indicator: (what it measures, level, source)."""
    name, what = entry.get("benchmark_parameter"), entry.get("benchmark_note")
    if not isinstance(name, str) or not name or params.empty:
        return None
    row = params[params["name"] == name]
    if row.empty:
        return None
    return what, float(row["central"].iloc[0]), str(row["source"].iloc[0])


def build(catalogue: pd.DataFrame, summary: pd.DataFrame, trend: pd.DataFrame,
          params: pd.DataFrame, view: View, latest: pd.DataFrame | None = None
          ) -> dict[tuple[str, str, str], list[Card]]:
    """Cards by (theme, horizon, dimension), in catalogue order. `latest`: for the public,
    the `latest_cohorts` query (the latest published quarter a cohort is measurable)."""
    by_id = figures(summary, catalogue)
    cells = period_cells.for_view(catalogue, trend, view, summary, latest)
    cards: dict[tuple[str, str, str], list[Card]] = {}
    recent = trend[pd.to_datetime(trend["period_start"]) <= pd.Timestamp(view.period.last)]
    by_indicator = dict(iter(recent.groupby("indicator_id", sort=False)))
    themes = {t[0] for t in THEMES}
    for entry in catalogue.to_dict("records"):
        key = (entry["theme"], entry.get("horizon") or "", entry.get("dimension") or "")
        if key[0] not in themes:
            continue
        indicator = entry["indicator_id"]
        rows = by_indicator.get(indicator, recent.iloc[:0]).tail(24)
        coverage_id = entry.get("coverage_indicator")
        cards.setdefault(key, []).append(Card(
            figure=by_id[indicator],
            definition=str(entry.get("definition", "")),
            sparkline=tuple(charts.sparkline_values(rows)) if not rows.empty else (),
            coverage=by_id.get(coverage_id) if isinstance(coverage_id, str) else None,
            benchmark=_benchmark(entry, params),
            cell=cells.get(indicator),
        ))
    return cards


def render_card(card: Card, view: View) -> None:
    figure = card.figure
    money = figure.unit in ("gbp", "ratio")
    if money and not view.money:
        st.metric(fmt.md(figure.title), "Monetisation off", help=fmt.md(card.definition))
        st.caption("Switch on monetised values in the sidebar to see this projection.")
        return
    st.markdown(f"**{fmt.md(figure.title)}**", help=fmt.md(card.definition))
    cell = card.cell
    if figure.shown:
        change, words = period_cells.delta(cell)
        st.metric(
            fmt.md(figure.title), figure.value_text(), delta=change,
            delta_color=delta_colour(figure.direction), label_visibility="collapsed",
            delta_description=words or None,
        )
        notes = [figure.base_text(), cell.months_note() if cell else figure.coverage_text()]
    else:
        status_badge(figure.status)
        # the period's months not yet measurable and when it matures, else what it means
        notes = [cell.status_text() if cell is not None else figure.base_text()]
        if cell is not None and cell.stands_in:
            cohort_metric(cell, figure, view.audience == "public")
    if cell is not None:
        notes += [cell.no_cohort_text(), period_cells.change_note(cell, figure.change())]
    if money and (figure.shown or (cell is not None and cell.stands_in)):
        notes.insert(0, fmt.money_note(view.build_value("price_base_year") or ""))
    if card.coverage is not None:
        if card.coverage.shown:
            notes.append(f"followed up: {fmt.percent(card.coverage.value)} of completed cases")
        else:
            notes.append(f"follow-up coverage: {fmt.status_label(card.coverage.status).lower()}")
    if card.benchmark is not None:
        label, level, _source = card.benchmark
        notes.append(f"national line {fmt.percent(level)}: {label}")
    st.caption(trend_picture(card, view) + fmt.md("; ".join(n for n in notes if n)),
               unsafe_allow_html=True)


def cohort_metric(cell: PeriodCell, figure: Figure, published: bool = False) -> None:
    """Where the period is not yet measurable: the latest measurable cohort of the same
    length, its months in words, base and interval, and its change where beyond noise.
    `published`: the public's latest measurable published quarter, as published ([c]
    where a part is hidden)."""
    change, words = period_cells.delta(cell)
    if published:
        quarter = period_cells.published_quarter(cell)
        st.caption(f"Latest measurable quarter: {fmt.md(quarter.title())}")
    else:
        st.caption(fmt.md(f"Latest measurable {cell.period.months} months"
                          if cell.period.months > 1 else "Latest measurable month")
                   + f": {fmt.md(cell.cohort_words())}")
    value = (fmt.value_text(cell.cohort.value, figure.unit) if cell.cohort.shown
             else SUPPRESSED_MARK)
    st.metric(
        fmt.md(figure.title), value, delta=change,
        delta_color=delta_colour(figure.direction), label_visibility="collapsed",
        delta_description=words or None,
    )
    base = base_words(cell.cohort, cell.rule)
    if base:
        st.caption(fmt.md(base))


def trend_picture(card: Card, view: View) -> str:
    """The card's small trend (inline SVG, escaped) and a line break; '' with fewer than
    two periods that have a value."""
    if sum(v is not None for v in card.sparkline) < 2:
        return ""
    step = "quarter" if view.audience == "public" else "month"
    return sparkline.svg(list(card.sparkline), card.figure.unit, step) + "<br>"


STATUS_ICONS = {
    "no_data": ":material/block:",
    "not_yet_measurable": ":material/hourglass_top:",
    "empty_base": ":material/person_off:",
    "suppressed": ":material/visibility_off:",
}


def status_badge(status: str) -> None:
    """A figure without a value: an icon and words, never a number."""
    icon = STATUS_ICONS.get(status, ":material/help:")
    st.markdown(f"{icon} **{fmt.status_label(status)}**")


def table(cards: dict[tuple[str, str, str], list[Card]]) -> pd.DataFrame:
    """The scorecard as one table (for download and as the text alternative)."""
    rows = []
    for (theme, horizon, dimension), items in cards.items():
        for card in items:
            f = card.figure
            rows.append({
                "theme": fmt.readable(theme), "horizon": horizon,
                "dimension": fmt.readable(dimension), "indicator": f.title,
                "status": "ok" if f.shown else fmt.status_label(f.status),
                "value": f.value if f.shown else None,
                "numerator": f.numerator if f.shown else None,
                "base": f.denominator if f.shown else None,
                "ci_low": f.ci_low if f.shown else None,
                "ci_high": f.ci_high if f.shown else None,
                "previous_period": f.previous,
                "unit": f.unit,
                **period_cells.columns(card.cell),
            })
    order = {name: i for i, name in enumerate(
        [fmt.readable(t[0]) for t in THEMES] + [h[0] for h in HORIZONS]
        + [fmt.readable(d[0]) for d in DIMENSIONS])}
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    keys = frame[["theme", "horizon", "dimension"]].map(lambda v: order.get(v, 99))
    return frame.loc[keys.sort_values(["theme", "horizon", "dimension"]).index].reset_index(
        drop=True)
