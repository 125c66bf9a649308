"""The three theme pages (victim wellbeing, prevention, NHS demand): one trend chart per
indicator, splits by agency, crime type and enhanced rights, and distributions of change.

A page is in tabs, one per time horizon (as the scorecard's columns), then the
breakdowns and how scores moved (not for the public). Only the open tab runs and is
drawn, so a page shows two to four charts at a time rather than a dozen; the open tab
is in the address (`?wellbeing_section=Breakdowns`), so a link opens the same tab."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import breakdowns, headlines, period_cells, place, shared_figures
from dashboard import formatting as fmt
from dashboard.data import View, current
from dashboard.indicators import Figure, figures, with_intervals
from dashboard.sources import source_line
from dashboard.ui import agency_note, chart_block, guarded, page_header, status_note
from metrics.period_figures import PeriodCell

HORIZON_ORDER = {"short": 0, "medium": 1, "long": 2}
DIMENSION_ORDER = {"public_values": 0, "public_sphere": 1}
HORIZON_TABS = {"short": "During support", "medium": "3 to 12 months after",
                "long": "A year and more after"}
OTHER = "other"  # indicators of a theme without one of the three horizons
OTHER_TAB = "Other indicators"
HORIZON_WORDS = {"short": "during support (intake to exit)",
                 "medium": "3 to 12 months after support",
                 "long": "a year and more after support"}


def theme_entries(catalogue: pd.DataFrame, theme: str) -> pd.DataFrame:
    rows = catalogue[catalogue["theme"] == theme].copy()
    rows["_h"] = rows["horizon"].map(HORIZON_ORDER).fillna(9)
    rows["_d"] = rows["dimension"].map(DIMENSION_ORDER).fillna(9)
    return rows.sort_values(["_h", "_d"], kind="stable").drop(columns=["_h", "_d"])


def trend_rows(trend: pd.DataFrame, indicator: str) -> pd.DataFrame:
    rows = trend[trend["indicator_id"] == indicator].copy()
    return with_intervals(rows)


def data_table(rows: pd.DataFrame, unit: str, entry=None, months_a_row: int = 1
               ) -> pd.DataFrame:
    """The rows behind a trend chart, as the download holds them; for a cohort indicator
    (`entry` with a censoring window) the date each row not yet measurable matures on
    (`months_a_row`: 3 for the public's published quarters, dated by their last month)."""
    out = pd.DataFrame({
        "period_start": pd.to_datetime(rows["period_start"]).dt.strftime("%Y-%m"),
        "status": rows["status"],
        "numerator": rows["numerator"],
        "denominator": rows["denominator"],
        "value": rows["value"],
    })
    if unit == "rate":
        out["ci_low_95"] = rows["ci_low"]
        out["ci_high_95"] = rows["ci_high"]
    if unit in ("gbp", "ratio") or rows["value_low"].notna().any():
        out["value_low"] = rows["value_low"]
        out["value_high"] = rows["value_high"]
    if "suppressed" in rows.columns:
        out["suppressed"] = rows["suppressed"]
    if entry is not None and period_cells.is_cohort(entry):
        out["matures_on"] = period_cells.month_matures(entry, rows["period_start"],
                                                       rows["status"], months_a_row)
    return out.reset_index(drop=True)


def benchmark_for(entry: pd.Series, params: pd.DataFrame | None) -> tuple[str, float] | None:
    """The catalogue's benchmark row of the register, as (legend label, level)."""
    name = entry.get("benchmark_parameter")
    if not isinstance(name, str) or not name or params is None or params.empty:
        return None
    row = params[params["name"] == name]
    if row.empty:
        return None
    level = float(row["central"].iloc[0])
    return f"National, different question: {fmt.percent(level)}", level


def indicator_chart(view: View, theme: str, entry: pd.Series, figure: Figure,
                    trend: pd.DataFrame, params: pd.DataFrame | None,
                    coverage: Figure | None, cell: PeriodCell | None = None,
                    latest_words: str = "") -> None:
    """One indicator's trend chart. `latest_words`: for the public, where the quarter is
    not yet measurable, the latest measurable published quarter in the bulletin's words
    (the `latest_cohorts` query)."""
    indicator = entry["indicator_id"]
    public = view.audience == "public"
    unit = entry["unit"]
    if unit in ("gbp", "ratio") and not view.money:
        with st.container(border=True):
            st.markdown(f"#### {fmt.md(entry['title'])}")
            st.info("Monetisation is switched off (sidebar).")
        return
    rows = trend_rows(trend, indicator)
    benchmark = benchmark_for(entry, params)
    fig = shared_figures.trend(view.audience, rows, unit, entry["title"], benchmark,
                               unit in ("gbp", "ratio"), (view.period.first, view.period.last))
    step = "quarter" if public else "month"
    cohort = "cohort month" if entry.get("horizon") else "month"
    subtitle = (f"{fmt.UNIT_WORDS.get(unit, unit).capitalize()} by {step} "
                f"({cohort}), {HORIZON_WORDS.get(entry.get('horizon'), 'hub operations')}; "
                f"{fmt.md(fmt.readable(view.filters.agency))}")
    if unit == "rate":
        subtitle += "; bars show 95% Wilson intervals"
    if unit in ("gbp", "ratio"):
        subtitle += (f"; {fmt.money_note(view.build_value('price_base_year') or '')}; "
                     "band from the low to the high scenario")
    description = [fmt.md(entry.get("definition", ""))]
    if cell is not None:
        # the public: the latest published quarter in the bulletin's words, not a cohort
        # of months the release does not hold
        cohort = [latest_words] if public else [cell.cohort_text(), cell.no_cohort_text()]
        said = [cell.status_text(), *cohort, cell.months_note(),
                period_cells.change_note(cell, figure.change())]
        description += [fmt.md(text[0].upper() + text[1:]) + "." for text in said if text]
    note = status_note(rows["status"])
    if note:
        description.append(note)
    if coverage is not None:
        if coverage.shown:
            description.append(
                f"Follow-up coverage in the period: {fmt.percent(coverage.value)} of completed "
                f"cases answered a follow-up ({fmt.count(coverage.numerator)} of "
                f"{fmt.count(coverage.denominator)}); who answered limits what can be claimed.")
        else:
            description.append("Follow-up coverage in the period: "
                               f"{fmt.status_label(coverage.status).lower()}.")
    if benchmark is not None:
        description.append(
            "The dashed line is the national share of victims in contact with services who "
            "said it helped them cope (MoJ, Crime Survey 2018-19): a different question, "
            "drawn for context only.")
    chart_block(
        view, name=f"{theme}_{indicator}",
        title=headlines.headline(figure, view.period.title(), cell, public),
        subtitle=subtitle, figure=fig, data=data_table(rows, unit, entry, 3 if public else 1),
        description=" ".join(description),
        base=headlines.base_sentence(figure, cell, public), source=source_line(view, theme),
    )


def indicator_charts(view: View, theme: str, catalogue: pd.DataFrame, summary: pd.DataFrame,
                     trend: pd.DataFrame, params: pd.DataFrame | None,
                     horizon: str | None = None, latest: pd.DataFrame | None = None
                     ) -> dict[str, Figure]:
    """The trend charts of the theme's indicators (of one horizon when given), two a row.
    `latest`: for the public, the `latest_cohorts` query (the latest published quarter a
    cohort indicator is measurable in, where the chosen quarter is not)."""
    by_id = figures(summary, catalogue)
    cells = period_cells.for_view(catalogue, trend, view, summary, latest)
    words = ({} if latest is None or latest.empty
             else dict(zip(latest["indicator_id"], latest["latest_text"], strict=True)))
    entries = theme_entries(catalogue, theme)
    if horizon == OTHER:
        entries = entries[~entries["horizon"].isin(list(HORIZON_TABS))]
    elif horizon is not None:
        entries = entries[entries["horizon"] == horizon]
    columns = st.columns(2, gap="medium")
    for i, (_, entry) in enumerate(entries.iterrows()):
        coverage_id = entry.get("coverage_indicator")
        with columns[i % 2]:
            indicator_chart(view, theme, entry, by_id[entry["indicator_id"]], trend, params,
                            by_id.get(coverage_id) if isinstance(coverage_id, str) else None,
                            cells.get(entry["indicator_id"]),
                            words.get(entry["indicator_id"], ""))
    return by_id


def breakdown_choice(theme: str, catalogue: pd.DataFrame) -> pd.Series | None:
    """The indicator the breakdowns show (the user picks; bound to the URL)."""
    entries = theme_entries(catalogue, theme)
    entries = entries[entries["has_agency_rows"].astype(bool)]
    if entries.empty:
        return None
    ids = list(entries["indicator_id"])
    titles = dict(zip(entries["indicator_id"], entries["title"], strict=True))
    chosen = st.selectbox("Outcome to break down", ids, format_func=titles.get,
                          key=f"{theme}_split", bind="query-params")
    return entries[entries["indicator_id"] == chosen].iloc[0]


def agency_split(view: View, theme: str, entry: pd.Series, by_agency: pd.DataFrame) -> None:
    """One indicator of the theme by agency."""
    if by_agency is None:
        return
    chosen = entry["indicator_id"]
    rows = with_intervals(by_agency[by_agency["indicator_id"] == chosen])
    rows = rows.assign(label=[fmt.readable(a) for a in rows["agency"]])
    rows = pd.concat([rows[rows["agency"] == "all"], rows[rows["agency"] != "all"]
                      .sort_values("agency")])
    unit = entry["unit"]
    fig = shared_figures.bars(view.audience, rows, "agency", unit, label_column="label",
                              highlight="all")
    hub = rows[rows["agency"] == "all"]
    hub_text = (fmt.value_text(hub["value"].iloc[0], unit)
                if not hub.empty and hub["status"].iloc[0] == "ok"
                else fmt.status_label(hub["status"].iloc[0]).lower() if not hub.empty
                else "no value")
    shown = rows[(rows["agency"] != "all") & (rows["status"] == "ok")]
    if not shown.empty and unit == "rate":
        best = shown.loc[shown["value"].idxmax()]
        title = (f"{fmt.md(entry['title'])}: from {fmt.percent(shown['value'].min())} to "
                 f"{fmt.percent(shown['value'].max())} across agencies "
                 f"(highest: {fmt.md(fmt.readable(best['agency']))}); whole hub {hub_text}")
    else:
        title = f"{fmt.md(entry['title'])} by agency; whole hub {hub_text}"
    table = pd.DataFrame({
        "agency": rows["agency"], "status": rows["status"], "numerator": rows["numerator"],
        "denominator": rows["denominator"], "value": rows["value"],
        "ci_low_95": rows["ci_low"], "ci_high_95": rows["ci_high"],
    })
    if "suppressed" in rows.columns:
        table["suppressed"] = rows["suppressed"].fillna("")
    # an agency whose period is not yet measurable: its latest measurable cohort
    cells = period_cells.for_agencies(entry, rows, view, lambda agency: guarded(
        view, "indicator_trend", replace(view.filters, agency=agency)))
    if cells:
        table = pd.concat([table, period_cells.agency_columns(rows["agency"], cells)], axis=1)
    lines = period_cells.agency_cohort_lines(
        cells, lambda a: "Whole hub" if a == "all" else fmt.readable(a))
    maturity = next((c.maturity for c in cells.values() if c.maturity), "")
    chart_block(
        view, name=f"{theme}_by_agency_{chosen}", title=title,
        subtitle=f"{view.period.title()}; the whole hub first (orange), then each agency "
                 "involved; bars show 95% intervals",
        figure=fig, data=table.reset_index(drop=True),
        description=(
            "A referral counts for every agency involved in it (the lead agency is involved "
            "in all), so the agencies together can add up to more than the whole hub. "
            + status_note(rows["status"])
            + (f"\n\nWhere the period is not yet measurable ({fmt.md(maturity)}), the "
               "latest measurable cohort of the same length:\n\n"
               + "\n".join(f"- {fmt.md(line)}" for line in lines) if lines else "")),
        base="the referrals each agency was involved in over the period",
        source=source_line(view, theme), excel=True,
    )


def section_names(catalogue: pd.DataFrame, theme: str, audience: str) -> list[str]:
    """The page's tabs: the horizons the theme has indicators for, in order, then (not
    for the public) the breakdowns and, where the theme has scores, how they moved."""
    horizons = set(theme_entries(catalogue, theme)["horizon"].fillna(""))
    names = [label for horizon, label in HORIZON_TABS.items() if horizon in horizons]
    if horizons - set(HORIZON_TABS):
        names.append(OTHER_TAB)
    if audience != "public":
        names.append("Breakdowns")
        if breakdowns.THEME_MEASURES.get(theme):
            names.append("How scores moved")
    return names


def render(theme: str, title: str, intro: str) -> None:
    """A whole theme page, one tab at a time (see the module's docstring)."""
    view = current()
    page_header(view, title, intro)
    agency_note(view)
    catalogue = guarded(view, "catalogue")
    summary = guarded(view, "indicator_summary")
    trend = guarded(view, "indicator_trend")
    params = guarded(view, "parameters")
    if catalogue is None or summary is None or trend is None:
        return
    latest = guarded(view, "latest_cohorts") if view.audience == "public" else None
    names = section_names(catalogue, theme, view.audience)
    if not names:
        st.info("This build has no indicators for this theme.")
        return
    tabs = dict(zip(names, st.tabs(names, key=f"{theme}_section", on_change="rerun",
                                   bind="query-params"), strict=True))
    for horizon, label in (*HORIZON_TABS.items(), (OTHER, OTHER_TAB)):
        if label in tabs and tabs[label].open:
            with tabs[label]:
                indicator_charts(view, theme, catalogue, summary, trend, params, horizon,
                                 latest)
    if "Breakdowns" in tabs and tabs["Breakdowns"].open:
        with tabs["Breakdowns"]:
            entry = breakdown_choice(theme, catalogue)
            if entry is not None:
                agency_split(view, theme, entry, guarded(view, "indicator_by_agency"))
                # the period not yet measurable: the splits count the latest cohort's months
                stand_in = period_cells.stand_in(entry, trend, view)
                breakdowns.splits(view, theme, entry, stand_in)
                place.outcome_by_area(view, theme, entry, stand_in)
    if "How scores moved" in tabs and tabs["How scores moved"].open:
        with tabs["How scores moved"]:
            breakdowns.changes(view, theme)
