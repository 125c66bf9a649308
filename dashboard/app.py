"""The hubvalue dashboard: the entry point Streamlit runs (see dashboard/serve.py).

It reads the warehouse path and the start-up audience from the environment (fixed when
the app starts), decides the session's audience on the server (dashboard/access.py:
the start-up audience, or the signed-in user's role under it), draws the sidebar
filters (bound to the URL, so a link reproduces the view) and routes to the pages in
dashboard/views/. Every query of one run goes through one snapshot of the warehouse
file (dashboard/data.py), so a rebuild mid-page cannot mix two builds on a page.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from contextlib import ExitStack
from pathlib import Path

import pandas as pd
import streamlit as st

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:  # `streamlit run` puts only this folder on the path
    sys.path.insert(0, str(PROJECT_DIR))

from dashboard import formatting as fmt  # noqa: E402
from dashboard import signin  # noqa: E402
from dashboard.access import Decision  # noqa: E402
from dashboard.area_filter import chosen_warehouse  # noqa: E402
from dashboard.data import VIEW_KEY, View, leased_snapshot, run  # noqa: E402
from metrics import period as periods  # noqa: E402
from metrics import queries  # noqa: E402

LOG = logging.getLogger("hubvalue.dashboard")
ENV_DB = "HUBVALUE_DB"
ENV_AUDIENCE = "HUBVALUE_AUDIENCE"
DEFAULT_DB = PROJECT_DIR / "data" / "warehouse.duckdb"
AUDIENCE_NAMES = {"manager": "Hub manager view", "pcc": "PCC office view",
                  "public": "Public view"}
# Bound widgets write their displayed option to the URL, so the options are the words
# shown: ?period=Financial+quarter&quarter=2026/27-Q2, ?months=2026-04&months=2026-09.
PERIOD_KINDS = {"Month range": "months", "Financial quarter": "quarter",
                "Financial year": "year"}
VIEWS = Path(__file__).resolve().parent / "views"

PAGES = {
    # file stem: (title, icon, audiences)
    "scorecard": ("Public value scorecard", ":material/grid_view:", queries.AUDIENCES),
    "wellbeing": ("Victim wellbeing", ":material/favorite:", queries.AUDIENCES),
    "prevention": ("Prevention", ":material/shield:", queries.AUDIENCES),
    "nhs_demand": ("NHS demand", ":material/local_hospital:", queries.AUDIENCES),
    "value_for_money": ("Value for money", ":material/payments:", queries.AUDIENCES),
    "operations": ("Hub operations", ":material/fact_check:", ("manager", "pcc")),
    "working_together": ("Working together", ":material/handshake:", ("manager", "pcc")),
    "equity": ("Equity and reach", ":material/diversity_3:", queries.AUDIENCES),
    "data_quality": ("Data quality", ":material/rule:", ("manager", "pcc")),
    "methods": ("Methods", ":material/menu_book:", queries.AUDIENCES),
}
SECTIONS = {
    "Outcomes": ["scorecard", "wellbeing", "prevention", "nhs_demand"],
    "Value and fairness": ["value_for_money", "equity"],
    "Running the hub": ["operations", "working_together", "data_quality"],
    "About the figures": ["methods"],
}


def audience() -> str:
    """The start-up audience (the widest this server shows); an unknown or missing value
    falls back to the narrowest view."""
    value = os.environ.get(ENV_AUDIENCE, "public")
    return value if value in queries.AUDIENCES else "public"


def no_warehouse(path: Path) -> None:
    st.title("Public value dashboard")
    st.warning(f"There is no warehouse at `{path}` yet.")
    st.markdown(
        "Build one from a hub extract, then reload this page:\n\n"
        f"```\nhubvalue build --input FOLDER --db {path}\n```\n\n"
        "To try the dashboard with synthetic data:\n\n"
        "```\nhubvalue generate --out data/demo\n"
        f"hubvalue build --input data/demo --db {path}\n```"
    )
    st.stop()


def no_public_release(path: Path) -> None:
    st.title("Public value dashboard")
    st.info(
        f"The warehouse at `{path}` holds no public release yet. The public view shows "
        "only the tables published when the warehouse is built: rebuild it with this "
        "version of hubvalue (`hubvalue build --input FOLDER`) and reload this page."
    )
    st.stop()


def unreadable(path: Path) -> None:
    st.title("Public value dashboard")
    st.error(
        f"The warehouse at `{path}` could not be read. It may be from an older version of "
        "hubvalue or still being written. Rebuild it with `hubvalue build --input FOLDER` "
        "and reload this page."
    )
    st.stop()


def _months(options: list[str]) -> list[dt.date]:
    return [periods.parse_month(m) for m in options]


def period_filter(months: list[str], who: str) -> periods.Period:
    """The period widgets: kind, then a month range, a quarter or a year."""
    first, last = periods.parse_month(months[0]), periods.parse_month(months[-1])
    # the public release is quarterly (docs/disclosure.md, "The public release")
    kinds = [k for k in PERIOD_KINDS if who != "public" or PERIOD_KINDS[k] == "quarter"]
    kind = PERIOD_KINDS[st.radio("Period", kinds, key="period", bind="query-params")]
    if kind == "quarter":
        options = periods.complete_quarters(first, last) if who == "public" else \
            periods.quarter_options(first, last)
        if not options:
            options = periods.quarter_options(first, last)
        label = st.selectbox("Quarter", options, key="quarter", bind="query-params")
        return periods.quarter(label)
    if kind == "year":
        options = periods.year_options(first, last)
        label = st.selectbox("Financial year", options, key="year", bind="query-params")
        return periods.financial_year(label)
    default = (months[max(0, len(months) - 12)], months[-1])
    chosen = st.select_slider("Months", months, value=default, key="months",
                              bind="query-params")
    start, end = (chosen if isinstance(chosen, tuple | list) else (chosen, chosen))
    return periods.month_range(periods.parse_month(start), periods.parse_month(end))


def sidebar(options, who: str, build: dict, decision: Decision
            ) -> tuple[periods.Period, str, str, bool]:
    months = sorted(options.loc[options["kind"] == "month", "value"])
    agencies = sorted(options.loc[options["kind"] == "agency", "value"])
    crime_types = sorted(options.loc[options["kind"] == "crime_type", "value"])
    with st.sidebar:
        st.markdown(f"**{AUDIENCE_NAMES[who]}**")
        signin.account_box(decision)
        st.caption(f"Data as of {_text(build.get('as_of'))} · "
                   f"build {fmt.md(build.get('build_id', ''))}")
        if not months:
            st.info("The warehouse has no months of indicators yet.")
            st.stop()
        period = period_filter(months, who)
        agency, crime = "all", "all"
        if who != "public":
            agency = st.selectbox("Agency", ["all", *agencies], format_func=fmt.readable,
                                  key="agency", bind="query-params")
            crime = st.selectbox("Crime type", ["all", *crime_types],
                                 format_func=lambda c: "All crime types" if c == "all"
                                 else fmt.readable(c), key="crime", bind="query-params",
                                 help="Applies to the breakdowns drawn from referral records.")
        money = st.toggle("Show monetised values", value=True, key="money",
                          bind="query-params",
                          help="Monetised figures are projections that rest on assumptions.")
        st.caption("The address of this page holds these choices: share it to share the view.")
    return period, agency, crime, money


def _text(value) -> str:
    """A build value as text: dates as YYYY-MM-DD, timestamps to the minute."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, dt.datetime | pd.Timestamp):
        stamp = pd.Timestamp(value)
        if stamp == stamp.normalize():
            return stamp.date().isoformat()
        return stamp.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def main() -> None:
    st.set_page_config(page_title="hubvalue: public value dashboard", layout="wide",
                       page_icon=":material/volunteer_activism:")
    decision = signin.session_audience(audience())
    path = chosen_warehouse(Path(os.environ.get(ENV_DB, str(DEFAULT_DB))))
    with ExitStack() as stack:
        try:
            snapshot = stack.enter_context(leased_snapshot(str(path)))
        except Exception as exc:  # noqa: BLE001 - a damaged file: say so, never show its contents
            LOG.error("the warehouse could not be opened (%s)", type(exc).__name__)
            unreadable(path)
            return  # st.stop() only raises under a server; in bare mode stop here too
        if snapshot is None:
            no_warehouse(path)
            return
        show(snapshot, decision)


