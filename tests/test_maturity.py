"""Matures-on dates and the latest measurable cohort (spec: evidence.md, section 2), with
hand-computed dates across month ends and leap years, and the status rule's own SQL."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from metrics.maturity import (
    MonthFigure,
    first_window_matures,
    latest_measurable_cohort,
    matures_on,
    maturity_text,
)

D = dt.date


@pytest.mark.parametrize(
    ("month", "days", "months", "expected"),
    [
        (D(2025, 11, 1), 365, None, D(2026, 11, 30)),  # medium term, as of 30 Nov 2026
        (D(2024, 11, 1), 730, None, D(2026, 11, 30)),  # long term
        (D(2025, 10, 1), 365, None, D(2026, 10, 31)),  # repeat victimisation
        (D(2024, 2, 1), 365, None, D(2025, 2, 28)),  # 29 Feb 2024 + 365 days
        (D(2023, 3, 1), 365, None, D(2024, 3, 30)),  # across 29 Feb 2024
        (D(2025, 12, 1), 730, None, D(2027, 12, 31)),
        (D(2026, 1, 1), None, 6, D(2026, 7, 31)),  # NHS: a 31-day month
        (D(2026, 2, 1), None, 6, D(2026, 8, 28)),  # 28 Feb + 6 months
        (D(2026, 4, 1), None, 6, D(2026, 10, 30)),
        (D(2026, 8, 1), None, 6, D(2027, 2, 28)),  # clamped to February's end
        (D(2027, 8, 1), None, 6, D(2028, 2, 29)),  # ... of a leap year
        (D(2026, 5, 1), None, None, None),  # no window
    ],
)
def test_matures_on_hand_computed(month, days, months, expected):
    assert matures_on(month, days, months) == expected


def test_matures_on_is_the_status_rules_date_for_every_month():
    """The SQL that sets not_yet_measurable (int_assembly_indicator_status) and matures_on
    agree on every month from 2020 to 2030, for each window in the catalogue."""
    con = duckdb.connect()
    rows = con.execute(
        """
        select month_start, last_day(month_start) + 365, last_day(month_start) + 730,
            cast(last_day(month_start) + to_months(6) as date)
        from (select unnest(generate_series(date '2020-01-01', date '2030-12-01',
                                            interval 1 month))::date as month_start)
        """
    ).fetchall()
    assert len(rows) == 132
    for month, plus_365, plus_730, plus_6_months in rows:
        assert matures_on(month, 365) == plus_365
        assert matures_on(month, 730) == plus_730
        assert matures_on(month, None, 6) == plus_6_months


def test_maturity_text_names_a_coverage_date_that_holds_it_back():
    assert maturity_text(D(2026, 2, 1), None, 6) == "matures on 28 Aug 2026"
    assert maturity_text(D(2026, 2, 1), None, 6, "health_use", D(2026, 6, 15)) == (
        "matures on 28 Aug 2026 once health_use data reach it (now 15 Jun 2026)"
    )
    # a coverage date already past the window adds nothing
    assert maturity_text(D(2026, 2, 1), None, 6, "health_use", D(2026, 9, 1)) == (
        "matures on 28 Aug 2026"
    )


def _months(statuses: str, parts=None) -> dict[dt.date, MonthFigure]:
    """One letter a month from Jan 2025: o ok, e empty_base, n not_yet_measurable."""
    names = {"o": "ok", "e": "empty_base", "n": "not_yet_measurable"}
    parts = parts or {}
    out = {}
    for i, letter in enumerate(statuses):
        month = D(2025 + i // 12, i % 12 + 1, 1)
        numerator, denominator = parts.get(i, (1.0, 4.0))
        out[month] = MonthFigure(names[letter], numerator, denominator)
    return out


def test_latest_measurable_cohort_of_three_months_rolls_back_past_unmeasured_months():
    # Jan..Dec 2025: ok ok ok ok e ok ok n ok n n n
    months = _months("ooooeoonnonn", parts={4: (0.0, 0.0), 5: (3.0, 5.0), 6: (2.0, 5.0)})
    cohort = latest_measurable_cohort(months, 3, D(2025, 12, 1), "rate")
    # Jun-Aug holds Aug (n); May-Jul: May empty_base, Jun 3/5, Jul 2/5 -> 5/10
    assert (cohort.first, cohort.last) == (D(2025, 5, 1), D(2025, 7, 1))
    assert cohort.numerator == 5.0 and cohort.denominator == 10.0
    assert cohort.value == pytest.approx(0.5)
    assert cohort.interval[0] == pytest.approx(0.2366, abs=1e-4)  # Wilson 5/10
    assert cohort.interval[1] == pytest.approx(0.7634, abs=1e-4)
    assert cohort.words("closed") == "people who closed May 2025 to Jul 2025"


def test_a_window_of_empty_months_only_is_not_a_cohort():
    # Jan ok, Feb ok, Mar-May empty: Mar-May has no ok month; Feb-Apr is the latest cohort,
    # pooled over its one ok month (Feb: 1 of 4)
    cohort = latest_measurable_cohort(_months("ooeee"), 3, D(2025, 5, 1), "rate")
    assert (cohort.first, cohort.last) == (D(2025, 2, 1), D(2025, 4, 1))
    assert (cohort.numerator, cohort.denominator, cohort.value) == (1.0, 4.0, 0.25)
    assert latest_measurable_cohort(_months("eee"), 3, D(2025, 3, 1), "rate") is None


def test_no_measurable_cohort_before_the_first_month_and_when_it_will_mature():
    months = _months("onn")  # only Jan 2025 measured: no 3-month window yet
    assert latest_measurable_cohort(months, 3, D(2025, 3, 1), "rate") is None
    # the 12-month window from Jan 2025 closes with Dec 2025's cohort: 31 Dec 2025 + 365
    assert first_window_matures(D(2025, 1, 1), 12, 365) == D(2026, 12, 31)


def test_counts_pool_by_sum_and_the_period_end_caps_the_search():
    months = _months("oooooo", parts={i: (float(i), None) for i in range(6)})
    cohort = latest_measurable_cohort(months, 2, D(2025, 4, 1), "count")
    assert (cohort.first, cohort.last) == (D(2025, 3, 1), D(2025, 4, 1))
    assert cohort.value == 2.0 + 3.0 and cohort.interval is None
