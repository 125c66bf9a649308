"""Hub operations: the referral funnel, Victims' Code and service-standard timeliness by
agency, open caseloads and (manager view only) the cases past a deadline.

The funnel, timeliness and trends are in tabs (only the open one runs and is drawn; the
tab is in the address); timeliness shows one standard at a time, chosen in a list, with
every standard by agency in one table. The cases past a deadline follow the tabs: a list
of up to 50 cases as a table, a longer one behind a click (its count is in the title)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import formatting as fmt
from dashboard import funnel, headlines, overdue, shared_figures
from dashboard.data import current
from dashboard.indicators import figures, with_intervals
from dashboard.sources import source_line
from dashboard.theme import indicator_chart
from dashboard.ui import (
    agency_note,
    chart_block,
    data_table,
    downloads,
    guarded,
    page_header,
    status_note,
    table_block,
)

FUNNEL = {  # funnel stage -> the indicator that says whether the extract can count it
    "received": "referrals_received",
    "contacted": "referrals_contacted",
    "assessed": "referrals_assessed",
    "supported": "referrals_supported",
    "completed": "referrals_completed",
}
TIMELINESS = ["police_referral_2wd", "first_contact_2wd", "agency_accepted_5wd",
              "mental_health_seen_10wd", "agency_declined", "assessment_to_agency_days",
              "open_cases"]
SHOWN_CASES = 50  # a longer list of cases is drawn once the manager opens it
EXCEPTION_TITLES = {
    "first_contact": "Referrals not yet contacted, past the 2-working-day standard",
    "agency_acceptance": "Agency referrals still pending, past the 5-working-day standard",
    "mental_health_contact": "Mental health referrals not yet seen, past 10 working days",
}

view = current()
page_header(
    view, "Hub operations",
    "How the hub runs: referrals through the funnel, how quickly people are contacted and "
    "passed on against the Victims' Code and the hub's service standards, and open caseloads.",
)
agency_note(view)
catalogue = guarded(view, "catalogue")
summary = guarded(view, "indicator_summary")
trend = guarded(view, "indicator_trend")
if catalogue is None or summary is None or trend is None:
    st.stop()
by_id = figures(summary, catalogue)
entries = catalogue.set_index("indicator_id")

TABS = ["Referral funnel", "Timeliness by agency", "Caseload and satisfaction",
        "Follow-up coverage"]
TRENDS = {"Caseload and satisfaction": ["open_cases", "satisfaction", "goals_achieved"],
          "Follow-up coverage": ["follow_up_coverage_3_12m", "follow_up_coverage_12m_plus"]}


def funnel_chart() -> None:
    counts = guarded(view, "referral_funnel")
    if counts is None:
        return
    statuses = {stage: by_id[i].status if i in by_id else "no_data"
                for stage, i in FUNNEL.items()}
    lines = funnel.rows(counts, statuses)
    stages = lines[lines["in_funnel"]].reset_index(drop=True)
    received = stages.iloc[0]["count"]
    if stages["count"].notna().any():
        completed = stages.iloc[-1]
        title = (f"{fmt.count(received)} referrals received in {view.period.title()}; "
                 f"{fmt.percent(completed['share'])} went all the way to completed support")
    else:
        title = f"Referral funnel: no referrals counted in {view.period.title()}"
    missing = [fmt.md(r["stage"]) + f" ({fmt.status_label(r['status']).lower()})"
               for _, r in stages.iterrows() if pd.isna(r["count"])]
    chart_block(
        view, name="operations_funnel", title=title,
        subtitle=f"Referrals by the furthest stage reached in order, by month of referral; "
                 f"{fmt.md(fmt.readable(view.filters.agency))}",
        figure=shared_figures.funnel(view.audience, stages), data=lines,
        description="Each stage counts the referrals received in the period that reached it "
                    "and every stage before it (contacted, needs assessed, given support, "
                    "closed as support completed), so each bar sits inside the one above. "
                    + (("Stages without a count: " + "; ".join(missing) + ". ")
                       if missing else "")
                    + "Referrals that skipped a stage, not in the funnel:\n\n"
                    + "\n".join(f"- {line}" for line in funnel.side_lines(lines)),
        base=f"{fmt.count(received)} referrals received",
        source=source_line(view, "operations"), excel=True,
    )


def timeliness_by_agency(parts: dict[str, pd.DataFrame]) -> None:
    """One standard by agency (chosen in a list), then every standard as one table."""
    titles = {i: entries.loc[i, "title"] for i in parts}
    indicator = st.selectbox("Standard", list(parts), format_func=titles.get,
                             key="operations_standard", bind="query-params")
    part = parts[indicator]
    entry = entries.loc[indicator]
    figure = by_id.get(indicator)
    hub_title = headlines.headline(figure, view.period.title()) if figure else entry["title"]
    table = part[["agency", "status", "numerator", "denominator", "value", "ci_low",
                  "ci_high"]].reset_index(drop=True)
    chart_block(
        view, name=f"operations_{indicator}_by_agency", title=hub_title,
        subtitle=f"By agency, {view.period.title()}; the whole hub first (orange)"
                 + ("; bars show 95% intervals" if entry["unit"] == "rate" else ""),
        figure=shared_figures.bars(view.audience, part, "agency", entry["unit"],
                                   label_column="label", highlight="all"),
        data=table, description=fmt.md(entry["definition"]) + " "
        + status_note(part["status"]),
        base=headlines.base_sentence(figure) if figure else "",
        source=source_line(view, "operations"), excel=True,
    )
    every = pd.concat([p.assign(indicator_id=i) for i, p in parts.items()])
    every = every[["indicator_id", "agency", "status", "numerator", "denominator", "value",
                   "ci_low", "ci_high"]].reset_index(drop=True)
    with st.container(border=True):
        st.markdown("#### Every standard by agency")
        st.caption(f"{view.period.title()}; {len(parts)} standards and caseloads, the whole "
                   "hub and each agency; rates with 95% intervals")
        data_table(every, "operations_timeliness_all", label="Show the table")
        downloads(every, "operations_timeliness_all", view, excel=True)


def timeliness_parts(by_agency: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each timeliness indicator's rows by agency, the whole hub first."""
    rows = with_intervals(by_agency[by_agency["indicator_id"].isin(TIMELINESS)])
    parts = {}
    for indicator in TIMELINESS:
        if indicator not in entries.index:
            continue
        part = rows[rows["indicator_id"] == indicator]
        part = part.assign(label=[fmt.readable(a) for a in part["agency"]])
        part = pd.concat([part[part["agency"] == "all"],
                          part[part["agency"] != "all"].sort_values("agency")])
        if not part.empty:
            parts[indicator] = part
    return parts


