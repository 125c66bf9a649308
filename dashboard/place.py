"""Place: figures by the victim's area (evidence.md, Place), for the manager and PCC views.

One component the pages call with one line: `outcome_by_area` on the theme pages (the
outcome chosen for the breakdowns), `reach_by_area` on the equity page and
`figure_by_area` (any indicator's rows by area, the whole hub first) on the
working-together page. Every area
among the victims is listed (marts.areas): an area with nobody in a base shows as such
(a hatched bar, never 0), an area nobody was referred from shows 0 (a count of nobody is
a fact); a blank area reads "Not recorded". Area codes are shown as recorded. Nothing is
drawn for the public, who see areas only in the published release, nor where no victim
has an area recorded. For the PCC every area's counts are disclosure-controlled (in
metrics.queries)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import formatting as fmt
from dashboard import period_cells, shared_figures
from dashboard.data import View
from dashboard.indicators import figures, with_intervals
from dashboard.sources import source_line
from dashboard.ui import chart_block, guarded, status_note
from metrics.period_figures import PeriodCell
from metrics.queries import BREAKDOWN_COHORTS

HUB = "all"
NOT_RECORDED = "unknown"
NO_AREAS = "No victim in this warehouse has an area recorded: there is no breakdown by area."


def area_label(area: str) -> str:
    """An area code as recorded; the whole hub and 'Not recorded' in words."""
    return fmt.readable(area) if area in (HUB, NOT_RECORDED) else area


def _has_areas(frame: pd.DataFrame) -> bool:
    """Whether any victim has an area recorded (else the page shows a one-line note)."""
    if (frame["area"] != NOT_RECORDED).any():
        return True
    st.caption(NO_AREAS)
    return False


def _beyond_chance(areas: pd.DataFrame, hub_value: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The areas whose 95% interval lies wholly below, and wholly above, the whole hub."""
    ok = areas[(areas["status"] == "ok") & (areas["area"] != NOT_RECORDED)]
    return ok[ok["ci_high"] < hub_value], ok[ok["ci_low"] > hub_value]


def _rate_title(title: str, areas: pd.DataFrame, hub, exact: bool = True) -> str:
    """The active title of a rate by area. With exact counts (manager): the areas whose
    interval lies wholly below or above the whole hub. With rounded counts (PCC) an
    interval is not exact, so no 'beyond chance' claim: the range of the areas shown."""
    if hub is None or hub.status != "ok" or pd.isna(hub.value):
        return f"{fmt.md(title)} by area"
    whole = f"the whole hub ({fmt.percent(hub.value)})"
    recorded = int((areas["area"] != NOT_RECORDED).sum())
    if not exact:
        shown = areas[(areas["status"] == "ok") & (areas["area"] != NOT_RECORDED)]
        if shown.empty:
            return f"{fmt.md(title)} by area: no area shown (small numbers); {whole}"
        low = shown.loc[shown["value"].idxmin()]
        high = shown.loc[shown["value"].idxmax()]
        if len(shown) == 1:
            return (f"{fmt.md(title)}: {fmt.percent(low['value'])} in "
                    f"{fmt.md(low['label'])}, the only area shown; {whole}")
        return (f"{fmt.md(title)}: from {fmt.percent(low['value'])} "
                f"({fmt.md(low['label'])}) to {fmt.percent(high['value'])} "
                f"({fmt.md(high['label'])}) across the {len(shown)} of {recorded} areas "
                f"shown; {whole}")
    below, above = _beyond_chance(areas, hub.value)
    if below.empty and above.empty:
        return f"{fmt.md(title)}: no area differs from {whole} beyond chance"
    parts = []
    if not below.empty:
        low = below.loc[below["value"].idxmin()]
        parts.append(f"{len(below)} of {recorded} areas below {whole} beyond chance, "
                     f"lowest {fmt.md(low['label'])} at {fmt.percent(low['value'])}")
    if not above.empty:
        high = above.loc[above["value"].idxmax()]
        parts.append((f"{len(above)} above" if parts else
                      f"{len(above)} of {recorded} areas above {whole} beyond chance")
                     + f", highest {fmt.md(high['label'])} at {fmt.percent(high['value'])}")
    return f"{fmt.md(title)}: " + "; ".join(parts)


def _count_title(title: str, areas: pd.DataFrame) -> str:
    ok = areas[(areas["status"] == "ok") & (areas["area"] != NOT_RECORDED)]
    if ok.empty or not ok["value"].max():
        return f"{fmt.md(title)} by area: none in the period"
    top = ok.loc[ok["value"].idxmax()]
    none = int((ok["value"] == 0).sum())
    return (f"{fmt.md(title)} by area: most in {fmt.md(top['label'])} "
            f"({fmt.count(top['value'])})" + (f"; {none} areas with none" if none else ""))


def outcome_by_area(view: View, theme: str, entry: pd.Series,
                    stand_in: PeriodCell | None = None) -> None:
    """A theme page's chosen outcome by the victim's area, the whole hub first; over the
    latest measurable cohort's months where the period is not yet measurable (`stand_in`:
    the whole hub's cell, `period_cells.stand_in`)."""
    indicator = entry["indicator_id"]
    if view.audience == "public" or indicator not in BREAKDOWN_COHORTS:
        return
    filters, when = view.filters, None
    if stand_in is not None:
        filters = replace(view.filters, first=stand_in.cohort.first, last=stand_in.cohort.last)
        when = fmt.md(period_cells.stand_in_words(stand_in, view.period.title()))
    rows = guarded(view, "area_breakdown", filters, indicator=indicator)
    if rows is None:
        return
    summary = guarded(view, "indicator_summary", filters)
    catalogue = guarded(view, "catalogue")
    hub = (figures(summary, catalogue).get(indicator)
           if summary is not None and catalogue is not None else None)
    figure_by_area(view, f"{theme}_{indicator}_by_area", entry,
                   rows.rename(columns={"category": "area"}), hub, source_line(view, theme),
                   scope=f"{fmt.md(fmt.readable(view.filters.agency))}; ",
                   counted="referrals in the base", when=when)


