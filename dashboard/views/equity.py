"""Equity and reach: who the hub reaches, compared with who the victims (or residents) are."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import formatting as fmt
from dashboard import place, shared_figures
from dashboard.data import current
from dashboard.sources import source_line
from dashboard.ui import chart_block, guarded, page_header, status_note

CHARACTERISTICS = [
    ("age_band", "Age band"),
    ("gender", "Gender"),
    ("ethnic_group", "Ethnic group"),
    ("disability", "Disability"),
    ("lgbt", "LGBT+"),
]

YES_NO = {"disability": {"yes": "Disabled", "no": "Not disabled"},
          "lgbt": {"yes": "LGBT+", "no": "Not LGBT+"}}


def category_name(characteristic: str, category: str) -> str:
    return YES_NO.get(characteristic, {}).get(category, fmt.readable(category))


view = current()
page_header(
    view, "Equity and reach",
    "Whether the hub reaches each group in proportion to its share of the people it should "
    "serve. A reach ratio of 1 means a group's share of the victims referred equals its share "
    "of the comparison population; below 1, the group is under-reached. Ratios cover the 12 "
    "months ending with the last month of the period.",
)
if view.filters.agency != "all" or view.filters.crime_type != "all":
    st.info("Reach is measured for the whole hub: the agency and crime type filters do not "
            "apply here.")
place.reach_by_area(view)
reach = guarded(view, "equity_reach")
if reach is None:
    st.stop()
if reach.empty:
    st.info("No reach figures for the last month of this period: the extract may have no "
            "comparison population (population.csv).")
    st.stop()

end = pd.Timestamp(reach["month"].iloc[0]).strftime("%b %Y")
# the public release gives the quarter's own reach; the other views the 12 months to its end
span = view.period.title() if view.audience == "public" else f"the 12 months to {end}"


def reach_chart(characteristic: str, name: str, rows: pd.DataFrame) -> None:
    rows = rows.copy()
    rows["label"] = [category_name(characteristic, c) for c in rows["category"]]
    if rows["basis"].nunique() > 1:
        rows["label"] = [f"{label} ({fmt.readable(b)})"
                         for label, b in zip(rows["label"], rows["basis"], strict=True)]
    basis_labels = sorted(set(rows["basis_label"].dropna()))
    basis = ", ".join(basis_labels)
    ok = rows[rows["status"] == "ok"]
    if not ok.empty:
        low = ok.loc[ok["reach_ratio"].idxmin()]
        title = (f"{fmt.md(name)}: {fmt.md(low['label'])} reached least "
                 f"(ratio {low['reach_ratio']:.2f}) in {span}")
    else:
        title = f"{fmt.md(name)}: no reach ratio can be shown for {span}"
    table = rows[["basis", "category", "victims_referred", "comparison_people", "reach_ratio",
                  "ci_low", "ci_high", "basis_label", "status", "suppressed"]]
    chart_block(
        view, name=f"equity_{characteristic}", title=title,
        subtitle=f"Reach ratio with 95% interval, {fmt.md(basis)}; victims whose "
                 f"{fmt.md(name.lower())} is unknown are left out",
        figure=shared_figures.reach(view.audience, rows), data=table.reset_index(drop=True),
        description=(
            f"Share of distinct victims referred in each category divided by the category's "
            f"share of the comparison population ({fmt.md(basis)}). The interval is the 95% "
            "Wilson interval on the victims' share; the comparison share is taken as fixed. "
            + status_note(rows["status"])),
        base=f"{fmt.count(rows['victims_referred'].sum())} victims referred with a known "
             f"{fmt.md(name.lower())}",
        source=source_line(view, "equity"),
    )


# one characteristic at a time, in tabs (only the open one is drawn; it is in the address)
shown = []
for characteristic, name in CHARACTERISTICS:
    rows = reach[(reach["characteristic"] == characteristic) & (reach["category"] != "unknown")]
    if not rows.empty:
        shown.append((characteristic, name, rows))
if not shown:
    st.info("No reach figures by characteristic for the last month of this period.")
    st.stop()
tabs = st.tabs([name for _, name, _ in shown], key="equity_characteristic",
               on_change="rerun", bind="query-params")
for tab, (characteristic, name, rows) in zip(tabs, shown, strict=True):
    if tab.open:
        with tab:
            reach_chart(characteristic, name, rows)
