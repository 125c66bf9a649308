"""Issue 13 items 1-3 on a generated hub (600 referrals, Dec 2023 to Nov 2026, as of 30
November 2026, manifest coverage: health_use to 31 Oct 2026, repeat_crimes to 15 Nov
2026), for the dashboard's default view (Dec 2025 to Nov 2026), each of the last 8
financial quarters and the last 3 financial years:

* no scorecard cell of a cohort indicator shows only a status where a measurable cohort
  of the same length exists (enumerated here from the monthly statuses, independently of
  `metrics.maturity`), and the scorecard download, the theme headline, the manager pack
  and the PCC review name it;
* every arrow (scorecard, theme headline) and every "moved the wrong way" line of the
  manager pack is beyond noise, recomputed here from the monthly rows with a Wilson /
  Newcombe interval and an exact binomial sum written out in this file;
* every matures-on date is the hand-computed one (month ends, leap years, the manifest's
  coverage dates).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from types import SimpleNamespace

import pandas as pd
import pytest

from dashboard import headlines, period_cells, scorecard, theme
from dashboard.ui import csv_bytes
from metrics import queries as q
from metrics.contract import AGENCIES
from metrics.period import add_months, month_range, parse, quarter_options, year_options
from metrics.report import build_report, data, period_rows, render
from metrics.report.content import Context

D = dt.date
AS_OF = D(2026, 11, 30)
DEFAULT = month_range(D(2025, 12, 1), D(2026, 11, 1))
QUARTERS = quarter_options(D(2023, 12, 1), D(2026, 11, 1))[:8]
YEARS = year_options(D(2023, 12, 1), D(2026, 11, 1))[:3]
PERIODS = [DEFAULT, *(parse(p) for p in QUARTERS), *(parse(p) for p in YEARS)]
MEASURED = ("ok", "empty_base")
Z = 1.959963984540054

# the first as-of date at which the period's last month is measurable, by the window:
# 365 or 730 days after the month's last day, or 6 calendar months (NHS), worked by hand
MATURES = {
    "2025-12..2026-11": {365: D(2027, 11, 30), 730: D(2028, 11, 29), "6m": D(2027, 5, 30)},
    "2026/27-Q3": {365: D(2027, 12, 31), 730: D(2028, 12, 30), "6m": D(2027, 6, 30)},
    "2026/27-Q2": {365: D(2027, 9, 30), 730: D(2028, 9, 29), "6m": D(2027, 3, 30)},
    "2026/27-Q1": {365: D(2027, 6, 30), 730: D(2028, 6, 29), "6m": D(2026, 12, 30)},
    "2025/26-Q4": {365: D(2027, 3, 31), 730: D(2028, 3, 30)},  # 29 Feb 2028 between
    "2025/26-Q3": {365: D(2026, 12, 31), 730: D(2027, 12, 31)},
    "2025/26-Q2": {730: D(2027, 9, 30)},
    "2025/26-Q1": {730: D(2027, 6, 30)},
    "2024/25-Q4": {730: D(2027, 3, 31)},
    "2026/27": {365: D(2028, 3, 30), 730: D(2029, 3, 30), "6m": D(2027, 9, 30)},
    "2025/26": {365: D(2027, 3, 31), 730: D(2028, 3, 30)},
    "2024/25": {730: D(2027, 3, 31)},
}
COVERAGE_WORDS = {"health_use": "once health_use data reach it (now 31 Oct 2026)",
                  "repeat_crimes": "once repeat_crimes data reach it (now 15 Nov 2026)"}


@pytest.fixture(scope="module")
def con(small_hub):
    connection = q.connect(small_hub)
    yield connection
    connection.close()


def _load(con, period, agency="all"):
    filters = q.Filters(period.first, period.last, agency)
    run = {name: q.QUERIES[name].function for name in
           ("indicator_summary", "indicator_trend", "catalogue", "build_info")}
    build_row = run["build_info"](con, "manager", filters).iloc[0].to_dict()
    return SimpleNamespace(
        summary=run["indicator_summary"](con, "manager", filters),
        trend=run["indicator_trend"](con, "manager", filters),
        catalogue=run["catalogue"](con, "manager", filters),
        view=SimpleNamespace(period=period, audience="manager", build=tuple(build_row.items())),
        build=build_row,
    )


def _cards(loaded) -> dict[str, scorecard.Card]:
    cards = scorecard.build(loaded.catalogue, loaded.summary, loaded.trend, pd.DataFrame(),
                            loaded.view)
    return {card.figure.indicator_id: card for items in cards.values() for card in items}


def _is_cohort(entry) -> bool:
    return any(not pd.isna(entry.get(c)) and entry.get(c) for c in ("censor_days",
                                                                      "censor_months"))


def _window(entry) -> int | str:
    return "6m" if not pd.isna(entry["censor_months"]) and entry["censor_months"] else int(
        entry["censor_days"])


def _months(trend: pd.DataFrame, indicator: str) -> dict[dt.date, dict]:
    rows = trend[trend["indicator_id"] == indicator]
    return {pd.Timestamp(r["period_start"]).date(): r for r in rows.to_dict("records")}


def _latest_window(months: dict, length: int, last: dt.date) -> tuple | None:
    """Independently: the latest run of `length` months ending on or before `last`, each
    ok or nobody in the base, at least one ok."""
    month = last
    while months and month >= min(months):
        window = [add_months(month, -i) for i in range(length)]
        statuses = [months[m]["status"] if m in months else None for m in window]
        if all(s in MEASURED for s in statuses) and "ok" in statuses:
            return window[-1], window[0]
        month = add_months(month, -1)
    return None


def _wilson(x: float, n: float) -> tuple[float, float]:
    p = x / n
    denominator = 1 + Z * Z / n
    centre = (p + Z * Z / (2 * n)) / denominator
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / denominator
    return centre - half, centre + half


def _beyond_noise(kind: str, months: dict, shown: tuple, earlier: tuple) -> int:
    """+1 / -1 when the change from `earlier` to `shown` (first, last months) is beyond
    noise by evidence.md section 3, worked out here; 0 otherwise."""
    def parts(first, last):
        # a month after the as-of month is not counted (the period counts the months it
        # has); one before the first referral month makes the change not comparable
        window = [m for m in month_range(first, last).month_list if m <= max(months)]
        if not window or any(m not in months or months[m]["status"] not in MEASURED
                             for m in window):
            return None
        ok = [months[m] for m in window if months[m]["status"] == "ok"]
        return (sum(r["numerator"] for r in ok), sum(r["denominator"] or 0 for r in ok),
                len(ok), month_range(first, last).months)

    now, before = parts(*shown), parts(*earlier)
    if now is None or before is None:
        return 0
    if kind == "rate":
        (x1, n1, *_), (x2, n2, *_) = now, before
        if not n1 or not n2:
            return 0
        p1, p2 = x1 / n1, x2 / n2
        (l1, u1), (l2, u2) = _wilson(x1, n1), _wilson(x2, n2)
        lower = p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        upper = p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
        return 1 if lower > 0 else -1 if upper < 0 else 0
    if kind == "count":
        if now[2] != now[3] or before[2] != before[3]:
            return 0
        x1, x2 = int(now[0]), int(before[0])
        n = x1 + x2
        if n == 0:
            return 0
        lower = sum(math.comb(n, k) for k in range(x1 + 1)) / 2 ** n
        upper = sum(math.comb(n, k) for k in range(x1, n + 1)) / 2 ** n
        p = min(1.0, 2 * min(lower, upper))
        return (1 if x1 > x2 else -1) if p < 0.05 else 0
    return 0  # money, sums, ratios, medians: never an arrow


def _shown_window(entry, status: str, months: dict, period) -> tuple | None:
    """The months of the figure a change is worked out for: the period's own, or where a
    cohort indicator's period is not yet measurable its latest measurable cohort."""
    if status == "ok":
        return period.first, period.last
    if _is_cohort(entry) and status == "not_yet_measurable":
        return _latest_window(months, period.months, period.last)
    return None


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.label)
def test_no_cohort_cell_shows_only_a_status_where_a_cohort_is_measurable(con, period):
    loaded = _load(con, period)
    cards = _cards(loaded)
    download = {row["indicator"]: row for row in csv.DictReader(io.StringIO(
        csv_bytes(scorecard.table(_grid(loaded))).decode()))}
    stood_in = 0
    for entry in loaded.catalogue.to_dict("records"):
        card = cards.get(entry["indicator_id"])
        if card is None or not _is_cohort(entry) or card.figure.shown:
            continue
        assert card.figure.status == "not_yet_measurable", entry["indicator_id"]
        found = _latest_window(_months(loaded.trend, entry["indicator_id"]), period.months,
                               period.last)
        cell = card.cell
        row = download[entry["title"]]
        headline = headlines.headline(card.figure, period.title(), cell)
        if found is None:
            assert cell.cohort is None and "no cohort of" in cell.no_cohort_text()
            assert row["latest_cohort_value"] == ""
            continue
        stood_in += 1
        assert (cell.cohort.first, cell.cohort.last) == found, entry["indicator_id"]
        assert row["latest_cohort_value"] != "" and row["latest_cohort_months"] == (
            cell.cohort_words())
        assert "latest measurable" in headline
    if period.last >= D(2025, 12, 1):
        assert stood_in >= 6  # the medium and long term cohorts at least


