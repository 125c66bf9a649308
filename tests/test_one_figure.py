"""One figure (spec evidence.md section 1, issue 11 item 7): for one indicator, period and
audience, every surface shows the same text, or a label that names the months it counts.

One generated hub (600 referrals, 36 months to November 2026, as of 30 November 2026) is
built once. Sampled periods, one or two of each type, every audience it applies to:

| period type | period | dashboard audiences | report |
|---|---|---|---|
| month | 2025-06 | manager, pcc | manager pack |
| quarter | 2025/26-Q1 (all measurable) | manager, pcc, public | manager pack, PCC review, public bulletin |
| quarter | 2026/27-Q2 (recent: cohorts still open) | manager, pcc, public | manager pack, PCC review, public bulletin |
| financial year | 2024/25 | manager, pcc | manager pack, PCC review |
| custom range | Dec 2025 to Nov 2026 (the dashboard's default 12 months) | manager, pcc | none: no report covers a range |

Not sampled: the PCC review of a month (on this hub `build_report` refuses June 2025: its
characteristic release fails its audit, one age band holding everyone in a breakdown;
an open question outside this test), a public month, year or range (the
public dashboard and bulletin show published quarters only: `metrics.queries`,
`metrics.report.periods`).

The dashboard's figure is `Figure.value_text()` (`dashboard.indicators.figures` on the
`indicator_summary` query, as the scorecard cards and the theme pages draw it) with its
coverage label (`coverage_text`: "n of N months measurable"). Against it, for every
indicator of the catalogue:

* the scorecard's CSV download (`scorecard.table` through `ui.csv_bytes`, read back),
  each theme page's chart headline (`headlines.headline`) and, for a month (the public: a
  quarter), the period's row of the chart's CSV download (`theme.data_table`), for the
  indicators on them;
* the manager pack's "whole hub" tables: every indicator but `reach_ratio` (the pack
  leaves the reach ratio to the equity page; skipped explicitly);
* the PCC review: its scorecard cells (the three themes' indicators), its rates tables
  (the themes' rates and the four timeliness standards) and its value-for-money table;
  the other operations indicators and the equity ones are not in the review (skipped
  explicitly, listed in `PCC_LEAVES_OUT`);
* the public bulletin: its outcome tables (base and people with the outcome), homes
  made safer, enhanced rights and the value-for-money table; the indicators it leaves out
  (`PUBLIC_LEAVES_OUT`: survey-level and modelled figures, operations counts) are skipped
  explicitly. Its outcome rates read as the public dashboard writes them (one decimal).
* the value-for-money page (manager and pcc): its recomputed central figures equal the
  scorecard's when it counts the same months as the indicator does, and its label names
  the months it counts whenever they are not the period's months, and each month it
  leaves out with that month's status (one case through the page itself, under AppTest).

Manager and PCC dashboards must also show the same hub figures (the pcc audience controls
sensitive cuts only). By agency (a quarter and a year, manager): the scorecard filtered
to each agency, the theme pages' split by agency and the manager pack's agency sections
agree. Not compared by agency: the PCC review's agency tables, which count people
(distinct victims, disclosure-controlled) where the indicators count referrals, as the
review says.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from dashboard import headlines, scorecard, theme
from dashboard.indicators import figures, with_intervals
from dashboard.ui import csv_bytes
from metrics import formatting as fmt
from metrics import queries as q
from metrics import valuation
from metrics.contract import AGENCIES
from metrics.period import Period, month_range
from metrics.report import build_report, render
from metrics.report.periods import parse_period
from metrics.report.public import MONEY_ROWS, THEME_SECTIONS, WORDS
from tests.report_support import html_tables

MONTH, QUARTER, RECENT_QUARTER, YEAR = "2025-06", "2025/26-Q1", "2026/27-Q2", "2024/25"
CUSTOM = (dt.date(2025, 12, 1), dt.date(2026, 11, 1))
PERIODS = {"month": MONTH, "quarter": QUARTER, "recent_quarter": RECENT_QUARTER,
           "year": YEAR, "custom": CUSTOM}
DASHBOARD = [(a, k) for a in ("manager", "pcc") for k in PERIODS] + [
    ("public", "quarter"), ("public", "recent_quarter")]
REPORTS = {
    "manager": ("month", "quarter", "recent_quarter", "year"),
    "pcc": ("quarter", "recent_quarter", "year"),
    "public": ("quarter", "recent_quarter"),
}
THEME_PAGES = ("wellbeing", "prevention", "nhs_demand")
TIMELINESS = ("police_referral_2wd", "first_contact_2wd", "agency_accepted_5wd",
              "mental_health_seen_10wd")
MANAGER_LEAVES_OUT = {"reach_ratio"}
PCC_LEAVES_OUT = {
    "assessment_to_agency_days", "agency_declined", "open_cases", "referrals_received",
    "referrals_contacted", "referrals_assessed", "referrals_supported", "referrals_completed",
    "referrals_declined", "referrals_unable_to_contact", "satisfaction", "goals_achieved",
    "follow_up_coverage_3_12m", "follow_up_coverage_12m_plus", "reach_ratio",
    "enhanced_rights_share", "multi_agency_share", "redirect_resolved_10wd",
    "listened_to_at_exit",
}
PUBLIC_LEAVES_OUT = {
    "repeat_victims_prevented_estimate",
    "nhs_contacts_change", "assessment_to_agency_days", "agency_declined", "open_cases",
    "referrals_received", "referrals_contacted", "referrals_assessed", "referrals_supported",
    "referrals_completed", "referrals_declined", "referrals_unable_to_contact",
    "satisfaction", "goals_achieved", "follow_up_coverage_3_12m",
    "follow_up_coverage_12m_plus", "reach_ratio", "multi_agency_share",
    "redirect_resolved_10wd", "listened_to_at_exit",
}
VFM_COMPONENTS = {"wellbeing_social_value_gbp": "wellbeing", "nhs_cost_avoided_gbp": "nhs",
                  "crime_cost_avoided_gbp": "crime_cost_avoided",
                  "public_value_total_gbp": "total"}


# --- the hub and what each surface shows ------------------------------------------------------


@pytest.fixture(scope="module")
def hub(small_hub):
    con = q.connect(small_hub)
    yield Surfaces(con, small_hub)
    con.close()


def period_of(kind: str) -> Period:
    chosen = PERIODS[kind]
    return month_range(*chosen) if isinstance(chosen, tuple) else parse_period(chosen)


class Surfaces:
    """Each surface's reads, made once per (audience, period)."""

    def __init__(self, con, db: Path):
        self.con, self.db = con, db
        self.summary = functools.cache(self._summary)
        self.figures = functools.cache(self._figures)
        self.report = functools.cache(self._report)
        self.monthly = functools.cache(self._monthly)

    def filters(self, kind: str) -> q.Filters:
        chosen = period_of(kind)
        return q.Filters(chosen.first, chosen.last)

    def catalogue(self, audience: str) -> pd.DataFrame:
        return q.QUERIES["catalogue"].function(self.con, audience, q.Filters())

    def _summary(self, audience: str, kind: str) -> pd.DataFrame:
        return q.QUERIES["indicator_summary"].function(self.con, audience, self.filters(kind))

    def _figures(self, audience: str, kind: str) -> dict:
        return figures(self.summary(audience, kind), self.catalogue(audience))

    def _report(self, audience: str, kind: str) -> dict[str, list[list[str]]]:
        return html_tables(render.html(build_report(self.con, audience, PERIODS[kind])))

    def _monthly(self, audience: str, kind: str) -> pd.DataFrame:
        """The hub's monthly indicator rows of the period (the trend query)."""
        chosen = period_of(kind)
        trend = q.QUERIES["indicator_trend"].function(self.con, audience, self.filters(kind))
        start = pd.to_datetime(trend["period_start"])
        return trend[(start >= pd.Timestamp(chosen.first)) & (start <= pd.Timestamp(chosen.last))]


