"""Building blocks every page uses: a chart with its title, base, source, description and
downloads; safe messages; tables for download.

A chart block always has an active title (what the data shows), the base n and the
source under it, a short text description (the text alternative), the data as a table
behind an expander, and a CSV download (and Excel for manager tables).

Page speed: the table behind a chart is drawn only once its expander is opened (opening
it reruns just that table, a fragment), and the download files are made when a button is
pressed, not on every run: a page with a dozen charts otherwise sends a dozen data grids
and files that nobody asked for.
"""

from __future__ import annotations

import io
import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import formatting as fmt
from dashboard.data import View, load
from metrics import queries

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_KEY_CHARS = re.compile(r"[^a-z0-9_]+")


def safe_for_spreadsheet(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would read as a formula get a leading apostrophe."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = [
                "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v
                for v in out[column]
            ]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return safe_for_spreadsheet(frame).to_csv(index=False).encode("utf-8")


def excel_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_for_spreadsheet(frame).to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()


def worded_columns(columns, column_config: dict | None = None) -> dict:
    """Column settings that show every column under words, not its machine name (a
    column the page configured keeps its own label)."""
    config = dict(column_config or {})
    for column in columns:
        setting = config.get(column)
        if setting is None:
            config[column] = st.column_config.Column(fmt.column_name(column))
        elif isinstance(setting, dict) and not setting.get("label"):
            config[column] = {**setting, "label": fmt.column_name(column)}
    return config


def widget_key(*parts: str) -> str:
    return _KEY_CHARS.sub("_", "_".join(str(p).lower() for p in parts)).strip("_")


def downloads(frame: pd.DataFrame, name: str, view: View, excel: bool = False) -> None:
    """CSV download of a chart's data; Excel too for manager tables."""
    key = widget_key("dl", name)
    with st.container(horizontal=True):
        st.download_button(
            "Download data (CSV)", lambda: csv_bytes(frame), file_name=f"{key[3:]}.csv",
            mime="text/csv", key=key + "_csv", on_click="ignore",
        )
        if excel and view.audience == "manager":
            st.download_button(
                "Download data (Excel)", lambda: excel_bytes(frame), file_name=f"{key[3:]}.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                key=key + "_xlsx", on_click="ignore",
            )


def chart_block(view: View, *, name: str, title: str, subtitle: str, figure: go.Figure,
                data: pd.DataFrame, description: str, base: str, source: str,
                excel: bool = False, column_config: dict | None = None) -> None:
    """One chart with everything that must go with it. `title`, `subtitle`, `description`,
    `base` and `source` are Markdown written by the page: data values in them must
    already be escaped with `formatting.md`."""
    with st.container(border=True):
        st.markdown(f"#### {title}")
        st.caption(subtitle)
        st.plotly_chart(figure, theme=None, key=widget_key("chart", name),
                        config={"displaylogo": False}, alt=_alt(description))
        st.caption(f"Base: {base}. Source: {source}.")
        st.markdown(description)
        data_table(data, name, column_config)
        downloads(data, name, view, excel=excel)


def table_key(name: str) -> str:
    """The session-state key of a chart's 'Data table' expander (True when open)."""
    return widget_key("table", name)


@st.fragment
def data_table(data: pd.DataFrame, name: str, column_config: dict | None = None,
               label: str = "Data table") -> None:
    """The chart's data as a table, drawn only while its expander is open."""
    with st.expander(label, key=table_key(name), on_change="rerun") as box:
        if box.open:
            st.dataframe(data, hide_index=True,
                         column_config=worded_columns(data.columns, column_config))


def _alt(description: str) -> str:
    return re.sub(r"\\(.)", r"\1", description).replace("**", "")


def table_block(view: View, *, name: str, title: str, subtitle: str, data: pd.DataFrame,
                description: str, source: str, excel: bool = True,
                column_config: dict | None = None, show: str = "grid",
                label: str = "Show the table", shown: pd.DataFrame | None = None) -> None:
    """A table with its title, source, description and downloads. `show`: "grid" (an
    interactive data grid), "static" (a plain table: light for a few rows, no sorting) or
    "lazy" (a data grid drawn once the reader opens it, under `label`). `shown`: the
    table as displayed when it differs from the data downloaded (e.g. formatted money)."""
    with st.container(border=True):
        st.markdown(f"#### {title}")
        st.caption(subtitle)
        display = data if shown is None else shown
        if show == "static":
            st.table(display.rename(columns=fmt.column_name), hide_index=True)
        elif show == "lazy":
            data_table(display, name, column_config, label=label)
        else:
            st.dataframe(display, hide_index=True,
                         column_config=worded_columns(display.columns, column_config))
        st.caption(f"Source: {source}.")
        st.markdown(description)
        downloads(data, name, view, excel=excel)


def guarded(view: View, name: str, filters: queries.Filters | None = None, **kwargs
            ) -> pd.DataFrame | None:
    """Run a query; if the warehouse lacks its table or the audience may not see it, say
    so (without data values) and return None."""
    try:
        return load(view, name, filters, **kwargs)
    except queries.NotInWarehouse:
        st.info("This part needs a table the warehouse does not have yet. Rebuild the "
                "warehouse with this version of hubvalue (hubvalue build --input FOLDER).")
    except queries.NotPermitted:
        st.info("This part is not available in this view of the dashboard.")
    return None


def status_note(statuses: pd.Series) -> str:
    """One sentence on the periods without a value, e.g. '3 months not yet measurable'."""
    parts = []
    for status in ("not_yet_measurable", "no_data", "empty_base", "suppressed", "not_published"):
        n = int((statuses == status).sum())
        if n:
            parts.append(f"{n} {'period' if n == 1 else 'periods'} "
                         f"{fmt.status_label(status).lower()}")
    return ("; ".join(parts) + " (hatched, never drawn as 0).") if parts else ""


def page_header(view: View, title: str, intro: str) -> None:
    st.title(title)
    agency = fmt.md(fmt.readable(view.filters.agency))
    crime = view.filters.crime_type
    scope = agency if crime == "all" else f"{agency}, crime type {fmt.md(fmt.readable(crime))}"
    as_of = fmt.md(view.build_value("as_of"))
    st.caption(f"{view.period.title()} · {scope} · data as of {as_of} · "
               f"build {fmt.md(view.build_value('build_id', ''))}")
    st.markdown(intro)


def agency_note(view: View) -> None:
    if view.filters.agency != "all":
        st.info("Agency figures count every referral the agency was involved in, so the "
                "agencies together may add up to more than the whole hub. Monetised value "
                "is for the whole hub only: public value is co-created.")
