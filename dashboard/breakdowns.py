"""Breakdowns drawn from referral records (marts.fct_referrals): an outcome by crime type
and by enhanced rights, and how scores moved from intake to exit and to follow-up."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import formatting as fmt
from dashboard import period_cells, shared_figures
from dashboard.data import View
from dashboard.indicators import with_intervals
from dashboard.sources import source_line
from dashboard.stats import min_paired_n
from dashboard.ui import chart_block, guarded, status_note
from metrics.period_figures import PeriodCell
from metrics.queries import BREAKDOWN_COHORTS

SPLITS = [("crime_type", "crime type"), ("enhanced_rights", "enhanced rights")]
THEME_MEASURES = {
    "wellbeing": [("swemwbs_metric", "SWEMWBS wellbeing (metric score)"),
                  ("coping", "coping (1 to 5)")],
    "prevention": [("safety", "feeling safe (1 to 5)")],
    "nhs_demand": [("health_wellbeing", "health and wellbeing (1 to 5)")],
}
STAGES = {"exit": "at exit", "follow_up_medium": "3 to 12 months after support",
          "follow_up_long": "a year and more after support"}
CATEGORY_NAMES = {"true": "Enhanced rights", "false": "Standard rights"}


def _category_label(dimension: str, category: str) -> str:
    if dimension == "enhanced_rights":
        return CATEGORY_NAMES.get(category, fmt.readable(category))
    return fmt.readable(category)


def split_chart(view: View, theme: str, entry: pd.Series, dimension: str, words: str,
                stand_in: PeriodCell | None = None) -> None:
    """`stand_in`: the whole hub's cell where the period is not yet measurable; the split
    then counts its latest measurable cohort's months."""
    indicator = entry["indicator_id"]
    filters, when = view.filters, view.period.title()
    if stand_in is not None:
        filters = replace(view.filters, first=stand_in.cohort.first, last=stand_in.cohort.last)
        when = fmt.md(period_cells.stand_in_words(stand_in, view.period.title()))
    rows = guarded(view, "referral_breakdown", filters, indicator=indicator,
                   dimension=dimension)
    if rows is None:
        return
    if rows.empty:
        st.info(f"No referrals in the base for {fmt.md(entry['title'])} in {when}.")
        return
    rows = with_intervals(rows)
    rows["label"] = [_category_label(dimension, c) for c in rows["category"]]
    unit = "rate" if rows["kind"].iloc[0] == "rate" else "count"
    order = rows.sort_values("value", ascending=False, na_position="last")
    ok = order[order["status"] == "ok"]
    if unit == "rate" and not ok.empty:
        top, bottom = ok.iloc[0], ok.iloc[-1]
        title = (f"{fmt.md(entry['title'])}: from {fmt.percent(bottom['value'])} "
                 f"({fmt.md(bottom['label'])}) to {fmt.percent(top['value'])} "
                 f"({fmt.md(top['label'])}) by {words}")
    elif not ok.empty:
        top = ok.iloc[0]
        title = (f"{fmt.md(entry['title'])} by {words}: most for {fmt.md(top['label'])} "
                 f"({fmt.count(top['value'])})")
    else:
        title = f"{fmt.md(entry['title'])} by {words}"
    total = rows["denominator"].sum() if unit == "rate" else rows["value"].sum()
    table = order[["category", "status", "numerator", "denominator", "value", "ci_low",
                   "ci_high", "suppressed"]].reset_index(drop=True)
    chart_block(
        view, name=f"{theme}_{indicator}_by_{dimension}", title=title,
        subtitle=f"{when}; {fmt.md(fmt.readable(view.filters.agency))}; "
                 "cohort months the warehouse counts"
                 + ("; bars show 95% intervals" if unit == "rate" else ""),
        figure=shared_figures.bars(view.audience, order, "category", unit, label_column="label"),
        data=table,
        description=(f"{fmt.md(entry['definition'])} Split by the referral's {words}. "
                     + status_note(order["status"])),
        base=(f"{fmt.count(total)} referrals in the base" if unit == "rate"
              else f"{fmt.count(total)} referrals"),
        source=source_line(view, theme), excel=True,
    )


