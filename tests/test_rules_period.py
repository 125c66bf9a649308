"""metrics.period, the one Period: hand-worked month ends, leap years, financial-year and
quarter boundaries, previous / year before of each kind, and custom ranges."""

from __future__ import annotations

import datetime as dt

import pytest

from metrics import period
from metrics.period import PeriodError
from metrics.report.periods import check_audience

D = dt.date


@pytest.mark.parametrize(("month", "last_day"), [
    (D(2024, 2, 1), D(2024, 2, 29)),  # 2024 is divisible by 4: leap
    (D(2026, 2, 1), D(2026, 2, 28)),
    (D(2100, 2, 1), D(2100, 2, 28)),  # divisible by 100, not by 400: not leap
    (D(2000, 2, 1), D(2000, 2, 29)),  # divisible by 400: leap
    (D(2026, 12, 1), D(2026, 12, 31)),  # across the year end
    (D(2026, 4, 17), D(2026, 4, 30)),  # any day of the month
])
def test_month_ends(month, last_day):
    assert period.month_end(month) == last_day


def test_month_arithmetic_across_year_ends():
    assert period.add_months(D(2026, 1, 1), -1) == D(2025, 12, 1)
    assert period.add_months(D(2025, 11, 1), 14) == D(2027, 1, 1)
    assert period.add_months(D(2026, 3, 1), -27) == D(2023, 12, 1)
    assert period.months_between(D(2025, 11, 1), D(2026, 2, 1)) == 4
    assert period.months_between(D(2026, 2, 1), D(2025, 11, 1)) == 0


@pytest.mark.parametrize(("day", "year", "quarter"), [
    (D(2026, 3, 31), "2025/26", "2025/26-Q4"),  # the last day of a financial year
    (D(2026, 4, 1), "2026/27", "2026/27-Q1"),  # the first day of the next
    (D(2026, 6, 30), "2026/27", "2026/27-Q1"),
    (D(2026, 7, 1), "2026/27", "2026/27-Q2"),
    (D(2026, 12, 31), "2026/27", "2026/27-Q3"),
    (D(2027, 1, 1), "2026/27", "2026/27-Q4"),
    (D(1999, 5, 1), "1999/00", "1999/00-Q1"),  # the century's last two digits
])
def test_financial_year_and_quarter_boundaries(day, year, quarter):
    assert period.financial_year_label(day) == year
    assert period.quarter_label(day) == quarter


def test_a_month():
    october = period.parse("2026-10")
    assert (october.kind, october.first, october.last) == ("month", D(2026, 10, 1),
                                                           D(2026, 10, 1))
    assert october.months == 1
    assert october.month_list == [D(2026, 10, 1)]
    assert october.end_date == D(2026, 10, 31)
    assert october.title() == "October 2026"
    assert period.parse("2026-01").previous().label == "2025-12"
    assert period.parse("2024-02").year_before().label == "2023-02"
    assert period.parse("2024-02").end_date == D(2024, 2, 29)


def test_a_quarter():
    q4 = period.parse("2026/27-Q4")
    assert (q4.kind, q4.first, q4.last, q4.months) == ("quarter", D(2027, 1, 1),
                                                       D(2027, 3, 1), 3)
    assert q4.end_date == D(2027, 3, 31)
    assert q4.title() == "January to March 2027 (2026/27 Q4)"
    assert q4.previous().label == "2026/27-Q3"
    assert q4.year_before().label == "2025/26-Q4"
    q1 = period.parse("2026/27-Q1")
    # the quarter before Q1 is the previous financial year's Q4: January to March 2026
    assert (q1.previous().label, q1.previous().first, q1.previous().last) == (
        "2025/26-Q4", D(2026, 1, 1), D(2026, 3, 1))
    assert q1.year_before().first == D(2025, 4, 1)


def test_a_financial_year():
    year = period.parse("2023/24")
    assert (year.kind, year.first, year.last, year.months) == ("year", D(2023, 4, 1),
                                                               D(2024, 3, 1), 12)
    assert year.end_date == D(2024, 3, 31)  # the year ends in March, whatever February
    assert year.title() == "April 2023 to March 2024 (financial year 2023/24)"
    assert year.previous().label == "2022/23"
    assert year.year_before() == year.previous()
    assert period.parse("1999/00").last == D(2000, 3, 1)


def test_custom_ranges():
    half = period.parse("2026-04..2026-09")
    assert (half.kind, half.months, half.label) == ("range", 6, "2026-04..2026-09")
    assert half.title() == "April to September 2026"
    # the six months just before: October 2025 to March 2026
    before = half.previous()
    assert (before.kind, before.first, before.last) == ("range", D(2025, 10, 1), D(2026, 3, 1))
    winter = period.month_range(D(2027, 2, 14), D(2026, 11, 30))  # either order, any day
    assert (winter.first, winter.last, winter.months) == (D(2026, 11, 1), D(2027, 2, 1), 4)
    assert winter.title() == "November 2026 to February 2027"
    assert winter.month_list == [D(2026, 11, 1), D(2026, 12, 1), D(2027, 1, 1), D(2027, 2, 1)]
    assert winter.year_before().label == "2025-11..2026-02"
    assert winter.end_date == D(2027, 2, 28)
    # one month is a month, not a range of one
    assert period.month_range(D(2026, 5, 1), D(2026, 5, 1)).kind == "month"
    assert period.parse("2026-05..2026-05").label == "2026-05"


def test_trailing_window_ends_with_the_month_of_the_date():
    window = period.trailing(D(2026, 11, 30), 12)
    assert (window.first, window.last, window.months) == (D(2025, 12, 1), D(2026, 11, 1), 12)


@pytest.mark.parametrize(("text", "words"), [
    ("2026-13", "MM from 01 to 12"),
    ("2026/28", "for example 2026/27"),
    ("2026/27-Q5", "a period is a month"),
    ("2026-04..2026-00", "MM from 01 to 12"),
    ("", "a period is a month"),
    ("Q2", "a period is a month"),
])
def test_bad_labels_are_refused_with_the_rule(text, words):
    with pytest.raises(PeriodError, match=words):
        period.parse(text)


def test_a_quarter_cannot_start_mid_quarter():
    with pytest.raises(PeriodError, match="starts in April, July, October or January"):
        period.parse("2026/27-Q1").shifted(1)


def test_options_for_the_pickers():
    first, last = D(2025, 3, 1), D(2025, 10, 1)
    assert period.quarter_options(first, last) == [
        "2025/26-Q3", "2025/26-Q2", "2025/26-Q1", "2024/25-Q4"]
    assert period.complete_quarters(first, last) == ["2025/26-Q2", "2025/26-Q1"]
    assert period.year_options(first, last) == ["2025/26", "2024/25"]
    assert period.month_options(D(2025, 12, 1), D(2026, 1, 1)) == ["2025-12", "2026-01"]
    assert period.month_options(D(2026, 1, 1), D(2025, 12, 1)) == []


def test_a_report_refuses_a_range_with_its_own_message():
    with pytest.raises(PeriodError, match="not a range of months"):
        check_audience(period.parse("2026-04..2026-09"), "manager")
    with pytest.raises(PeriodError, match=r"public report covers a financial quarter "
                                          r"\(2026/27-Q2\) or a financial year \(2026/27\), "
                                          "not a range"):
        check_audience(period.parse("2026-04..2026-09"), "public")
    with pytest.raises(PeriodError, match="monthly figures are not published"):
        check_audience(period.parse("2026-04"), "public")
    check_audience(period.parse("2026-04"), "manager")