def shown(figure) -> tuple[str, str]:
    """What the dashboard shows for a figure: its text and its coverage label."""
    return figure.value_text(), figure.coverage_text()


def titled(table: list[list[str]], title: str) -> tuple[list[str], str]:
    """The row whose first cell is `title` or `title (note)`, and the note."""
    hits = [(row, row[0][len(title):].strip()) for row in table[1:]
            if row[0] == title or row[0].startswith(title + " (")]
    assert len(hits) == 1, (title, [row[0] for row in table])
    row, note = hits[0]
    return row, note[1:-1] if note else ""


def cell_text(figure) -> str:
    """A report cell's text for the figure: its value, or its status as a table cell
    writes it (`[c]` where disclosure control hid it)."""
    return figure.value_text() if figure.shown else fmt.status_cell(figure.status)


# --- the dashboard's own surfaces -------------------------------------------------------------


@pytest.mark.parametrize(("audience", "kind"), DASHBOARD)
def test_the_scorecard_download_and_the_theme_pages_carry_the_scorecard_figure(
        hub, audience, kind):
    by_id = hub.figures(audience, kind)
    catalogue = hub.catalogue(audience)
    chosen = period_of(kind)
    view = SimpleNamespace(period=chosen)
    trend = q.QUERIES["indicator_trend"].function(hub.con, audience, hub.filters(kind))
    cards = scorecard.build(catalogue, hub.summary(audience, kind), trend, pd.DataFrame(), view)
    download = list(csv.DictReader(io.StringIO(csv_bytes(scorecard.table(cards)).decode())))
    on_scorecard = catalogue[catalogue["theme"].isin(THEME_PAGES)]
    assert len(download) == len(on_scorecard) > 0
    for row in download:
        [indicator] = on_scorecard.loc[on_scorecard["title"] == row["indicator"], "indicator_id"]
        figure = by_id[indicator]
        if figure.shown:
            assert row["status"] == "ok"
            assert fmt.value_text(float(row["value"]), row["unit"]) == figure.value_text(), (
                indicator)
        else:
            assert (row["status"], row["value"]) == (figure.value_text(), ""), indicator
    # a trend chart's download holds one row per month (per quarter for the public): for
    # a one-month period (a public quarter) its row of the period is the figure
    one_step = len(chosen.month_list) == 1 or audience == "public"
    for page in THEME_PAGES:
        for entry in theme.theme_entries(catalogue, page).to_dict("records"):
            figure = by_id[entry["indicator_id"]]
            title = headlines.headline(figure, "the period")
            if figure.shown:
                assert f": {figure.value_text()}" in title, (entry["indicator_id"], title)
            elif figure.status != "suppressed":
                assert f": {figure.value_text().lower()} for" in title, title
            if one_step:
                rows = theme.data_table(theme.trend_rows(trend, entry["indicator_id"]),
                                        entry["unit"])
                [row] = [r for r in csv.DictReader(io.StringIO(csv_bytes(rows).decode()))
                         if r["period_start"] == chosen.first.strftime("%Y-%m")]
                assert row["status"] == figure.status, entry["indicator_id"]
                if figure.shown:
                    assert fmt.value_text(float(row["value"]), entry["unit"]) == (
                        figure.value_text()), entry["indicator_id"]


