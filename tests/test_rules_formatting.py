"""metrics.formatting, the one formatter: rounding edges worked by hand, missing values
kept apart from 0, and the dashboard and the reports writing the same words."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from dashboard import formatting as dashboard_fmt
from metrics import formatting as fmt
from metrics.report import text as report_fmt


@pytest.mark.parametrize(("value", "text"), [
    (0, "£0"),
    (156, "£156"),
    (999.4, "£999"),
    (999.5, "£1.00k"),  # rounds half up to 1,000, which is written with k
    (1000, "£1.00k"),
    (9994, "£9.99k"),
    (9995, "£10.0k"),  # 9,995 -> 10,000 (three figures), not £9.99k nor £10.00k
    (60_000, "£60.0k"),
    (99_950, "£100k"),
    (999_499, "£999k"),
    (999_500, "£1.00m"),  # not £1000k
    (1_905_000, "£1.91m"),  # half up
    (1_234_567, "£1.23m"),
    (2_000_000_000, "£2.00bn"),
    (12.345, "£12.3"),
    (0.5, "£0.5"),
    (-45_300, "-£45.3k"),
    (-999.5, "-£1.00k"),
    (-156, "-£156"),
])
def test_money_to_three_significant_figures(value, text):
    assert fmt.gbp(value) == text


def test_no_value_is_neither_zero_nor_a_status():
    assert fmt.gbp(None) == fmt.gbp(math.nan) == "–"
    assert fmt.gbp(0) == "£0"
    assert fmt.gbp(0.0) != fmt.gbp(None)
    assert fmt.count(0) == "0" and fmt.count(None) == "–"
    assert fmt.percent(0) == "0.0%" and fmt.percent(math.nan) == "–"
    assert fmt.status_label("no_data") == "No data"
    assert fmt.status_label("no_data") not in (fmt.gbp(None), fmt.gbp(0))
    assert fmt.status_label("empty_base") == "Nobody in the base"
    assert fmt.status_label("not_yet_measurable") == "Not yet measurable"


def test_percentages_counts_ratios_days():
    assert fmt.percent(0.5) == "50.0%"
    assert fmt.percent(1 / 3) == "33.3%"
    assert fmt.percent(0.583, 0) == "58%"
    assert fmt.count(1234) == "1,234"
    assert fmt.count(2.5) == "2.5"
    assert fmt.ratio(1.234) == "£1.23"
    assert fmt.ratio(1234.5) == "£1,234.50"
    assert fmt.value_text(3.26, "median_working_days") == "3.3 working days"
    assert fmt.value_text(0.25, "rate") == "25.0%"
    assert fmt.value_text(12, "sum_contacts") == "12"
    assert fmt.interval_text(0.123, 0.456) == "12.3–45.6%"


def test_changes_read_as_written():
    assert fmt.change_text(0.62, 0.6, "rate") == "+2.0 points"
    # 0.04 points rounds to 0.0: no sign claims a direction
    assert fmt.change_text(0.6, 0.6004, "rate") == "±0.0 points"
    assert fmt.change_text(100_000, 40_000, "gbp") == "+£60.0k"
    assert fmt.change_text(40_000, 1_039_500, "gbp") == "-£1.00m"
    assert fmt.change_text(10, 12, "count") == "-2"
    assert fmt.change_text(5.0, 5.04, "median_working_days") == "±0.0 days"
    assert fmt.change_text(None, 1, "rate") is None
    assert fmt.change_text(1, math.nan, "gbp") is None


def test_one_word_for_each_code_everywhere():
    for write in (fmt.readable, dashboard_fmt.readable, report_fmt.readable):
        assert write("unknown") == "Not recorded"
        assert write(None) == "Not recorded"
        assert write(math.nan) == "Not recorded"
        assert write("burglary_residential") == "Residential burglary"
        assert write("some_new_code") == "Some new code"
    assert fmt.parameter_name("unit_cost_gp_appointments") == "Unit cost: gp appointments"
    assert fmt.parameter_name("deadweight_nhs") == "Deadweight (NHS)"
    assert fmt.characteristic_words("age_band") == "age band"
    assert fmt.characteristic_words("lgbt") == "LGBT+"


def test_a_hidden_cell_is_marked_but_its_status_has_words():
    assert fmt.status_cell("suppressed") == fmt.status_cell("withheld") == "[c]"
    assert fmt.status_label("suppressed") == "Suppressed (small number)"
    assert fmt.status_cell("empty_base") == "Nobody in the base"
    assert report_fmt.status_word("suppressed") == "[c]"


def test_the_dashboard_and_the_reports_use_the_same_rules():
    for name in ("gbp", "percent", "count", "ratio", "value_text", "change_text", "readable"):
        assert getattr(dashboard_fmt, name) is getattr(fmt, name)
        assert getattr(report_fmt, name) is getattr(fmt, name)


def test_register_values_and_dates():
    nbsp = "\u00a0"
    assert fmt.parameter_value(16_900, "GBP per WELLBY") == f"£16.9k{nbsp}per{nbsp}WELLBY"
    assert fmt.parameter_value(0.35, "share") == "35%"
    assert fmt.parameter_value(2, "working days") == f"2{nbsp}working{nbsp}days"
    assert fmt.long_date(dt.date(2026, 12, 7)) == "7 December 2026"
