"""Issue 13 on the public theme pages (wellbeing, prevention, NHS demand): "no cohort cell
shows only a status where a measurable cohort of the same length exists".

A hand-made published release (no build: the `published` schema written from frames
here), six quarters 2025/26-Q1 to 2026/27-Q2, as of 30 November 2026. Every cohort
indicator of the three themes has its statuses written by hand below; every other
indicator is published as 6 of 10 (60.0%). For each published quarter, each theme page
tab holding a cohort indicator whose quarter is not yet measurable but has an earlier
measurable quarter is opened under AppTest (public audience), and every chart there
whose quarter is not yet measurable must give the latest earlier published quarter in
which its indicator is measurable (found here from the hand-made rows), its figure as
published ('[c]' where hidden), and the date the quarter matures (worked out by hand);
where there is none, it says so. The indicator rows carry no published tables, so the
latest quarter's figure is the row's value, without "n of N people".
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metrics.catalogue import load_catalogue
from metrics.models import SQL_DIR
from metrics.period import parse
from metrics.published.schema import write_schema
from metrics.reference_data import write_reference

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
AS_OF = dt.date(2026, 11, 30)
QUARTERS = ["2025/26-Q1", "2025/26-Q2", "2025/26-Q3", "2025/26-Q4", "2026/27-Q1",
            "2026/27-Q2"]
N = "not_yet_measurable"
# status, numerator, denominator, value; by quarter in QUARTERS order
OK = ("ok", 6.0, 10.0, 0.6)
HIDDEN = ("suppressed", None, None, None)
WAIT = (N, None, None, None)
EMPTY = ("empty_base", None, 0.0, None)
COHORTS = {
    # 365 days: 2025/26-Q2 matured on 30 Sep 2026, Q3 matures on 31 Dec 2026
    "wellbeing_sustained_3_12m": [OK, HIDDEN, WAIT, WAIT, WAIT, WAIT],
    "back_to_daily_life_3_12m": [("ok", 12.0, 20.0, 0.6), ("ok", 9.0, 12.0, 0.75),
                                 WAIT, WAIT, WAIT, WAIT],
    "not_revictimised_12m": [("ok", 8.0, 10.0, 0.8), EMPTY, WAIT, WAIT, WAIT, WAIT],
    # 730 days: nothing matured yet
    "wellbeing_gain_12m_plus": [WAIT] * 6,
    "feel_safe_12m_plus": [WAIT] * 6,
    "health_maintained_12m_plus": [WAIT] * 6,
    # 6 calendar months: 2025/26-Q4 matured on 30 Sep 2026
    "fewer_crisis_contacts": [OK, OK, ("ok", 3.0, 4.0, 0.75), ("ok", 5.0, 10.0, 0.5),
                              WAIT, WAIT],
    "nhs_contacts_change": [("ok", 12.0, None, 12.0)] * 4 + [WAIT] * 2,
    "nhs_cost_avoided_gbp": [("ok", 900.0, None, 900.0)] * 3 + [HIDDEN, WAIT, WAIT],
}
# by hand: the last day of the quarter plus the window (365 or 730 days, 6 months; 2028
# has a 29 February)
MATURES = {
    ("2026/27-Q2", 365): "30 September 2027", ("2026/27-Q2", 730): "29 September 2028",
    ("2026/27-Q2", "6m"): "30 March 2027", ("2026/27-Q1", 365): "30 June 2027",
    ("2026/27-Q1", 730): "29 June 2028", ("2026/27-Q1", "6m"): "30 December 2026",
    ("2025/26-Q4", 365): "31 March 2027", ("2025/26-Q4", 730): "30 March 2028",
    ("2025/26-Q3", 365): "31 December 2026", ("2025/26-Q3", 730): "31 December 2027",
    ("2025/26-Q2", 730): "30 September 2027", ("2025/26-Q1", 730): "30 June 2027",
}
THEMES = {"wellbeing": "wellbeing", "prevention": "prevention", "nhs_demand": "nhs_demand"}


def _indicator_rows(catalogue: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for entry in catalogue.to_dict("records"):
        indicator = entry["indicator_id"]
        for i, label in enumerate(QUARTERS):
            quarter = parse(label)
            status, numerator, denominator, value = COHORTS.get(indicator, [OK] * 6)[i]
            rows.append({
                "indicator_id": indicator, "period": label, "period_start": quarter.first,
                "kind": entry["kind"], "months": 3, "months_ok": 3 if status == "ok" else 0,
                "months_not_yet_measurable": 3 if status == N else 0, "months_no_data": 0,
                "months_empty_base": 3 if status == "empty_base" else 0,
                "numerator": numerator, "denominator": denominator, "persons": denominator,
                "status": status, "value": value, "value_low": None, "value_high": None,
                "suppressed": "[c]" if status == "suppressed" else "",
            })
    return pd.DataFrame(rows)


def write_published_fixture(path: Path) -> Path:
    con = duckdb.connect(str(path))
    try:
        load_catalogue(con)
        write_reference(con, AS_OF)
        con.execute("create schema marts")
        catalogue_sql = (SQL_DIR / "marts" / "indicator_catalogue.sql").read_text("utf-8")
        con.execute(f"create table marts.indicator_catalogue as {catalogue_sql}")
        con.execute("create schema meta")
        con.execute(
            "create table meta.build as select 'fixture0002'::varchar as build_id, "
            "date '2026-11-30' as as_of, 'manifest'::varchar as as_of_source, "
            "'2026-11'::varchar as period, 'hand-made'::varchar as source_system, "
            "date '2026-11-15' as coverage_repeat_crimes, "
            "date '2026-10-31' as coverage_health_use, '2026/27'::varchar as "
            "price_base_year, '0.1.0'::varchar as hubvalue_version, "
            "timestamp '2026-12-01 09:00:00' as built_at")
        catalogue = con.execute("select * from marts.indicator_catalogue").df()
        periods = pd.DataFrame([{
            "period": label, "first_month": parse(label).first, "last_month": parse(label).last,
            "status": "published", "releases": 1, "first_build_id": "fixture0002",
            "last_kind": "first", "audit": "passed"} for label in QUARTERS])
        release = pd.DataFrame([{
            "build_id": "fixture0002", "as_of": AS_OF, "released_at": dt.datetime(2026, 12, 1),
            "status": "published", "quarters": QUARTERS, "refused": [], "audit": "passed",
            "tables": 0, "cells": 0, "hidden": 0, "archive": "", "rules": "hand-made",
            "methods": "hand-made", "parameters_note": "hand-made"}])
        write_schema(con, {"release": release, "periods": periods,
                           "indicator_quarter": _indicator_rows(catalogue)})
        con.execute("checkpoint")
        return path
    finally:
        con.close()


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return write_published_fixture(tmp_path_factory.mktemp("pubtheme") / "w.duckdb")


@pytest.fixture(scope="module")
def catalogue(release) -> pd.DataFrame:
    con = duckdb.connect(str(release), read_only=True)
    try:
        return con.execute("select * from published.catalogue").df()
    finally:
        con.close()


def _plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _window(entry) -> int | str:
    return int(entry["censor_days"]) if not pd.isna(entry["censor_days"]) else "6m"


def _expected_latest(indicator: str, label: str) -> tuple[str, str] | None:
    """By hand, from COHORTS: (quarter label, figure as published) of the latest earlier
    quarter that is measurable (published or hidden), or None."""
    statuses = COHORTS[indicator]
    for i in range(QUARTERS.index(label) - 1, -1, -1):
        status, _numerator, _denominator, value = statuses[i]
        if status in ("ok", "suppressed"):
            return QUARTERS[i], value
    return None


def _open_tab(monkeypatch, db: Path, theme: str, quarter: str, tab: str) -> AppTest:
    monkeypatch.setenv("HUBVALUE_DB", str(db))
    monkeypatch.setenv("HUBVALUE_AUDIENCE", "public")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["quarter"] = quarter
    at.query_params[f"{theme}_section"] = tab
    at.switch_page(f"views/{theme}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _charts(at: AppTest) -> dict[str, str]:
    """Each chart's headline (from '#### ') with the text under it, by headline."""
    out, current = {}, None
    for block in at.markdown:
        text = _plain(str(block.value))
        if text.startswith("#### "):
            current = text.removeprefix("#### ")
            out[current] = ""
        elif current is not None:
            out[current] += "\n" + text
    return out