@pytest.mark.parametrize("kind", list(PERIODS))
def test_the_manager_and_the_pcc_dashboards_show_the_same_hub_figures(hub, kind):
    manager, pcc = hub.figures("manager", kind), hub.figures("pcc", kind)
    assert set(manager) == set(pcc)
    assert {i: shown(f) for i, f in pcc.items()} == {i: shown(f) for i, f in manager.items()}


# --- the reports ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", REPORTS["manager"])
def test_the_manager_pack_shows_the_dashboard_figure(hub, kind):
    by_id = hub.figures("manager", kind)
    tables = hub.report("manager", kind)
    catalogue = hub.catalogue("manager")
    compared = 0
    for entry in catalogue.to_dict("records"):
        indicator = entry["indicator_id"]
        if indicator in MANAGER_LEAVES_OUT:
            assert not any(r[0].startswith(entry["title"]) for k, t in tables.items()
                           if k.startswith("glance_all_") for r in t[1:])
            continue
        row, note = titled(tables[f"glance_all_{entry['theme']}"], entry["title"])
        figure = by_id[indicator]
        assert (row[1], note) == (cell_text(figure), figure.coverage_text()), indicator
        compared += 1
    assert compared == len(catalogue) - len(MANAGER_LEAVES_OUT)


def _pcc_scorecard_parts(table: list[list[str]]) -> list[str]:
    return [part for row in table[1:] for cell in row[1:] for part in cell.split("\n")]


