"""The public view's change lines: the quarter against the one before and the same quarter
a year earlier, exactly as the public bulletin prints them (the `change_lines` query runs
the bulletin's own function on the published figures). Only a change beyond noise has an
arrow and a colour; the words say "no clear change" otherwise."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import formatting as fmt
from dashboard.data import View
from dashboard.ui import guarded, table_block

COLOURS = {"better": "color: #00703c; font-weight: bold",
           "worse": "color: #942514; font-weight: bold",
           "moved": "color: #12436d; font-weight: bold", "": ""}
SHOWN = ["measure", "this_quarter", "previous_quarter", "change_on_previous",
         "year_earlier", "change_on_year"]


def _styled(lines: pd.DataFrame):
    table = lines[SHOWN]

    def colour(frame: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame("", index=frame.index, columns=frame.columns)
        out["change_on_previous"] = [COLOURS.get(j, "") for j in lines["judged_previous"]]
        out["change_on_year"] = [COLOURS.get(j, "") for j in lines["judged_year"]]
        return out

    return table.style.apply(colour, axis=None)


def show(view: View) -> None:
    if view.audience != "public":
        return
    lines = guarded(view, "change_lines")
    if lines is None or lines.empty:
        return
    period, previous, year = (lines[c].iloc[0] for c in (
        "period", "previous_period", "year_earlier_period"))
    config = {
        "measure": st.column_config.TextColumn("Measure"),
        "this_quarter": st.column_config.TextColumn(period),
        "previous_quarter": st.column_config.TextColumn(previous),
        "change_on_previous": st.column_config.TextColumn("Change on the previous quarter"),
        "year_earlier": st.column_config.TextColumn(year),
        "change_on_year": st.column_config.TextColumn("Change on a year earlier"),
    }
    table_block(
        view, name="public_change_lines",
        title=f"{fmt.md(period)} against {fmt.md(previous)} and {fmt.md(year)}",
        subtitle="Change on the previous quarter and on the same quarter a year earlier, "
                 "from the published figures of each quarter (as in the public bulletin)",
        data=lines[SHOWN], shown=_styled(lines), column_config=config,
        source="the published release",
        description="A change is called a rise or a fall (an arrow and a colour) only when "
                    "it is beyond noise: for a rate, when the 95% interval of the "
                    "difference (Newcombe's hybrid score method) lies wholly above or below "
                    "0; for the number of people referred, when the exact test of two "
                    "counts gives p below 0.05. Otherwise it reads 'no clear change'. Both "
                    "quarters are as published: counts rounded to the nearest 5, rates "
                    "from the rounded counts.",
        excel=False,
    )
    # a cohort not yet measurable: when it matures and the latest measurable quarter
    for row in lines[lines["latest_measurable"] != ""].itertuples():
        st.caption(f"{fmt.md(row.measure)}: {fmt.md(row.latest_measurable)}.")