def trends(indicators: list[str]) -> None:
    cols = st.columns(2, gap="medium")
    shown = [i for i in indicators if i in entries.index]
    for i, indicator in enumerate(shown):
        entry = entries.loc[indicator].copy()
        entry["indicator_id"] = indicator
        with cols[i % 2]:
            indicator_chart(view, "operations", entry, by_id[indicator], trend, None, None)
    if not shown:
        st.info("This build has none of these indicators.")


tabs = dict(zip(TABS, st.tabs(TABS, key="operations_section", on_change="rerun",
                              bind="query-params"), strict=True))
if tabs["Referral funnel"].open:
    with tabs["Referral funnel"]:
        funnel_chart()
if tabs["Timeliness by agency"].open:
    with tabs["Timeliness by agency"]:
        by_agency = guarded(view, "indicator_by_agency")
        parts = timeliness_parts(by_agency) if by_agency is not None else {}
        if parts:
            timeliness_by_agency(parts)
        elif by_agency is not None:
            st.info("No timeliness figures by agency in this period.")
for name, indicators in TRENDS.items():
    if tabs[name].open:
        with tabs[name]:
            trends(indicators)

# --- exception lists (manager only) ---
if view.audience == "manager":
    st.header("Cases past a deadline", divider="gray")
    st.caption(f"Open now, at the as-of date {fmt.md(view.build_value('as_of'))}; "
               "pseudonymous ids only (look the case up in the case management system).")
    for kind, title in EXCEPTION_TITLES.items():
        listed = guarded(view, "exceptions", kind=kind)
        if listed is None:
            continue
        n = len(listed)
        if listed.empty:
            st.success(f"{title}: none at the as-of date.")
            continue
        table_block(
            view, name=f"exceptions_{kind}",
            title=f"{title}: {fmt.count(n)}{'+' if n >= 1000 else ''}",
            subtitle=f"{fmt.md(fmt.readable(view.filters.agency))}; longest overdue first",
            data=listed, shown=overdue.shown(listed), source=source_line(view, "operations"),
            description=overdue.DESCRIPTION, column_config=overdue.column_config(),
            show="grid" if n <= SHOWN_CASES else "lazy",
            label=f"Show the {fmt.count(n)} cases",
        )
