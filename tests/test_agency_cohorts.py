"""The theme pages' breakdown by agency: an agency whose period is not yet measurable gets
its latest measurable cohort of the same length from `metrics.period_figures`
(`dashboard.period_cells.for_agencies`), on hand-made monthly rows."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest

from dashboard import period_cells
from metrics.period import add_months, parse

D = dt.date
ENTRY = {"indicator_id": "sustained", "unit": "rate", "kind": "rate",
         "direction": "higher_is_better", "cohort_month": "closed", "censor_days": 365,
         "censor_months": None, "coverage_table": None}
PERIOD = parse("2026/27-Q2")  # Jul to Sep 2026
VIEW = SimpleNamespace(period=PERIOD, audience="manager",
                       build=(("as_of", "2026-11-30"),))


def _months(first: dt.date, statuses: list[tuple[str, int, int]]) -> pd.DataFrame:
    rows = []
    for i, (status, met, base) in enumerate(statuses):
        ok = status == "ok"
        rows.append({"indicator_id": "sustained", "period_start": add_months(first, i),
                     "status": status, "numerator": met if ok else None,
                     "denominator": base if ok else None,
                     "value": met / base if ok and base else None})
    return pd.DataFrame(rows)


WAIT = ("not_yet_measurable", 0, 0)
# agency a: Jan to Dec 2025 measurable (Dec 2025 nobody in the base), then waiting
A = _months(D(2025, 1, 1), [("ok", 3, 10)] * 9 + [("ok", 4, 10), ("ok", 5, 10),
                                                   ("empty_base", 0, 0)] + [WAIT] * 9)
# agency b: its first month is Oct 2025 and none has matured
B = _months(D(2025, 10, 1), [WAIT] * 12)
STATUSES = pd.DataFrame({"agency": ["all", "a", "b"],
                         "status": ["ok", "not_yet_measurable", "not_yet_measurable"]})


def _cells():
    asked = []

    def trend_of(agency):
        asked.append(agency)
        return {"a": A, "b": B}[agency]

    return period_cells.for_agencies(ENTRY, STATUSES, VIEW, trend_of), asked


def test_an_agency_not_yet_measurable_gets_its_latest_cohort():
    cells, asked = _cells()
    assert asked == ["a", "b"]  # only the agencies whose period is not yet measurable
    a = cells["a"]
    # the latest 3 months all measurable with one ok: Oct to Dec 2025 (Dec nobody in the
    # base): (4 + 5) of (10 + 10)
    assert (a.cohort.first, a.cohort.last) == (D(2025, 10, 1), D(2025, 12, 1))
    assert (a.cohort.numerator, a.cohort.denominator) == (9, 20)
    assert a.cohort.value == pytest.approx(0.45)
    assert a.matures == D(2027, 9, 30)  # 30 Sep 2026 + 365 days
    columns = period_cells.agency_columns(STATUSES["agency"], cells)
    assert columns.loc[1].tolist() == [pytest.approx(0.45), 9, 20,
                                       "people who closed Oct 2025 to Dec 2025", "2027-09-30"]
    assert pd.isna(columns.loc[0, "latest_cohort_value"])  # the hub's own figure is shown


def test_an_agency_without_a_matured_cohort_says_when_the_first_matures():
    cells, _ = _cells()
    b = cells["b"]
    assert b.cohort is None
    # Oct to Dec 2025 is its first window: 31 Dec 2025 + 365 days
    assert b.first_cohort_matures == D(2026, 12, 31)
    lines = period_cells.agency_cohort_lines(cells, str.upper)
    assert lines[0].startswith("A: latest measurable 3 months: 45.0% (9 of 20; 95% CI ")
    assert lines[0].endswith(", people who closed Oct 2025 to Dec 2025")
    assert lines[1] == "B: no cohort of 3 months is measurable yet; the first matures on 31 Dec 2026"


def test_not_a_cohort_indicator_asks_nothing():
    entry = {**ENTRY, "censor_days": None}
    assert period_cells.for_agencies(entry, STATUSES, VIEW, lambda a: 1 / 0) == {}


def test_a_hidden_month_beside_one_not_yet_measurable_still_looks_for_a_cohort():
    # pcc, a sensitive agency: Jul 2026 hidden, Aug and Sep 2026 not yet measurable; as the
    # pooled queries say, the quarter is not yet measurable, so its latest cohort stands in
    hidden = _months(D(2025, 10, 1), [("ok", 4, 10), ("ok", 5, 10), ("ok", 6, 10)]
                     + [WAIT] * 6 + [("suppressed", 0, 0)] + [WAIT] * 2)
    cells = period_cells.for_agencies(ENTRY, STATUSES, VIEW, lambda a: hidden)
    assert cells["a"].status == "not_yet_measurable"
    assert (cells["a"].cohort.first, cells["a"].cohort.numerator) == (D(2025, 10, 1), 15)


def test_the_splits_count_the_whole_hubs_latest_cohort():
    # the crime type, enhanced rights and area splits of a period not yet measurable
    # count the months of the hub's latest measurable cohort (Oct to Dec 2025 here)
    cell = period_cells.stand_in(ENTRY, A, VIEW)
    assert (cell.cohort.first, cell.cohort.last) == (D(2025, 10, 1), D(2025, 12, 1))
    assert period_cells.stand_in_words(cell, PERIOD.title()) == (
        "the latest measurable 3 months, people who closed Oct 2025 to Dec 2025 (July to "
        "September 2026 (2026/27 Q2) is not yet measurable; matures on 30 Sep 2027)")
    assert period_cells.stand_in(ENTRY, B, VIEW) is None  # no cohort yet: nothing to count
    assert period_cells.stand_in(ENTRY, A, SimpleNamespace(**{**vars(VIEW),
                                                              "audience": "public"})) is None
    measurable = SimpleNamespace(**{**vars(VIEW), "period": parse("2025/26-Q3")})
    assert period_cells.stand_in(ENTRY, A, measurable) is None  # the period's own figure
