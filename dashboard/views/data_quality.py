"""Data quality: the last build's load report, quarantine counts by rule and file, and how
complete each measure is. Counts and rule ids only: quarantined values stay in the
quarantine store."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dashboard import charts
from dashboard import formatting as fmt
from dashboard.data import current
from dashboard.ui import chart_block, guarded, page_header, table_block

STATIC_ROWS = 30  # tables up to this long are drawn as plain tables (light to draw)
# What each kind of load note means (meta.load_issues.kind, apart from quarantined rows)
LOAD_NOTES = {
    "code_unmapped": "demographic codes not in the contract, kept as unknown",
    "ignored_column": "extra columns, not read",
    "absent_column": "optional columns the file did not have",
    "ignored_file": "files in the extract folder that are not one of the contract's "
                    "tables, not read",
    "ignored_sheet": "workbook sheets that are not one of the contract's tables (or are "
                     "hidden), not read",
    "empty_rows": "fully empty rows of a sheet, skipped (they hold no record)",
}

view = current()
page_header(
    view, "Data quality",
    "What the last build read, loaded and set aside. Rows that broke a rule are kept only in "
    "the quarantine store beside the warehouse, never shown here: this page shows counts "
    "and rule names.",
)
with st.container(border=True):
    cols = st.columns(4)
    cols[0].metric("As-of date", view.build_value("as_of") or "–")
    cols[1].metric("Period", view.build_value("period") or "–")
    cols[2].metric("Price base year", view.build_value("price_base_year") or "–")
    cols[3].metric("Built", (view.build_value("built_at") or "–")[:10],
                   help=fmt.md(view.build_value("built_at") or ""))
    st.caption(f"Build {fmt.md(view.build_value('build_id', ''))}; as-of date taken from the "
               f"{fmt.md(view.build_value('as_of_source') or 'extract')}.")

report = guarded(view, "load_report")
if report is not None and not report.empty:
    read = int(report["rows_read"].sum())
    quarantined = int(report["rows_quarantined"].sum())
    share = quarantined / read if read else 0
    table_block(
        view, name="load_report",
        title=f"{fmt.count(read)} rows read; {fmt.count(quarantined)} "
              f"({fmt.percent(share, 1)}) quarantined",
        subtitle="Per file of the last build: rows read = rows loaded + rows quarantined",
        data=report, source="hubvalue build load report",
        description="A file missing from the extract has no row here; its table is empty and "
                    "the indicators that need it show 'No data'.",
        show="static",
    )

issues = guarded(view, "load_issues")
if issues is not None:
    quarantine = issues[issues["kind"] == "quarantined"].copy()
    if quarantine.empty:
        st.success("No rows were quarantined in the last build.")
    else:
        by_rule = (quarantine.groupby(["rule", "file_name"], as_index=False)["rows"].sum()
                   .sort_values("rows", ascending=False))
        by_rule["label"] = [f"{r} ({f})" for r, f in zip(by_rule["rule"], by_rule["file_name"],
                                                         strict=True)]
        fig = go.Figure(go.Bar(
            y=[fmt.plain(v) for v in by_rule["label"]], x=by_rule["rows"], orientation="h",
            marker={"color": charts.DARK_BLUE}, text=[fmt.count(v) for v in by_rule["rows"]],
            textposition="outside", cliponaxis=False,
            hovertemplate="%{y}: %{text} rows<extra></extra>"))
        fig.update_layout(template=charts.TEMPLATE, height=max(220, 40 * len(by_rule) + 80))
        fig.update_yaxes(autorange="reversed")
        top = by_rule.iloc[0]
        chart_block(
            view, name="quarantine_by_rule",
            title=f"Most quarantined rows broke the rule {fmt.md(top['rule'])} in "
                  f"{fmt.md(top['file_name'])} ({fmt.count(top['rows'])} rows)",
            subtitle="Quarantined rows by rule and file, last build",
            figure=fig, data=by_rule.drop(columns=["label"]),
            description="A row is quarantined for the first rule it breaks; a duplicate key "
                        "quarantines every row sharing it, and a child of a quarantined row "
                        "is quarantined as an orphan.",
            base=f"{fmt.count(by_rule['rows'].sum())} quarantined rows",
            source="hubvalue build load report",
        )
    other = issues[issues["kind"] != "quarantined"]
    if not other.empty:
        notes = other.reset_index(drop=True)
        kinds = [k for k in LOAD_NOTES if k in set(notes["kind"])]
        kinds += sorted(set(notes["kind"]) - set(kinds))
        table_block(
            view, name="load_notes",
            title="What the build read but did not load as records",
            subtitle="Unmapped codes, files, sheets and columns not read, absent optional "
                     "columns and empty rows",
            data=notes, shown=notes.assign(kind=[fmt.readable(k) for k in notes["kind"]]),
            source="hubvalue build load report",
            description=" ".join(f"{fmt.readable(k)}: {LOAD_NOTES.get(k, 'see the load report')}."
                                 for k in kinds),
            show="static" if len(other) <= STATIC_ROWS else "grid",
        )

complete = guarded(view, "completeness")
if complete is not None and not complete.empty:
    complete = complete.sort_values(["table_name", "column_name"]).reset_index(drop=True)
    low = complete[(complete["rows_loaded"] > 0) & (complete["share_with_value"] < 0.5)]
    table_block(
        view, name="completeness",
        title=f"{len(low)} of {len(complete)} columns have a value in fewer than half "
              "their rows",
        subtitle="Share of loaded rows with a value, per contract column",
        data=complete, source="the warehouse's loaded tables",
        description="Optional measures are often partly filled (not every case has a "
                    "follow-up). A measure with no values at all makes the indicators that "
                    "need it 'No data'.",
        column_config={"share_with_value": st.column_config.ProgressColumn(
            "Share with a value", format="percent", min_value=0.0, max_value=1.0)},
        show="lazy", label=f"Show all {len(complete)} columns",
    )

catalogue = guarded(view, "catalogue")
summary = guarded(view, "indicator_summary")
if catalogue is not None and summary is not None:
    current = summary[summary["bucket"] == "current"].set_index("indicator_id")["status"]
    absent = catalogue[catalogue["indicator_id"].map(current) == "no_data"]
    columns = [c for c in ("indicator_id", "title", "requires") if c in absent.columns]
    if absent.empty:
        st.success("Every indicator has the measures it needs in this extract.")
    else:
        table_block(
            view, name="indicators_without_data",
            title=f"{len(absent)} indicators have no data: the extract lacks a measure "
                  "they need",
            subtitle="Indicators whose status is 'No data' in the period, with the measures "
                     "they need (table.column; a|b means either will do)",
            data=absent[columns].reset_index(drop=True), source="the indicator catalogue",
            description="Add the missing table or column to the extract to measure these.",
            show="static" if len(absent) <= STATIC_ROWS else "grid",
        )
