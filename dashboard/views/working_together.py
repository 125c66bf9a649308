"""Working together (manager and PCC): the collaboration the hub exists for.

The flow of agency referrals from the lead agency to each partner and what became of
them, how quickly partners accepted and made contact, whether a redirected referral was
picked up by another agency (no wrong door), how many cases more than one agency worked
on, whether people felt listened to, exit outcomes for cases with one agency against two
or more (descriptive, not causal) and the same rates by area. In tabs (only the open one
runs; the tab is in the address)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, headlines, place, shared_figures
from dashboard import formatting as fmt
from dashboard.data import current
from dashboard.indicators import figures, with_intervals
from dashboard.sources import source_line
from dashboard.theme import indicator_chart
from dashboard.ui import (
    agency_note,
    chart_block,
    guarded,
    page_header,
    status_note,
    table_block,
)

SOURCE_THEME = "operations"
LEAD = "victim_support"
DAYS = "median_working_days"
OUTCOME_COLOURS = {"accepted": charts.TURQUOISE, "declined": charts.DARK_PINK,
                   "redirected": charts.ORANGE, "withdrawn": charts.LIGHT_PURPLE,
                   "pending": charts.LIGHT_GREY}
OUTCOME_WORDS = {"accepted": "Accepted", "declined": "Declined", "redirected": "Redirected",
                 "withdrawn": "Withdrawn", "pending": "Pending"}
OUTCOMES = ["wellbeing_gain_at_exit", "coped_better_at_exit", "feel_safer_at_exit"]
OUTCOME_SHORT = {"wellbeing_gain_at_exit": "Wellbeing gain (SWEMWBS)",
                 "coped_better_at_exit": "Coping better", "feel_safer_at_exit": "Feeling safer"}
GROUP_WORDS = {"at_most_one": "At most one agency", "two_or_more": "Two or more agencies"}
AREA_INDICATORS = ["multi_agency_share", "redirect_resolved_10wd", "listened_to_at_exit"]
NOT_CAUSAL = ("Descriptive, not causal: people whose cases need two or more agencies "
              "differ from those who need one (more serious crimes, higher need), so a "
              "difference here is not the effect of agencies working together.")
TABS = ["Flow between agencies", "No wrong door", "Cases shared", "Listened to",
        "Outcomes by agencies involved", "By area"]

view = current()
page_header(
    view, "Working together",
    "The hub is one service from several agencies in the same office: Victim Support "
    "assesses, then passes people on to the partners. This page shows where referrals go "
    "and what becomes of them, how quickly, whether a redirected referral still finds a "
    "home, and how many people more than one agency helps.",
)
agency_note(view)
catalogue = guarded(view, "catalogue")
summary = guarded(view, "indicator_summary")
trend = guarded(view, "indicator_trend")
if catalogue is None or summary is None or trend is None:
    st.stop()
by_id = figures(summary, catalogue)
entries = catalogue.set_index("indicator_id")
source = source_line(view, SOURCE_THEME)


def entry_of(indicator: str) -> pd.Series:
    entry = entries.loc[indicator].copy()
    entry["indicator_id"] = indicator
    return entry


def sankey(flow: pd.DataFrame) -> go.Figure:
    """Lead agency -> each partner (sent) -> outcome, from the rows with counts."""
    shown = flow[flow["sent"].notna()]
    partners = [fmt.plain(fmt.readable(a)) for a in shown["to_agency"]]
    outcomes = [o for o in OUTCOME_WORDS if shown[o].fillna(0).sum() > 0]
    labels = [fmt.plain(fmt.readable("victim_support")), *partners,
              *[OUTCOME_WORDS[o] for o in outcomes]]
    colours = [charts.DARK_BLUE] * (1 + len(partners)) + [OUTCOME_COLOURS[o] for o in outcomes]
    source_ids, target_ids, values, link_colours = [], [], [], []
    for i, (_, row) in enumerate(shown.iterrows(), start=1):
        source_ids.append(0)
        target_ids.append(i)
        values.append(float(row["sent"]))
        link_colours.append("rgba(18,67,109,0.25)")
        for j, outcome in enumerate(outcomes):
            if pd.notna(row[outcome]) and row[outcome] > 0:
                source_ids.append(i)
                target_ids.append(1 + len(partners) + j)
                values.append(float(row[outcome]))
                link_colours.append("rgba(61,61,61,0.18)")
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": labels, "color": colours, "pad": 18, "thickness": 16},
        link={"source": source_ids, "target": target_ids, "value": values,
              "color": link_colours,
              "hovertemplate": "%{source.label} to %{target.label}: %{value:,.0f}"
                               "<extra></extra>"},
    ))
    fig.update_layout(height=max(320, 48 * len(partners) + 120),
                      margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      font={"family": "Arial, sans-serif", "size": 13, "color": "#0B0C0C"},
                      paper_bgcolor="white")
    return fig


def where_it_breaks(flow: pd.DataFrame) -> str:
    """'; fewest accepted by X (a% of n)': the partner accepting the smallest share of
    what it was sent, when partners differ ('' otherwise)."""
    shown = flow[(flow["to_agency"] != LEAD) & flow["sent"].notna() & flow["accepted"].notna()
                 & (flow["sent"] > 0)]
    if len(shown) < 2:
        return ""
    share = shown["accepted"] / shown["sent"]
    if share.min() == share.max():
        return ""
    low = shown.loc[share.idxmin()]
    return (f"; fewest accepted by {fmt.md(fmt.readable(low['to_agency']))} "
            f"({fmt.percent(share.min())} of {fmt.count(low['sent'])})")


def flow_section() -> None:
    flow = guarded(view, "agency_flow")
    if flow is None:
        return
    if flow.empty:
        st.info(f"No agency referrals were sent in {view.period.title()}"
                + ("" if view.filters.agency == "all"
                   else f" to {fmt.md(fmt.readable(view.filters.agency))}") + ".")
        return
    table = flow.assign(to_agency=[fmt.readable(a) for a in flow["to_agency"]],
                        from_agency=[fmt.readable(a) for a in flow["from_agency"]])
    table = table[["from_agency", "to_agency", "sent", *OUTCOME_WORDS, "suppressed"]]
    sent = flow["sent"].sum(min_count=1)
    accepted = flow["accepted"].sum(min_count=1)
    hidden = flow[flow["suppressed"] != ""]
    if pd.notna(sent) and sent:
        title = (f"{fmt.count(sent)} agency referrals sent in {view.period.title()}; "
                 f"{fmt.percent(accepted / sent)} accepted" + where_it_breaks(flow))
    else:
        title = f"Agency referrals in {view.period.title()}: too few to show"
    description = ("Every agency referral the lead agency sent in the period (month sent), "
                   "from the lead agency to each partner and on to what became of it. "
                   "Pending: no outcome by the as-of date.")
    if not hidden.empty:
        description += (f" {len(hidden)} partner(s) with small numbers are left out of "
                        "the flow or have counts withheld (disclosure control).")
    chart_block(
        view, name="working_together_flow", title=title,
        subtitle=f"Agency referrals by receiving agency and outcome; "
                 f"{fmt.md(fmt.readable(view.filters.agency))}",
        figure=sankey(flow), data=table, description=description,
        base=f"{fmt.count(sent)} agency referrals sent" if pd.notna(sent) else "withheld",
        source=source, excel=True,
    )
    speed = flow.assign(pair=[f"{fmt.readable(f)} to {fmt.readable(t)}" for f, t
                              in zip(flow["from_agency"], flow["to_agency"], strict=True)])
    columns = ["pair", "accepted", "median_days_to_acceptance",
               "median_days_to_first_contact"]
    speed = speed[columns].reset_index(drop=True)
    headers = {"pair": "Agency pair", "accepted": "Accepted",
               "median_days_to_acceptance": "Median to acceptance",
               "median_days_to_first_contact": "Median to first contact"}
    table_block(
        view, name="working_together_speed",
        title="Working days from sending to acceptance and to first contact, by agency pair",
        subtitle=f"Medians in working days (bank holidays excluded), {view.period.title()}",
        data=speed, source=source, show="static",
        description="Median working days after the day the lead agency sent the referral: "
                    "to the partner accepting it (accepted referrals) and to the partner's "
                    "first contact with the person (where recorded). Blank: none in the "
                    "period, or too few people to show.",
        shown=speed.assign(
            median_days_to_acceptance=[fmt.value_text(v, DAYS)
                                       for v in speed["median_days_to_acceptance"]],
            median_days_to_first_contact=[fmt.value_text(v, DAYS)
                                          for v in speed["median_days_to_first_contact"]],
            accepted=[fmt.count(v) for v in speed["accepted"]]).rename(columns=headers),
    )


def by_agency_bars(indicator: str, rows: pd.DataFrame, words: str) -> None:
    """One indicator by agency, the whole hub first; `words` says which agency a row is."""
    part = with_intervals(rows[rows["indicator_id"] == indicator])
    if part.empty:
        return
    part = pd.concat([part[part["agency"] == "all"],
                      part[part["agency"] != "all"].sort_values("agency")])
    part = part.assign(label=[fmt.readable(a) for a in part["agency"]])
    entry = entry_of(indicator)
    figure = by_id.get(indicator)
    table = part[["agency", "status", "numerator", "denominator", "value", "ci_low",
                  "ci_high"]].reset_index(drop=True)
    chart_block(
        view, name=f"working_together_{indicator}_by_agency",
        title=f"{fmt.md(entry['title'])}: {words.lower()}",
        subtitle=f"{words}, {view.period.title()}; the whole hub first (orange); bars show "
                 "95% intervals",
        figure=shared_figures.bars(view.audience, part, "agency", "rate",
                                   label_column="label", highlight="all"),
        data=table,
        description=fmt.md(entry["definition"]) + " " + status_note(part["status"]),
        base=headlines.base_sentence(figure) if figure else "", source=source, excel=True,
    )


def redirect_section() -> None:
    indicator_chart(view, SOURCE_THEME, entry_of("redirect_resolved_10wd"),
                    by_id["redirect_resolved_10wd"], trend, None, None)
    rows = guarded(view, "indicator_by_agency")
    if rows is not None:
        by_agency_bars("redirect_resolved_10wd", rows, "By the agency that redirected")


def outcomes_figure(frame: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    for group, colour in (("at_most_one", charts.DARK_BLUE), ("two_or_more", charts.ORANGE)):
        rows = frame[frame["agency_count"] == group]
        ok = rows["status"] == "ok"
        values = rows["value"].where(ok)
        fig.add_trace(go.Bar(
            x=[fmt.plain(OUTCOME_SHORT[i]) for i in rows["indicator_id"]], y=values,
            name=GROUP_WORDS[group], marker={"color": colour},
            error_y={"type": "data", "symmetric": False,
                     "array": (rows["ci_high"] - rows["value"]).where(ok),
                     "arrayminus": (rows["value"] - rows["ci_low"]).where(ok),
                     "color": charts.DARK_GREY, "thickness": 1.2, "width": 4},
            text=[fmt.percent(v) if pd.notna(v) else fmt.status_label(s)
                  for v, s in zip(values, rows["status"], strict=True)],
            textposition="inside", insidetextanchor="end", textfont={"color": "white"},
            hovertemplate="%{x}: %{text}<extra>" + GROUP_WORDS[group] + "</extra>"))
    fig.update_layout(barmode="group", height=380, paper_bgcolor="white",
                      plot_bgcolor="white", margin={"l": 60, "r": 10, "t": 40, "b": 60},
                      legend={"orientation": "h", "y": 1.1},
                      font={"family": "Arial, sans-serif", "size": 13, "color": "#0B0C0C"})
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05], gridcolor="#E5E5E5", automargin=True)
    fig.update_xaxes(automargin=True)
    return fig


def outcomes_section() -> None:
    frame = guarded(view, "outcomes_by_agency_count")
    if frame is None:
        return
    table = frame[["indicator_id", "agency_count", "status", "numerator", "denominator",
                   "value", "ci_low", "ci_high"]].reset_index(drop=True)
    st.warning(NOT_CAUSAL, icon=":material/info:")
    parts = []
    for indicator in OUTCOMES:
        rows = frame[(frame["indicator_id"] == indicator) & (frame["status"] == "ok")]
        if len(rows) == 2:
            one, more = (rows[rows["agency_count"] == g]["value"].iloc[0]
                         for g in ("at_most_one", "two_or_more"))
            parts.append(f"{fmt.md(entries.loc[indicator, 'title'])}: "
                         f"{fmt.percent(one)} with one agency, {fmt.percent(more)} with two "
                         "or more")
    base = frame[frame["indicator_id"] == "coped_better_at_exit"]["denominator"].sum()
    chart_block(
        view, name="working_together_outcomes_by_agency_count",
        title="Exit outcomes for cases with one agency and with two or more "
              "(descriptive, not causal)",
        subtitle=f"Cases that closed in {view.period.title()}, whole hub; bars show 95% "
                 "Wilson intervals",
        figure=outcomes_figure(frame), data=table,
        description=(("; ".join(parts) + ". ") if parts else "") + NOT_CAUSAL
        + " Agencies counted as for the share of cases worked on by two or more agencies "
          "(the lead agency through a service it delivered). Only the months the hub "
          "counts for each outcome are included.",
        base=f"{fmt.count(base)} completed cases with coping at intake and exit",
        source=source, excel=True,
    )


def area_section() -> None:
    titles = {i: entries.loc[i, "title"] for i in AREA_INDICATORS if i in entries.index}
    indicator = st.selectbox("Rate by area", list(titles), format_func=titles.get,
                             key="working_together_area", bind="query-params")
    frame = guarded(view, "collaboration_by_area", indicator=indicator)
    if frame is not None:
        place.figure_by_area(view, f"working_together_{indicator}_by_area",
                             entry_of(indicator), frame, by_id.get(indicator), source)


tabs = dict(zip(TABS, st.tabs(TABS, key="working_together_section", on_change="rerun",
                              bind="query-params"), strict=True))
if tabs["Flow between agencies"].open:
    with tabs["Flow between agencies"]:
        flow_section()
if tabs["No wrong door"].open:
    with tabs["No wrong door"]:
        redirect_section()
if tabs["Cases shared"].open:
    with tabs["Cases shared"]:
        indicator_chart(view, SOURCE_THEME, entry_of("multi_agency_share"),
                        by_id["multi_agency_share"], trend, None, None)
if tabs["Listened to"].open:
    with tabs["Listened to"]:
        indicator_chart(view, SOURCE_THEME, entry_of("listened_to_at_exit"),
                        by_id["listened_to_at_exit"], trend, None, None)
if tabs["Outcomes by agencies involved"].open:
    with tabs["Outcomes by agencies involved"]:
        outcomes_section()
if tabs["By area"].open:
    with tabs["By area"]:
        area_section()