def _grid(loaded):
    return scorecard.build(loaded.catalogue, loaded.summary, loaded.trend, pd.DataFrame(),
                           loaded.view)


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.label)
def test_every_arrow_is_a_change_beyond_noise(con, period):
    loaded = _load(con, period)
    cards = _cards(loaded)
    arrows = 0
    for entry in loaded.catalogue.to_dict("records"):
        card = cards.get(entry["indicator_id"])
        if card is None:
            continue
        months = _months(loaded.trend, entry["indicator_id"])
        shown = _shown_window(entry, card.figure.status, months, period)
        expected = 0
        if shown is not None:
            length = month_range(*shown).months
            earlier = (add_months(shown[0], -length), add_months(shown[1], -length))
            expected = _beyond_noise(entry["kind"], months, shown, earlier)
        change, _words = period_cells.delta(card.cell)
        assert (change is not None) == (expected != 0), (entry["indicator_id"], change)
        if change is not None:
            arrows += 1
            assert card.cell.previous.arrow == expected
            assert change.startswith("+" if expected > 0 else "-")
        headline = headlines.headline(card.figure, period.title(), card.cell)
        moved = ", up " in headline or ", down " in headline
        assert moved == (expected != 0), headline
    assert arrows >= 0


# renders the manager pack for every month of the hub (17 s): make test-all
@pytest.mark.slow
def test_the_moved_the_wrong_way_lines_of_the_manager_pack_are_beyond_noise(con):
    """Every reportable quarter and year: each flagged (indicator, agency) recomputed
    against the previous period and the same period a year earlier."""
    build_info = data.build_info(con)
    flagged = 0
    for period in PERIODS:
        if period.kind == "range" or period.last > add_months(AS_OF.replace(day=1), 0):
            continue
        ctx = Context(con, period, build_info, data.catalogue(con))
        directions = dict(zip(ctx.catalogue["indicator_id"], ctx.catalogue["direction"],
                              strict=True))
        kinds = dict(zip(ctx.catalogue["indicator_id"], ctx.catalogue["kind"], strict=True))
        entries = {e["indicator_id"]: e for e in _load(con, period).catalogue.to_dict("records")}
        for agency in ("all", *AGENCIES):
            trend = _load(con, period, agency).trend
            for indicator, cell in ctx.cells(period, agency).items():
                reason = period_rows.wrong_way(cell)
                months = _months(trend, indicator)
                shown = _shown_window(entries[indicator], cell.status, months, period)
                worse = False
                for shift in (shown and month_range(*shown).months, 12):
                    if shown is None:
                        break
                    earlier = (add_months(shown[0], -shift), add_months(shown[1], -shift))
                    moved = _beyond_noise(kinds[indicator], months, shown, earlier)
                    sign = {"higher_is_better": 1, "lower_is_better": -1}.get(
                        directions[indicator], 0)
                    worse = worse or moved * sign < 0
                assert bool(reason) == worse, (period.label, agency, indicator, reason)
                flagged += bool(reason)
    assert flagged >= 0


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.label)
def test_every_matures_on_date_is_the_rules_date(con, period):
    loaded = _load(con, period)
    assert pd.Timestamp(loaded.build["as_of"]).date() == AS_OF
    assert pd.Timestamp(loaded.build["coverage_health_use"]).date() == D(2026, 10, 31)
    assert pd.Timestamp(loaded.build["coverage_repeat_crimes"]).date() == D(2026, 11, 15)
    cards = _cards(loaded)
    pending = 0
    for entry in loaded.catalogue.to_dict("records"):
        card = cards.get(entry["indicator_id"])
        if card is None or not _is_cohort(entry):
            continue
        cell = card.cell
        if card.figure.status != "not_yet_measurable":
            assert cell.matures is None and cell.maturity == ""
            continue
        pending += 1
        expected = MATURES[period.label][_window(entry)]
        assert cell.matures == expected, (entry["indicator_id"], period.label)
        words = f"matures on {expected.day} {expected.strftime('%b %Y')}"
        coverage = entry["coverage_table"] if isinstance(entry["coverage_table"], str) else ""
        limit = {"health_use": D(2026, 10, 31), "repeat_crimes": D(2026, 11, 15)}.get(coverage)
        if limit is not None and limit < expected:
            words += " " + COVERAGE_WORDS[coverage]
        assert cell.maturity == words
        row = next(r for r in csv.DictReader(io.StringIO(csv_bytes(
            scorecard.table(_grid(loaded))).decode())) if r["indicator"] == entry["title"])
        assert row["matures_on"] == expected.isoformat()
    assert pending == sum(1 for key in MATURES[period.label].values() if key) or pending > 0


