"""Chart figures built once per distinct input and shared by every session.

Building a Plotly figure is most of a page's server time (Plotly validates every
property as it is set). The pages draw the same figures for everyone who looks at the
same filters, so each builder here keeps its figures, keyed by all of its inputs (the
data rows included, hashed by Streamlit), for an hour and at most a few hundred at a
time. As every cache of the dashboard, each is keyed by the audience too (a figure
built for one audience is never handed to another, even where the rows coincide). A
figure held here is shared: nothing may change it after it is built (the pages only
pass it to st.plotly_chart, which reads it).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts

KEEP = {"max_entries": 512, "ttl": 3600, "show_spinner": False}


@st.cache_resource(**KEEP)
def trend(audience: str, rows: pd.DataFrame, unit: str, name: str,
          benchmark: tuple[str, float] | None, scenarios: bool,
          shade: tuple[dt.date, dt.date] | None = None) -> go.Figure:
    """charts.trend, with the selected period shaded when `shade` is (first, last month)."""
    fig = charts.trend(rows, unit, name, benchmark=benchmark, scenarios=scenarios)
    if shade is not None:
        charts.shade_period(fig, *shade)
    return fig


@st.cache_resource(**KEEP)
def bars(audience: str, rows: pd.DataFrame, category: str, unit: str,
         label_column: str | None = None, highlight: str | None = None) -> go.Figure:
    return charts.bars(rows, category, unit, label_column=label_column, highlight=highlight)


@st.cache_resource(**KEEP)
def distribution(audience: str, rows: pd.DataFrame, x_title: str) -> go.Figure:
    return charts.distribution(rows, x_title)


@st.cache_resource(**KEEP)
def reach(audience: str, rows: pd.DataFrame) -> go.Figure:
    return charts.reach(rows)


@st.cache_resource(**KEEP)
def funnel(audience: str, rows: pd.DataFrame) -> go.Figure:
    return charts.funnel(rows)