@pytest.mark.parametrize("kind", REPORTS["pcc"])
def test_the_pcc_review_shows_the_dashboard_figure(hub, kind):
    by_id = hub.figures("pcc", kind)
    tables = hub.report("pcc", kind)
    catalogue = hub.catalogue("pcc").set_index("indicator_id")
    parts = _pcc_scorecard_parts(tables["scorecard"])
    seen = set()
    for indicator, entry in catalogue.iterrows():
        figure = by_id[indicator]
        text, note = cell_text(figure), figure.coverage_text()
        if entry["theme"] in THEME_PAGES:  # a scorecard cell: "<title>: <figure>[; ...]"
            [part] = [p for p in parts if p.startswith(entry["title"] + ": ")]
            rest = part[len(entry["title"]) + 2:]
            assert rest == text or rest.startswith((text + " ", text + ";")), (indicator, rest)
            # the coverage label closes the cell; a change may read "not comparable: n of N
            # months measurable" (evidence.md, section 3)
            assert rest.endswith(f"({note})") if note else not rest.endswith("measurable)")
            seen.add(indicator)
        if entry["unit"] == "rate" and (entry["theme"] in THEME_PAGES or indicator in TIMELINESS):
            key = "timeliness" if indicator in TIMELINESS else entry["theme"]
            row, row_note = titled(tables[f"rates_{key}"], entry["title"])
            assert (row[1], row_note) == (text, note), indicator
            seen.add(indicator)
        if entry["unit"] in ("gbp", "ratio") and entry["theme"] != "equity":
            row, _ = titled(tables["value_for_money"], entry["title"])
            central = row[2] if figure.shown else row[1]
            assert (central, row[4] if figure.shown else "") == (text, note), indicator
            seen.add(indicator)
    assert set(catalogue.index) - seen == PCC_LEAVES_OUT


@pytest.mark.parametrize("kind", REPORTS["public"])
def test_the_public_bulletin_shows_the_public_dashboard_figure(hub, kind):
    by_id = hub.figures("public", kind)
    tables = hub.report("public", kind)
    seen = set()
    for key, _heading, indicators in THEME_SECTIONS:
        for indicator in indicators:
            row, _ = titled(tables[f"outcomes_{key}"], WORDS[indicator][0])
            figure = by_id[indicator]
            if figure.shown:
                assert row[1:3] == [fmt.count(figure.denominator), fmt.count(figure.numerator)], (
                    indicator)
            elif figure.status == "suppressed":  # the counts that give it away are hidden too
                assert row[3] == fmt.SUPPRESSED_MARK, indicator
            else:
                assert row[1:] == ["", "", cell_text(figure)], indicator
            seen.add(indicator)
    homes = by_id["homes_made_safer"]
    assert tables["homes_made_safer"][1][1] == cell_text(homes)
    seen.add("homes_made_safer")
    rights = by_id["enhanced_rights_share"]
    if rights.shown:
        assert tables["enhanced_rights"][1][1:3] == [
            fmt.count(rights.denominator), fmt.count(rights.numerator)]
    else:
        assert "enhanced_rights" not in tables
    seen.add("enhanced_rights_share")
    money = {row[0]: row[1:] for row in tables["value_for_money"][1:]}
    labels = [*MONEY_ROWS, ("value_per_pound", "Public value per £1 of funding")]
    for indicator, label in labels:
        figure = by_id[indicator]
        assert money[label][1 if figure.shown else 0] == cell_text(figure), indicator
        seen.add(indicator)
    assert set(by_id) - seen == PUBLIC_LEAVES_OUT