def show(snapshot: queries.WarehouseSnapshot, decision: Decision) -> None:
    """The sidebar and the chosen page, every query on the one snapshot."""
    who = decision.audience
    try:
        build = run(snapshot, who, "build_info")
        options = run(snapshot, who, "filter_options")
    except queries.NotInWarehouse:
        if who != "public":
            LOG.error("the warehouse could not be read (NotInWarehouse)")
            unreadable(Path(snapshot.path))
            return
        LOG.error("the warehouse has no public release")
        no_public_release(Path(snapshot.path))
        return
    except Exception as exc:  # noqa: BLE001 - a damaged file: say so, never show its contents
        LOG.error("the warehouse could not be read (%s)", type(exc).__name__)
        unreadable(Path(snapshot.path))
        return
    build_row = build.iloc[0].to_dict() if not build.empty else {}
    period, agency, crime, money = sidebar(options, who, build_row, decision)
    filters = queries.Filters(period.first, period.last, agency, crime)
    st.session_state[VIEW_KEY] = View(
        snapshot=snapshot, audience=who, period=period, filters=filters, money=money,
        build=tuple(sorted((k, _text(v)) for k, v in build_row.items())),
    )
    sections = {}
    for section, stems in SECTIONS.items():
        pages = [
            st.Page(VIEWS / f"{stem}.py", title=PAGES[stem][0], icon=PAGES[stem][1],
                    url_path=stem, default=stem == "scorecard")
            for stem in stems if who in PAGES[stem][2]
        ]
        if pages:
            sections[section] = pages
    page = st.navigation(sections)
    try:
        page.run()
    except Exception as exc:  # noqa: BLE001 - the message may hold data values: log its kind
        LOG.error("page %s failed (%s)", page.url_path or "scorecard", type(exc).__name__)
        st.error("This part of the page could not be drawn. The figures above it are "
                 "unaffected; the error is in the server log without any data values.")


main()
