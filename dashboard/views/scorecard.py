"""Public value scorecard: three themes x three horizons, each cell split into what the
public values and what adds value to the public sphere (Benington)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import formatting as fmt
from dashboard import public_changes, scorecard
from dashboard.data import current
from dashboard.ui import agency_note, data_table, downloads, guarded, page_header

view = current()
page_header(
    view, "Public value scorecard",
    "Each cell holds the hub's outcomes for one theme and time horizon: first what the "
    "people supported value, then what adds value to the public sphere. Rates show how many "
    "people they rest on and a 95% interval. An arrow marks a change beyond noise on the "
    "period of the same length before; otherwise the card says 'no clear change'. Where "
    "a period's follow-up has not closed yet, the card shows the latest cohort that can "
    "be measured and the date the period matures on.",
)
agency_note(view)

catalogue = guarded(view, "catalogue")
summary = guarded(view, "indicator_summary")
trend = guarded(view, "indicator_trend")
params = guarded(view, "parameters")
if catalogue is None or summary is None or trend is None:
    st.stop()

latest = guarded(view, "latest_cohorts") if view.audience == "public" else None
cards = scorecard.build(catalogue, summary, trend, params if params is not None else
                        pd.DataFrame(), view, latest)
for theme, theme_title, page in scorecard.THEMES:
    st.subheader(theme_title)
    columns = st.columns(3, gap="small")
    for column, (horizon, horizon_title) in zip(columns, scorecard.HORIZONS, strict=True):
        with column, st.container(border=True):
            st.markdown(f"**{horizon_title}**")
            for dimension, dimension_title in scorecard.DIMENSIONS:
                st.caption(dimension_title)
                for card in cards.get((theme, horizon, dimension), []):
                    scorecard.render_card(card, view)
    st.page_link(f"views/{page}.py", label=f"{theme_title}: trends and breakdowns",
                 icon=":material/arrow_forward:")

public_changes.show(view)  # the public view: the bulletin's change lines

table = scorecard.table(cards)
st.markdown("#### All scorecard figures")
st.caption(f"{view.period.title()}; {fmt.md(fmt.readable(view.filters.agency))}.")
data_table(table, "scorecard", label="The scorecard as a table")
downloads(table, "scorecard", view, excel=True)
