"""Report periods (indicators.md "Periods"): months, financial quarters and years."""

from __future__ import annotations

import datetime as dt

import pytest

from metrics.report.periods import (
    PeriodError,
    check_audience,
    check_covered,
    check_reportable,
    parse_period,
)


def test_a_month():
    period = parse_period("2026-10")
    assert (period.kind, period.first, period.last) == (
        "month",
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 1),
    )
    assert period.title() == "October 2026"
    assert period.previous().label == "2026-09"
    assert period.year_before().label == "2025-10"


def test_financial_quarters_start_in_april():
    # Q1 = April to June, Q2 = July to September, Q3 = October to December, Q4 = January
    # to March of the next calendar year.
    q2 = parse_period("2026/27-Q2")
    assert (q2.first, q2.last) == (dt.date(2026, 7, 1), dt.date(2026, 9, 1))
    assert q2.title() == "July to September 2026 (2026/27 Q2)"
    q4 = parse_period("2026/27-Q4")
    assert (q4.first, q4.last) == (dt.date(2027, 1, 1), dt.date(2027, 3, 1))
    assert q2.previous().label == "2026/27-Q1"
    assert parse_period("2026/27-Q1").previous().label == "2025/26-Q4"
    assert q2.year_before().label == "2025/26-Q2"
    assert q2.months == 3


def test_a_financial_year():
    year = parse_period("2026/27")
    assert (year.first, year.last) == (dt.date(2026, 4, 1), dt.date(2027, 3, 1))
    assert year.title() == "April 2026 to March 2027 (financial year 2026/27)"
    assert year.previous().label == "2025/26"
    assert year.months == 12


@pytest.mark.parametrize("text", ["2026-13", "2026/28", "2026/27-Q5", "Q2 2026", "", "2026"])
def test_malformed_periods_are_refused_with_the_forms_allowed(text):
    with pytest.raises(PeriodError):
        parse_period(text)


def test_a_period_after_the_as_of_month_is_refused():
    as_of = dt.date(2026, 10, 31)
    check_reportable(parse_period("2026-10"), as_of)  # the as-of month itself is fine
    check_reportable(parse_period("2026/27-Q2"), as_of)
    with pytest.raises(PeriodError, match="after the warehouse's as-of month"):
        check_reportable(parse_period("2026-11"), as_of)
    with pytest.raises(PeriodError):
        check_reportable(parse_period("2026/27-Q3"), as_of)  # ends December 2026
    with pytest.raises(PeriodError):
        check_reportable(parse_period("2026/27"), as_of)  # ends March 2027


def test_the_public_report_is_quarterly_or_yearly_only():
    check_audience(parse_period("2026/27-Q2"), "public")
    check_audience(parse_period("2025/26"), "public")
    check_audience(parse_period("2026-10"), "manager")
    with pytest.raises(PeriodError, match="not a month"):
        check_audience(parse_period("2026-10"), "public")


def test_a_period_before_the_data_is_refused():
    # Data from November 2023: October to December 2023 is only partly covered.
    first = dt.date(2023, 11, 1)
    check_covered(parse_period("2023/24-Q4"), first)
    with pytest.raises(PeriodError, match="starts in November 2023"):
        check_covered(parse_period("2023/24-Q3"), first)
    with pytest.raises(PeriodError, match="holds no months"):
        check_covered(parse_period("2026-10"), None)
