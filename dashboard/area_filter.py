"""The area filter of a national build's output (``hubvalue lake build``).

``hubvalue serve --db OUT`` on a national output folder serves one area's warehouse at a
time (``metrics.national``): with more than one area the sidebar shows a "PCC area"
choice, bound to the address like the other filters; with one area there is nothing to
choose and no filter. A single warehouse file is served as it always was.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from metrics import national


def chosen_warehouse(path: Path) -> Path:
    """The warehouse file this run reads: ``path`` itself, or the chosen area's file."""
    if not national.is_national(path):
        return path
    areas = national.area_warehouses(path)
    if not areas:
        return path / national.AREAS_DIR / "missing.duckdb"  # the page says there is none
    if len(areas) == 1:
        return next(iter(areas.values()))
    with st.sidebar:
        area = st.selectbox("PCC area", list(areas), key="pcc_area", bind="query-params",
                            help="A national build holds several areas; each is shown "
                                 "on its own.")
    return areas[area]