TAB = {"medium": "3 to 12 months after", "long": "A year and more after"}


def test_the_public_theme_pages_give_the_latest_published_quarter(monkeypatch, release,
                                                                    catalogue):
    checked = {"latest": 0, "hidden": 0, "none_yet": 0}
    cohorts = catalogue[catalogue["indicator_id"].isin(list(COHORTS))]
    assert len(cohorts) == len(COHORTS)
    for theme in THEMES:
        mine = cohorts[cohorts["theme"] == theme]
        for horizon in sorted(set(mine["horizon"])):
            for label in QUARTERS:
                waiting = [e for e in mine[mine["horizon"] == horizon].to_dict("records")
                           if COHORTS[e["indicator_id"]][QUARTERS.index(label)][0] == N]
                # a tab is opened where a cell has an earlier measurable quarter to give
                if not any(_expected_latest(e["indicator_id"], label) for e in waiting):
                    continue
                charts = _charts(_open_tab(monkeypatch, release, theme, label, TAB[horizon]))
                for entry in waiting:
                    [(headline, text)] = [(h, t) for h, t in charts.items()
                                          if h.startswith(f"{entry['title']}: ")]
                    where = (theme, label, entry["indicator_id"])
                    assert headline.startswith(
                        f"{entry['title']}: not yet measurable for {parse(label).title()}"
                    ), where
                    matures = MATURES[(label, _window(entry))]
                    assert f"matures on {matures}" in text, where
                    found = _expected_latest(entry["indicator_id"], label)
                    if found is None:
                        checked["none_yet"] += 1
                        assert "latest measurable quarter" not in headline, where
                        assert "No quarter published so far is measurable." in text, where
                        continue
                    quarter, value = found
                    shown = ("[c]" if value is None
                             else f"£{value:,.0f}" if entry["unit"] == "gbp"
                             else f"{value:.1%}" if entry["unit"] == "rate"
                             else f"{value:g}")
                    words = f"latest measurable quarter, {parse(quarter).title()}: {shown}"
                    assert headline.endswith(f"; {words}"), (where, headline)
                    assert f"{words[0].upper()}{words[1:]}" in text, where
                    checked["hidden" if value is None else "latest"] += 1
    # the hand-made release has each kind of cell on the pages
    assert checked == {"latest": 12, "hidden": 6, "none_yet": 2}, checked