def change_charts(view: View, theme: str, measure: str, words: str,
                  least_paired: int | None) -> None:
    """How one score moved; means only from `least_paired` paired people (the register's
    min_paired_n; None: the register has no such row, so no means are shown)."""
    changes = guarded(view, "score_changes", measure=measure)
    if changes is None:
        return
    if changes.empty:
        st.info(f"No completed referrals with {fmt.md(words)} at intake in this period.")
        return
    stages = [s for s in STAGES if s in set(changes["stage"])]
    exit_paired = changes.loc[changes["stage"] == "exit", "paired"]
    exit_n = float(exit_paired.iloc[0]) if not exit_paired.empty else None
    columns = st.columns(len(stages), gap="medium")
    for column, stage in zip(columns, stages, strict=True):
        rows = changes[changes["stage"] == stage].sort_values("change")
        paired = float(rows["paired"].iloc[0])
        improved = rows.loc[rows["change"] > 0, "people"]
        share = (improved.sum() / paired
                 if paired and not pd.isna(paired) and not improved.isna().any() else None)
        notes = []
        if (least_paired is not None and paired >= least_paired
                and not pd.isna(rows["intake_mean"].iloc[0])):
            notes.append(f"Mean score at intake {rows['intake_mean'].iloc[0]:.1f}, "
                         f"{STAGES[stage]} {rows['later_mean'].iloc[0]:.1f} "
                         f"({fmt.count(paired)} paired people).")
        elif least_paired is None:
            notes.append("Means are not shown: the assumptions register of this build has "
                         "no minimum number of paired people (min_paired_n).")
        else:
            notes.append(f"Means are not shown: fewer than {least_paired} paired people.")
        if stage != "exit" and exit_n:
            notes.append(f"Follow-up attrition: {fmt.count(paired)} people with a follow-up "
                         f"score against {fmt.count(exit_n)} with an exit score; who answered "
                         "limits what can be claimed.")
        with column:
            chart_block(
                view, name=f"{theme}_{measure}_{stage}",
                title=(f"{fmt.percent(share)} scored higher {STAGES[stage]} than at intake"
                       if share is not None else f"Change {STAGES[stage]}"),
                subtitle=f"People by change in {fmt.md(words)}, later minus intake; "
                         f"completed referrals closed in {view.period.title()}",
                figure=shared_figures.distribution(view.audience, rows,
                                           "Change in score"),
                data=rows[["stage", "change", "people"]].reset_index(drop=True),
                description=" ".join(notes) + " Declines are hatched and dark pink, no "
                            "change grey, gains turquoise; every bar is labelled.",
                base=(f"{fmt.count(paired)} paired people" if not pd.isna(paired)
                      else "too few paired people to show"),
                source=source_line(view, theme),
            )


def splits(view: View, theme: str, entry: pd.Series, stand_in: PeriodCell | None = None
           ) -> None:
    """The chosen outcome by crime type and by enhanced rights (over the latest measurable
    cohort's months where `stand_in` holds it: `period_cells.stand_in`)."""
    if entry["indicator_id"] not in BREAKDOWN_COHORTS:
        st.info("This outcome is not split by crime type: it is not counted per referral.")
        return
    columns = st.columns(2, gap="medium")
    for column, (dimension, words) in zip(columns, SPLITS, strict=True):
        with column:
            split_chart(view, theme, entry, dimension, words, stand_in)


def changes(view: View, theme: str) -> None:
    """How the theme's scores moved from intake to exit and to follow-up."""
    least_paired = min_paired_n(guarded(view, "parameters"))
    for measure, words in THEME_MEASURES.get(theme, []):
        st.subheader(f"Change in {words}")
        change_charts(view, theme, measure, words, least_paired)
