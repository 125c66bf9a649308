"""Reporting periods (indicators.md "Periods"), formatting and the Wilson interval."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from dashboard import formatting as fmt
from dashboard.stats import wilson_interval
from metrics import period as periods


@pytest.mark.parametrize(
    ("month", "label"),
    [
        (dt.date(2026, 4, 1), "2026/27-Q1"),
        (dt.date(2026, 6, 1), "2026/27-Q1"),
        (dt.date(2026, 7, 1), "2026/27-Q2"),
        (dt.date(2026, 9, 1), "2026/27-Q2"),
        (dt.date(2026, 12, 1), "2026/27-Q3"),
        (dt.date(2027, 1, 1), "2026/27-Q4"),
        (dt.date(2027, 3, 1), "2026/27-Q4"),
    ],
)
def test_financial_quarter_of_a_month(month, label):
    assert periods.quarter_label(month) == label


def test_quarter_and_year_bounds():
    q2 = periods.parse("2026/27-Q2")
    # Q2 is July to September 2026
    assert (q2.first, q2.last, q2.months) == (dt.date(2026, 7, 1), dt.date(2026, 9, 1), 3)
    year = periods.parse("2026/27")
    assert (year.first, year.last, year.months) == (dt.date(2026, 4, 1), dt.date(2027, 3, 1), 12)
    month = periods.parse("2026-10")
    assert (month.first, month.last) == (dt.date(2026, 10, 1), dt.date(2026, 10, 1))
    assert periods.parse("2026-04..2026-09").months == 6


def test_previous_period_has_the_same_kind_and_length():
    assert periods.parse("2026/27-Q1").previous().label == "2025/26-Q4"
    assert periods.parse("2026/27").previous().label == "2025/26"
    before = periods.parse("2026-04..2026-09").previous()
    assert (before.first, before.last) == (dt.date(2025, 10, 1), dt.date(2026, 3, 1))


@pytest.mark.parametrize("bad", ["2026/28", "2026/27-Q5", "2026-13", "26/27", "2026-1"])
def test_unreadable_periods_are_refused(bad):
    with pytest.raises(ValueError):
        periods.parse(bad)


def test_period_options():
    first, last = dt.date(2025, 2, 1), dt.date(2025, 10, 1)
    # Feb 2025 is 2024/25-Q4; Oct 2025 is 2025/26-Q3
    assert periods.quarter_options(first, last) == [
        "2025/26-Q3",
        "2025/26-Q2",
        "2025/26-Q1",
        "2024/25-Q4",
    ]
    # only Q1 (Apr-Jun) and Q2 (Jul-Sep) of 2025/26 lie wholly inside
    assert periods.complete_quarters(first, last) == ["2025/26-Q2", "2025/26-Q1"]
    assert periods.year_options(first, last) == ["2025/26", "2024/25"]
    assert periods.month_options(dt.date(2025, 11, 1), dt.date(2026, 1, 1)) == [
        "2025-11",
        "2025-12",
        "2026-01",
    ]


def test_wilson_interval_by_hand():
    # 40 of 50, z = 1.96: z^2 = 3.8415; 1 + z^2/n = 1.07683
    # centre = (0.8 + 3.8415/100) / 1.07683 = 0.77860
    # half = 1.96 * sqrt(0.8*0.2/50 + 3.8415/10000) / 1.07683 = 0.10897
    low, high = wilson_interval(40, 50)
    assert low == pytest.approx(0.66963, abs=1e-4)
    assert high == pytest.approx(0.88757, abs=1e-4)
    # 0 of 10: centre = (0 + 3.8415/20) / 1.38415 = 0.13877 = half: interval 0 to 0.27754
    low, high = wilson_interval(0, 10)
    assert low == pytest.approx(0.0, abs=1e-9)
    assert high == pytest.approx(0.27754, abs=1e-4)
    assert wilson_interval(0, 0) is None
    assert wilson_interval(3, math.nan) is None


def test_formatting_keeps_missing_statuses_and_zero_apart():
    assert fmt.percent(0.0) == "0.0%"
    assert fmt.percent(math.nan) == "–"
    assert fmt.count(0) == "0"
    labels = {fmt.status_label(s) for s in ("no_data", "not_yet_measurable", "empty_base")}
    assert labels == {"No data", "Not yet measurable", "Nobody in the base"}
    assert fmt.gbp(1_234_567) == "£1.23m"
    assert fmt.gbp(-45_300) == "-£45.3k"
    assert fmt.change_text(0.62, 0.6, "rate") == "+2.0 points"
    assert fmt.change_text(10, 12, "count") == "-2"


def test_data_values_are_escaped_for_markdown_and_plotly():
    hostile = "[x](javascript:alert(1)) <b>*bold*</b>"
    escaped = fmt.md(hostile)
    assert "[" not in escaped.replace("\\[", "")
    assert "<" not in escaped.replace("\\<", "")
    assert "*" not in escaped.replace("\\*", "")
    assert fmt.plain("<script>") == "&lt;script&gt;"