@pytest.mark.parametrize("kind", REPORTS["public"])
def test_the_public_bulletin_rates_read_as_the_public_dashboard_writes_them(hub, kind):
    by_id = hub.figures("public", kind)
    tables = hub.report("public", kind)
    for key, _heading, indicators in THEME_SECTIONS:
        for indicator in indicators:
            row, _ = titled(tables[f"outcomes_{key}"], WORDS[indicator][0])
            assert row[3] == cell_text(by_id[indicator]), indicator


# --- value for money --------------------------------------------------------------------------


@pytest.mark.parametrize("audience", ["manager", "pcc"])
@pytest.mark.parametrize("kind", list(PERIODS))
def test_value_for_money_agrees_with_the_scorecard_or_names_the_months_it_counts(
        hub, audience, kind):
    chosen = period_of(kind)
    frame = q.QUERIES["valuation_inputs"].function(hub.con, audience, hub.filters(kind))
    inputs = valuation.inputs_from(frame)
    params = q.QUERIES["parameters"].function(hub.con, audience, q.Filters())
    result = valuation.compute(inputs, valuation.settings(params, "central"))
    by_id = hub.figures(audience, kind)
    monthly = hub.monthly(audience, kind)
    months = len(chosen.month_list)
    counted = {pd.Timestamp(m).date() for m in inputs.months}
    label = valuation.months_counted(inputs, months)
    if not counted:
        # the page shows the scorecard's status instead of any recomputed figure
        assert label == f"none of the period's {months} months has every component measurable"
        assert not by_id["public_value_total_gbp"].shown
    elif counted != set(chosen.month_list):
        # each month left out is named with the total's status that month, as the
        # scorecard's monthly rows hold it ("nobody in the base" is not "not yet measurable")
        total = monthly[monthly["indicator_id"] == "public_value_total_gbp"]
        why = {pd.Timestamp(m).date(): s for m, s in zip(total["period_start"],
                                                         total["status"], strict=True)}
        left_out = sorted(set(chosen.month_list) - counted)
        groups = [(fmt.status_label(status).lower(),
                   fmt.month_words([m for m in left_out if why[m] == status]))
                  for status in ("no_data", "not_yet_measurable", "empty_base")
                  if any(why[m] == status for m in left_out)]
        assert label == (
            f"counts {len(counted)} of the period's {months} months "
            f"({fmt.month_words(sorted(counted))}), where every component is measurable; "
            + "; ".join(f"left out, {words}: {named}" for words, named in groups)), label
    agreed = 0
    for indicator, component in VFM_COMPONENTS.items():
        rows = monthly[(monthly["indicator_id"] == indicator) & (monthly["status"] == "ok")]
        ok_months = {pd.Timestamp(m).date() for m in rows["period_start"]}
        figure = by_id[indicator]
        if ok_months == counted and figure.shown:
            assert fmt.gbp(getattr(result, component)) == figure.value_text(), indicator
            agreed += 1
    if counted == set(chosen.month_list):
        assert agreed == len(VFM_COMPONENTS)