def test_the_headlines_by_hand(monkeypatch, release):
    """Two charts, word for word."""
    charts = _charts(_open_tab(monkeypatch, release, "wellbeing", "2026/27-Q2",
                               TAB["medium"]))
    assert ("People whose wellbeing gain lasted 3 to 12 months after support: not yet "
            "measurable for July to September 2026 (2026/27 Q2); latest measurable quarter, "
            "July to September 2025 (2025/26 Q2): [c]") in charts
    assert ("People back to daily life 3 to 12 months after support: not yet measurable "
            "for July to September 2026 (2026/27 Q2); latest measurable quarter, July to "
            "September 2025 (2025/26 Q2): 75.0%") in charts
    [text] = [t for h, t in charts.items() if h.startswith("People back to daily life")]
    assert ("Not yet measurable for Jul 2026 to Sep 2026; matures on 30 September 2027. "
            "Latest measurable quarter, July to September 2025 (2025/26 Q2): 75.0%.") in text
    # no earlier quarter measurable: the status, when it matures, and that none is yet
    charts = _charts(_open_tab(monkeypatch, release, "wellbeing", "2026/27-Q2",
                               TAB["long"]))
    [(headline, text)] = [(h, t) for h, t in charts.items()
                          if h.startswith("People whose wellbeing gain lasted beyond a year")]
    assert headline.endswith("not yet measurable for July to September 2026 (2026/27 Q2)")
    assert ("Not yet measurable for Jul 2026 to Sep 2026; matures on 29 September 2028. No "
            "quarter published so far is measurable.") in text


def test_the_public_data_table_dates_a_quarter_by_its_last_month(catalogue):
    """The download under a public chart: a quarter not yet measurable matures when its
    last month does (30 Sep 2026 + 365 days), not its first (31 Jul 2026 + 365 days)."""
    from dashboard.theme import data_table

    [entry] = catalogue[catalogue["indicator_id"] == "wellbeing_sustained_3_12m"].to_dict(
        "records")
    rows = pd.DataFrame({
        "period_start": [dt.date(2025, 7, 1), dt.date(2026, 7, 1)],
        "status": ["suppressed", N], "numerator": [None, None], "denominator": [None, None],
        "value": [None, None], "ci_low": [None, None], "ci_high": [None, None],
        "value_low": [None, None], "value_high": [None, None]})
    assert list(data_table(rows, "rate", entry, 3)["matures_on"]) == ["", "2027-09-30"]
    assert list(data_table(rows, "rate", entry)["matures_on"]) == ["", "2027-07-31"]