def figure_by_area(view: View, name: str, entry: pd.Series, rows: pd.DataFrame, hub,
                   source: str, scope: str = "", counted: str = "in the base",
                   when: str | None = None) -> None:
    """One indicator by area, the whole hub (`hub`, a dashboard Figure) first: `rows` has
    a row per area (area, kind, status, numerator, denominator, value, suppressed). The
    title names the areas beyond chance below and above the hub (rates) or the area with
    the most (counts). Nothing for the public; a note where no victim has an area."""
    if view.audience == "public" or not _has_areas(rows):
        return
    if hub is not None and hub.status != "ok":
        st.info(f"{fmt.md(entry['title'])} by area: "
                f"{fmt.status_label(hub.status).lower()} for the whole hub in this period.")
        return
    unit = "rate" if rows["kind"].iloc[0] == "rate" else "count"
    frame = rows
    if hub is not None:  # the whole hub first, as in the breakdown by agency
        frame = pd.concat([pd.DataFrame([{
            "area": HUB, "kind": unit, "status": hub.status, "numerator": hub.numerator,
            "denominator": hub.denominator if unit == "rate" else float("nan"),
            "value": hub.value, "suppressed": hub.suppressed or ""}]), frame],
            ignore_index=True)
    frame = with_intervals(frame).assign(label=[area_label(a) for a in frame["area"]])
    areas = frame[frame["area"] != HUB]
    empty = int((areas["status"] == "empty_base").sum())
    title = (_rate_title(entry["title"], areas, hub, view.audience == "manager")
             if unit == "rate"
             else _count_title(entry["title"], areas))
    total = areas["denominator"].sum() if unit == "rate" else areas["value"].sum()
    chart_block(
        view, name=name, title=title,
        subtitle=f"{when or view.period.title()}; {scope}by the victim's area, the whole "
                 "hub first "
                 "(orange); months the warehouse counts"
                 + ("; bars show 95% intervals" if unit == "rate" else ""),
        figure=shared_figures.bars(view.audience, frame, "area", unit, label_column="label",
                                   highlight=HUB),
        data=frame[["area", "status", "numerator", "denominator", "value", "ci_low",
                    "ci_high", "suppressed"]].reset_index(drop=True),
        description=(
            f"{fmt.md(entry['definition'])} Split by the area on the victim's record; "
            "every area among the hub's victims is listed"
            + (f", {empty} with nobody in the base in the period (shown as such, not as 0)"
               if empty else "")
            + ". 'Not recorded': no area on the record. "
            + ("An area 'beyond chance' has its 95% interval wholly above or below the whole "
               "hub's figure. " if view.audience == "manager" else
               "Counts are rounded to 5 and small ones hidden, so the intervals are a guide "
               "only. ")
            + status_note(areas["status"])),
        base=(f"{fmt.count(total)} {counted} across the areas" if unit == "rate"
              else f"{fmt.count(total)} across the areas"),
        source=source, excel=True,
    )


def reach_by_area(view: View) -> None:
    """Where the hub reaches: the people referred over the period by their area."""
    if view.audience == "public":
        return
    rows = guarded(view, "referrals_by_area")
    if rows is None or not _has_areas(rows):
        return
    frame = rows.assign(label=[area_label(a) for a in rows["area"]], kind="count",
                        value=rows["persons"])
    frame["status"] = ["suppressed" if s else "ok" for s in frame["suppressed"]]
    recorded = frame[frame["area"] != NOT_RECORDED]
    shown = recorded[recorded["status"] == "ok"]
    nobody = int((shown["persons"] == 0).sum())
    if not shown.empty and shown["persons"].max() > 0:
        top = shown.loc[shown["persons"].idxmax()]
        title = (f"Most people referred came from {fmt.md(top['label'])} "
                 f"({fmt.count(top['persons'])}, {fmt.percent(top['share'])})"
                 + (f"; nobody was referred from {nobody} of {len(recorded)} areas" if nobody
                    else f"; people were referred from all {len(recorded)} areas"))
    else:
        title = f"People referred by area: nobody in {view.period.title()}"
    not_recorded = frame.loc[frame["area"] == NOT_RECORDED, "share"]
    chart_block(
        view, name="equity_by_area", title=title,
        subtitle=f"People (distinct victims) referred in {view.period.title()}, by the "
                 "area on their record; the whole hub",
        figure=shared_figures.bars(view.audience, frame, "area", "count",
                                   label_column="label"),
        data=frame[["area", "referrals", "persons", "share", "suppressed"]]
        .reset_index(drop=True),
        description=(
            "Every area among the hub's victims is listed; an area nobody was referred from "
            "in the period shows 0."
            + (f" {fmt.percent(not_recorded.iloc[0])} of the people referred have no area "
               "recorded ('Not recorded')." if not not_recorded.empty
               and pd.notna(not_recorded.iloc[0]) else "")
            + " The extract has no population by area, so this is where the hub's work "
              "comes from, not a reach ratio. " + status_note(frame["status"])),
        base=f"{fmt.count(frame['total_persons'].iloc[0])} people referred",
        source=source_line(view, "equity"), excel=True,
    )