def test_value_for_money_names_why_each_month_is_left_out():
    """Hand-made inputs: January counts; February has nobody in the wellbeing base;
    March's NHS window has not closed (and nobody is in its wellbeing base)."""
    jan, feb, mar = (pd.Timestamp(f"2026-0{m}-01") for m in (1, 2, 3))
    rows = [(m, "status", i, s) for m, i, s in [
        (jan, "wellbeing_social_value_gbp", "ok"), (jan, "nhs_cost_avoided_gbp", "ok"),
        (feb, "wellbeing_social_value_gbp", "empty_base"), (feb, "nhs_cost_avoided_gbp", "ok"),
        (mar, "wellbeing_social_value_gbp", "empty_base"),
        (mar, "nhs_cost_avoided_gbp", "not_yet_measurable")]]
    rows += [(m, "funding", "all", "ok") for m in (jan, feb, mar)]
    frame = pd.DataFrame(rows, columns=["month", "component", "item", "status"]).assign(
        amount=1.0, referrals=1)
    inputs = valuation.inputs_from(frame)
    assert inputs.months == (jan,)
    assert valuation.months_counted(inputs, 3) == (
        "counts 1 of the period's 3 months (Jan 2026), where every component is measurable; "
        "left out, not yet measurable: Mar 2026; left out, nobody in the base: Feb 2026")


def test_the_value_for_money_page_shows_its_figure_with_the_months_it_counts(
        hub, monkeypatch):
    """The page itself (Streamlit AppTest, manager, financial year 2024/25): its headline
    is the scorecard's total where both count the same months, and its caption names them.
    (The year's total counts 8 of its 12 months; the other 4 have nobody in a base.)"""
    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
    monkeypatch.setenv("HUBVALUE_DB", str(hub.db))
    monkeypatch.setenv("HUBVALUE_AUDIENCE", "manager")
    at = AppTest.from_file(app, default_timeout=60)
    at.query_params["period"] = "Financial year"
    at.query_params["year"] = YEAR
    at.run()
    at.switch_page("views/value_for_money.py").run()
    assert not at.exception
    inputs = valuation.inputs_from(
        q.QUERIES["valuation_inputs"].function(hub.con, "manager", hub.filters("year")))
    total = hub.figures("manager", "year")["public_value_total_gbp"]
    assert 0 < len(inputs.months) < 12 and total.coverage_text() == (
        f"{len(inputs.months)} of 12 months measurable")
    [headline] = [m for m in at.metric if m.label == "Projected public value"]
    assert headline.value == total.value_text()
    captions = "\n".join(c.value for c in at.caption)
    assert valuation.months_counted(inputs, 12) in captions
    assert "left out, nobody in the base: " in captions


@pytest.mark.parametrize("kind", ["quarter", "year"])
def test_the_manager_pack_shows_each_agency_figure_as_the_dashboard(hub, kind):
    """Each agency: the scorecard filtered to it, the theme pages' split by agency and the
    pack's section for it. The pack leaves out an indicator without a value in any of its
    three periods and names it in the section's text instead (checked: it has none here)."""
    tables = hub.report("manager", kind)
    catalogue = hub.catalogue("manager")
    catalogue = catalogue[catalogue["has_agency_rows"].astype(bool)]
    by_agency = q.QUERIES["indicator_by_agency"].function(hub.con, "manager", hub.filters(kind))
    split = {(r["indicator_id"], r["agency"]): r
             for r in with_intervals(by_agency).to_dict("records")}
    compared = 0
    for agency in AGENCIES:
        chosen = period_of(kind)
        filters = q.Filters(chosen.first, chosen.last, agency)
        summary = q.QUERIES["indicator_summary"].function(hub.con, "manager", filters)
        by_id = figures(summary, catalogue)
        for entry in catalogue.to_dict("records"):
            indicator, figure = entry["indicator_id"], by_id[entry["indicator_id"]]
            row = split.get((indicator, agency))
            if row is not None:  # the theme page's bar for the agency
                assert row["status"] == figure.status, (agency, indicator)
                if figure.shown:
                    assert fmt.value_text(row["value"], entry["unit"]) == figure.value_text()
            table = tables.get(f"glance_{agency}_{entry['theme']}")
            titles = [r[0] for r in table[1:]] if table else []
            if not any(t == entry["title"] or t.startswith(entry["title"] + " (")
                       for t in titles):
                assert not figure.shown, (agency, indicator)
                continue
            cells, note = titled(table, entry["title"])
            assert (cells[1], note) == (cell_text(figure), figure.coverage_text()), (
                agency, indicator)
            compared += 1
    assert compared > len(AGENCIES) * 10
