"""The public's latest measurable quarter of a cohort indicator and the date the chosen
quarter matures (`metrics.published.cohorts`), on hand-made published quarters, and the
same figures on the public scorecard's cells and the bulletin's outcome rows."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard import period_cells
from metrics.period import parse
from metrics.published import cohorts
from metrics.published.read import PublishedQuarter
from metrics.report import public

D = dt.date
RATE = {"indicator_id": "sustained", "unit": "rate", "censor_days": 365.0,
        "censor_months": float("nan"), "coverage_table": None}
NHS = {"indicator_id": "crisis", "unit": "rate", "censor_days": float("nan"),
       "censor_months": 6.0, "coverage_table": "health_use"}
MONEY = {"indicator_id": "nhs_money", "unit": "gbp", "censor_days": float("nan"),
         "censor_months": 6.0, "coverage_table": "health_use"}
OPEN = {"indicator_id": "open_cases", "unit": "count", "censor_days": None,
        "censor_months": None, "coverage_table": None}


def _quarter(label: str, tables: dict[str, int | None], rows: dict[str, tuple]
             ) -> PublishedQuarter:
    """A published quarter: its published totals (None: hidden [c]) and its indicator rows
    (status, value)."""
    cells = pd.DataFrame(
        [{"table_name": name, "dimension": "category", "category": "all", "count": count,
          "legend": ""} for name, count in tables.items()],
        columns=["table_name", "dimension", "category", "count", "legend"])
    indicators = pd.DataFrame(
        [{"indicator_id": i, "status": s, "value": v, "value_low": None, "value_high": None}
         for i, (s, v) in rows.items()],
        columns=["indicator_id", "status", "value", "value_low", "value_high"])
    return PublishedQuarter(parse(label), cells, indicators, pd.DataFrame(), pd.Series(),
                            pd.DataFrame(), pd.Series())


class Release:
    """`changes.Quarters` over hand-made quarters (None: not in the release)."""

    def __init__(self, quarters: dict[str, PublishedQuarter]):
        self.quarters = quarters

    def get(self, period):
        return self.quarters.get(period.label)


WAITING = ("not_yet_measurable", None)
# 2025/26-Q3: 10 of 15 (rounded, published); Q4: the people with the outcome hidden [c];
# 2026/27-Q1 and Q2: not yet measurable. The NHS rate: measurable to 2025/26-Q3 only.
RELEASE = Release({
    "2025/26-Q2": _quarter("2025/26-Q2", {"sustained_base": 20, "sustained_met": 15},
                           {"crisis": ("no_data", None), "nhs_money": ("ok", 900.0)}),
    "2025/26-Q3": _quarter("2025/26-Q3", {"sustained_base": 15, "sustained_met": 10,
                                          "crisis_base": 25, "crisis_met": 15},
                           {"nhs_money": ("ok", 4150.0)}),
    "2025/26-Q4": _quarter("2025/26-Q4", {"sustained_base": 20, "sustained_met": None},
                           {"crisis": WAITING, "nhs_money": ("suppressed", None)}),
    "2026/27-Q1": _quarter("2026/27-Q1", {}, {"sustained": WAITING, "crisis": WAITING,
                                              "nhs_money": WAITING}),
    "2026/27-Q2": _quarter("2026/27-Q2", {}, {"sustained": WAITING, "crisis": WAITING,
                                              "nhs_money": WAITING, "open_cases": ("ok", 5)}),
})
FIRST = parse("2025/26-Q2")
COVERAGE = {"health_use": D(2026, 10, 31), "repeat_crimes": D(2026, 11, 15)}


def _latest(entry, label="2026/27-Q2", release=RELEASE, first=FIRST):
    return cohorts.latest_measurable(release, first, parse(label), entry, COVERAGE)


def test_a_hidden_quarter_is_the_latest_measurable_and_prints_c():
    found = _latest(RATE)
    assert found.latest.period.label == "2025/26-Q4"
    assert found.latest.status == "suppressed" and found.latest.text("rate") == "[c]"
    # 30 Sep 2026 + 365 days
    assert found.matures == D(2027, 9, 30)
    assert found.text() == ("Not yet measurable; matures on 30 September 2027; latest "
                            "measurable quarter, January to March 2026 (2025/26 Q4): [c]")


def test_a_published_rate_is_worked_out_from_the_rounded_counts():
    found = _latest(RATE, "2026/27-Q1")
    assert found.latest.period.label == "2025/26-Q4"
    without_q4 = Release({k: v for k, v in RELEASE.quarters.items() if k != "2025/26-Q4"})
    found = _latest(RATE, release=without_q4)  # a quarter not in the release is passed over
    assert (found.latest.period.label, found.latest.met, found.latest.base) == (
        "2025/26-Q3", 10, 15)
    assert found.latest.value == pytest.approx(10 / 15)
    assert found.latest_text() == ("latest measurable quarter, October to December 2025 "
                                   "(2025/26 Q3): 66.7% (10 of 15 people)")


def test_six_calendar_months_and_a_coverage_date_short_of_it():
    found = _latest(NHS)
    # 30 Sep 2026 + 6 calendar months = 30 Mar 2027; health_use reaches 31 Oct 2026 only
    assert found.matures == D(2027, 3, 30)
    assert found.maturity == "matures on 30 March 2027 once health_use data reach it"
    assert found.latest.period.label == "2025/26-Q3"
    assert found.latest.text("rate") == "60.0%"


def test_money_as_published_and_hidden_money():
    found = _latest(MONEY)
    assert found.latest.period.label == "2025/26-Q4"
    assert found.latest.text("gbp") == "[c]"
    found = _latest(MONEY, release=Release(
        {k: v for k, v in RELEASE.quarters.items() if k != "2025/26-Q4"}))
    assert found.latest.text("gbp") == "£4.15k" and found.latest.value == 4150.0


def test_the_search_stops_at_the_first_published_quarter():
    found = _latest(RATE, release=Release(
        {k: v for k, v in RELEASE.quarters.items() if k not in ("2025/26-Q3", "2025/26-Q4")}),
        first=parse("2025/26-Q3"))
    assert found.latest is None
    assert found.latest_text() == "no quarter published so far is measurable"
    assert _latest(NHS, first=None).latest is None


def test_only_a_cohort_indicator_whose_quarter_is_not_yet_measurable():
    assert _latest(OPEN) is None  # no censoring window
    assert _latest(RATE, "2025/26-Q3") is None  # measurable itself
    assert _latest(NHS, "2025/26-Q2") is None  # no data is not "not yet measurable"


def test_the_public_scorecard_cell_stands_in_with_the_latest_quarter():
    catalogue = pd.DataFrame([{**RATE, "kind": "rate", "direction": "higher_is_better",
                               "cohort_month": "closed"}])
    summary = pd.DataFrame([{"indicator_id": "sustained", "bucket": "current",
                             "status": "not_yet_measurable", "months_ok": 0,
                             "numerator": None, "denominator": None, "value": None}])
    without_q4 = Release({k: v for k, v in RELEASE.quarters.items() if k != "2025/26-Q4"})
    found = _latest(RATE, release=without_q4)
    latest = pd.DataFrame([{
        "indicator_id": "sustained", "latest_first": found.latest.period.first,
        "latest_last": found.latest.period.last, "latest_status": found.latest.status,
        "latest_value": found.latest.value, "latest_met": found.latest.met,
        "latest_base": found.latest.base, "matures_on": found.matures,
        "maturity": found.maturity}])
    view = type("V", (), {"audience": "public", "period": parse("2026/27-Q2")})()
    cell = period_cells.for_view(catalogue, None, view, summary, latest)["sustained"]
    assert cell.stands_in
    assert (cell.cohort.numerator, cell.cohort.denominator) == (10, 15)
    assert cell.cohort.value == pytest.approx(10 / 15)
    assert cell.matures == D(2027, 9, 30)
    assert cell.status_text() == ("Not yet measurable for Jul 2026 to Sep 2026; matures on "
                                  "30 September 2027")
    columns = period_cells.columns(cell)
    assert columns["latest_cohort_months"] == "people who closed Oct 2025 to Dec 2025"
    assert columns["matures_on"] == "2027-09-30"
    # without the latest quarters the cell shows the status only
    assert not period_cells.for_view(catalogue, None, view, summary)["sustained"].stands_in


def test_the_bulletin_outcome_table_gives_the_maturity_and_the_latest_quarter():
    indicator = public.PERSON_INDICATORS[0]
    label = public.WORDS[indicator][0]
    found = cohorts.Latest(cohorts.rule({**RATE, "indicator_id": indicator}),
                           parse("2026/27-Q2"), None, D(2027, 9, 30),
                           "matures on 30 September 2027")
    notes = public._latest_notes((indicator, "other"), {indicator: found})
    assert notes == [f"{label}: Not yet measurable; matures on 30 September 2027; no "
                     "quarter published so far is measurable."]
    # the row itself keeps the status, as the public dashboard's cell writes it
    row, bar = public._outcome_row(indicator, "not_yet_measurable",
                                   RELEASE.get(parse("2026/27-Q2")))
    assert row[-1].text == bar.text == "Not yet measurable"


def test_the_disclosure_scan_reads_a_matures_on_date_as_the_rules():
    from metrics.report.scan import scan_text

    assert scan_text("Not yet measurable; matures on 30 September 2027", "b.html") == []
    found = scan_text("support closed on 30 September 2026", "b.html")
    assert [f.rule for f in found] == ["event_date"]


def test_the_bulletin_change_table_gives_the_latest_quarter_under_it():
    from metrics.report import bulletin_changes

    latest = {"sustained": _latest(RATE)}
    table = bulletin_changes.change_table(RELEASE, parse("2026/27-Q2"),
                                          [("sustained", "Wellbeing lasted")], latest)
    assert table.rows[0][1].text == "Not yet measurable"
    assert table.notes[-1] == (
        "Wellbeing lasted: Not yet measurable; matures on 30 September 2027; latest "
        "measurable quarter, January to March 2026 (2025/26 Q4): [c].")
    plain = bulletin_changes.change_table(RELEASE, parse("2026/27-Q2"),
                                          [("sustained", "Wellbeing lasted")])
    assert len(plain.notes) == len(table.notes) - 1