def test_a_trend_download_gives_each_open_month_its_matures_on_date(con):
    loaded = _load(con, DEFAULT)
    nhs = loaded.catalogue[loaded.catalogue["censor_months"].fillna(0) > 0]
    entry = nhs.iloc[0]
    rows = theme.trend_rows(loaded.trend, entry["indicator_id"])
    table = theme.data_table(rows, entry["unit"], entry)
    by_month = dict(zip(table["period_start"], table["matures_on"], strict=True))
    # Aug 2026: 31 Aug + 6 months = 28 Feb 2027; Nov 2026: 30 May 2027; May 2025 measurable
    assert by_month["2026-08"] == "2027-02-28"
    assert by_month["2026-11"] == "2027-05-30"
    assert by_month["2025-05"] == ""


def test_the_reports_name_the_latest_cohort(con):
    manager = _tables(render.html(build_report(con, "manager", "2026/27-Q2")))
    pcc = _tables(render.html(build_report(con, "pcc", "2026/27-Q2")))
    cohort_rows = [r[0] for k, t in manager.items() if k.startswith("glance_all_")
                   for r in t[1:] if r[0].startswith(period_rows.COHORT_LABEL)]
    # Q2 (Jul to Sep 2026): the 3-month cohorts that have matured by 30 Nov 2026
    assert "Latest measurable cohort: people who closed Sep 2025 to Nov 2025; this period "\
           "matures on 30 Sep 2027" in cohort_rows
    assert "Latest measurable cohort: people referred Aug 2025 to Oct 2025; this period "\
           "matures on 30 Sep 2027 once repeat_crimes data reach it (now 15 Nov 2026)" in (
               cohort_rows)
    # an agency section keeps a cohort indicator whose three periods are all not yet
    # measurable (long term: Q2 2026, Q1 2026 and Q2 2025) when a cohort stands in
    lead = [r[0] for r in manager["glance_victim_support_wellbeing"][1:]]
    assert "Latest measurable cohort: people who closed Sep 2024 to Nov 2024; this period "\
           "matures on 29 Sep 2028" in lead
    # the PCC review compares with the previous quarter and the same quarter a year earlier
    rates = pcc["rates_wellbeing"]
    assert rates[0][-2:] == ["Change on the previous period", "Change on a year earlier"]
    medium = [r for r in rates[1:] if r[0].startswith(
        "Latest measurable cohort: people who closed Sep 2025 to Nov 2025")]
    assert medium and all(r[-2].endswith(("on Jun 2025 to Aug 2025", "points)"))
                          and "on Sep 2024 to Nov 2024" in r[-1] for r in medium)
    parts = [p for row in pcc["scorecard"][1:] for c in row[1:] for p in c.split("\n")]
    nhs = [p for p in parts if "people who closed Feb 2026 to Apr 2026" in p]
    assert nhs and all("matures on 30 Mar 2027 once health_use data reach it" in p
                       for p in nhs)


def _tables(page: str) -> dict[str, list[list[str]]]:
    from html.parser import HTMLParser

    class Tables(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.tables, self.key, self.row, self.cell = {}, None, None, None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "table":
                self.key = attrs.get("id") or attrs.get("data-key")
                self.tables[self.key] = []
            elif tag == "tr" and self.key is not None:
                self.row = []
                self.tables[self.key].append(self.row)
            elif tag in ("td", "th") and self.row is not None:
                self.cell = []

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cell is not None:
                self.row.append("".join(self.cell).strip())
                self.cell = None
            elif tag == "table":
                self.key = None

        def handle_data(self, text):
            if self.cell is not None:
                self.cell.append(text)

    parser = Tables()
    parser.feed(page)
    return parser.tables
