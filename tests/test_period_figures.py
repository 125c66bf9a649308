"""A period figure's latest measurable cohort, matures-on date and like-for-like change
(evidence.md, sections 2 and 3; issue 13 items 1-3), on small hand-made months.

The demo checks (every period of the default view, the last 8 quarters and 3 financial
years) are in tests/test_period_figures_demo.py."""

from __future__ import annotations

import datetime as dt

import pytest

from metrics import change as changes
from metrics.period import add_months, month_range, parse
from metrics.period_figures import (
    Rule,
    Setting,
    compare,
    period_cell,
    pool,
)
from metrics.report import period_rows

D = dt.date
AS_OF = D(2026, 11, 30)
MEDIUM = Rule("medium", "rate", "rate", "higher_is_better", "closed", censor_days=365)
NHS_MONEY = Rule("nhs_money", "gbp", "money", "higher_is_better", "closed", censor_months=6,
                 coverage_table="health_use")
MODELLED = Rule("modelled", "count", "sum", "higher_is_better", "target_hardening")
COUNT = Rule("count", "count", "count", "neutral", "referral")
RATE = Rule("rate", "rate", "rate", "higher_is_better", "closed")
SETTING = Setting(AS_OF, D(2024, 1, 1), {"health_use": D(2026, 10, 31),
                                          "repeat_crimes": D(2026, 11, 15)})


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    return month_range(first, last).month_list


def rows(values: dict[dt.date, tuple], status: str = "ok") -> list[dict]:
    """Monthly rows: a month maps to (numerator, denominator) or (status,)."""
    out = []
    for month, value in values.items():
        if isinstance(value[0], str):
            out.append({"month": month, "status": value[0], "numerator": None,
                        "denominator": None, "value": None})
        else:
            numerator, denominator = value
            out.append({"month": month, "status": status, "numerator": numerator,
                        "denominator": denominator,
                        "value": numerator / denominator if denominator else numerator})
    return out


def medium_rows() -> list[dict]:
    """Jan 2024 to Nov 2026 as of 30 Nov 2026 with a 365-day window: Nov 2025 and earlier
    measurable (30 Nov 2025 + 365 days = 30 Nov 2026), later months not yet; 5 of 10
    everywhere but Sep to Nov 2025 (3, 4 and 5 of 10) and Oct 2025 nobody in the base."""
    values = {}
    for month in months(D(2024, 1, 1), D(2026, 11, 1)):
        if month > D(2025, 11, 1):
            values[month] = ("not_yet_measurable",)
        else:
            values[month] = (5, 10)
    values[D(2025, 9, 1)] = (3, 10)
    values[D(2025, 10, 1)] = ("empty_base",)
    values[D(2025, 11, 1)] = (5, 10)
    return rows(values)


# --- item 1: the latest measurable cohort and when the period matures ------------------------


def test_a_period_not_yet_measurable_shows_the_latest_cohort_of_its_length():
    cell = period_cell(MEDIUM, medium_rows(), parse("2026/27-Q2"), SETTING)
    assert cell.status == "not_yet_measurable"
    assert not cell.figure.shown and cell.stands_in
    # Sep to Nov 2025: Oct nobody in the base, so 3 + 5 of 10 + 10 = 8 of 20
    assert (cell.cohort.first, cell.cohort.last) == (D(2025, 9, 1), D(2025, 11, 1))
    assert (cell.cohort.numerator, cell.cohort.denominator) == (8, 20)
    assert cell.cohort.value == pytest.approx(0.4)
    # Wilson 8/20: (0.4 + 1.9208/20) / 1.19208 = 0.41611; half width
    # 1.95996 x sqrt(0.24/20 + 3.8415/1600) / 1.19208 = 0.19737
    assert cell.cohort.interval == pytest.approx((0.21874, 0.61348), abs=1e-4)
    assert cell.cohort_words() == "people who closed Sep 2025 to Nov 2025"
    assert cell.cohort_text() == ("latest measurable 3 months: 40.0% (8 of 20; 95% CI 21.9% "
                                  "to 61.3%), people who closed Sep 2025 to Nov 2025")
    # 30 Sep 2026 + 365 days
    assert cell.matures == D(2027, 9, 30)
    assert cell.status_text() == ("Not yet measurable for Jul 2026 to Sep 2026; matures on "
                                  "30 Sep 2027")


def test_the_cohort_of_a_twelve_month_view_and_the_months_still_open():
    period = month_range(D(2025, 6, 1), D(2026, 5, 1))
    cell = period_cell(MEDIUM, medium_rows(), period, SETTING)
    assert (cell.cohort.first, cell.cohort.last) == (D(2024, 12, 1), D(2025, 11, 1))
    # 10 months of 5 of 10, Sep 3 of 10, Oct nobody: 53 of 110
    assert (cell.cohort.numerator, cell.cohort.denominator) == (53, 110)
    assert cell.status_text() == (
        "Not yet measurable for Jun 2025 to May 2026 (months not yet measurable: Dec 2025 "
        "to May 2026); matures on 31 May 2027")


def test_no_cohort_yet_gives_the_date_the_first_one_matures():
    values = {m: ("not_yet_measurable",) for m in months(D(2026, 1, 1), D(2026, 11, 1))}
    setting = Setting(AS_OF, D(2026, 1, 1))
    cell = period_cell(MEDIUM, rows(values), month_range(D(2025, 12, 1), D(2026, 11, 1)),
                       setting)
    assert cell.cohort is None and cell.status == "not_yet_measurable"
    # the window Jan to Dec 2026: 31 Dec 2026 + 365 days
    assert cell.first_cohort_matures == D(2027, 12, 31)
    assert cell.no_cohort_text() == ("no cohort of 12 months is measurable yet; the first "
                                     "matures on 31 Dec 2027")


@pytest.mark.parametrize(
    ("rule", "period", "expected", "words"),
    [
        # NHS: the month's last day + 6 calendar months, clamped to the target month's end
        (NHS_MONEY, "2026-08", D(2027, 2, 28), "matures on 28 Feb 2027 once health_use data "
                                               "reach it (now 31 Oct 2026)"),
        (NHS_MONEY, "2027-08", D(2028, 2, 29), None),  # a leap year's February
        (NHS_MONEY, "2026/27-Q2", D(2027, 3, 30), None),  # 30 Sep + 6 months
        # 365 days across 29 Feb 2028
        (MEDIUM, "2026/27", D(2028, 3, 30), "matures on 30 Mar 2028"),
        (MEDIUM, "2026-11", D(2027, 11, 30), None),
        (Rule("long", "rate", "rate", censor_days=730), "2026-11", D(2028, 11, 29), None),
        (Rule("repeat", "rate", "rate", cohort_month="referral", censor_days=365,
              coverage_table="repeat_crimes"), "2026/27-Q3", D(2027, 12, 31),
         "matures on 31 Dec 2027 once repeat_crimes data reach it (now 15 Nov 2026)"),
    ],
)
def test_matures_on_is_the_rules_date_across_month_ends_and_leap_years(rule, period,
                                                                       expected, words):
    chosen = parse(period)
    values = {m: ("not_yet_measurable",) for m in months(D(2026, 1, 1), chosen.last)}
    cell = period_cell(rule, rows(values), chosen, SETTING)
    assert cell.matures == expected
    if words is not None:
        assert cell.maturity == words


# --- items 2 and 3: like for like, and only beyond noise gets an arrow ------------------------


def test_money_over_5_of_12_months_against_12_is_not_comparable():
    """The issue's red '-£107k': 5 measurable months against 12."""
    values = {m: (1000.0, None) for m in months(D(2024, 12, 1), D(2025, 11, 1))}
    values.update({m: (1000.0, None) for m in months(D(2025, 12, 1), D(2026, 4, 1))})
    values.update({m: ("empty_base",) for m in months(D(2026, 5, 1), D(2026, 11, 1))})
    data = {r["month"]: r for r in rows(values)}
    shown = pool(data, D(2025, 12, 1), D(2026, 11, 1), NHS_MONEY, D(2024, 1, 1))
    earlier = pool(data, D(2024, 12, 1), D(2025, 11, 1), NHS_MONEY, D(2024, 1, 1))
    assert (shown.months_ok, earlier.months_ok) == (5, 12)
    comparison = compare(NHS_MONEY, shown, earlier)
    assert comparison.change.verdict == changes.NOT_COMPARABLE
    assert comparison.arrow == 0 and not comparison.worse
    assert comparison.text() == ("not comparable: 5 of 12 months measurable, against 12 of "
                                 "12 (Dec 2024 to Nov 2025)")


def _two_months(rule: Rule, now: tuple, before: tuple):
    data = {r["month"]: r for r in rows({D(2026, 9, 1): before, D(2026, 10, 1): now})}
    return compare(rule, pool(data, D(2026, 10, 1), D(2026, 10, 1), rule),
                   pool(data, D(2026, 9, 1), D(2026, 9, 1), rule))


def test_a_rate_moves_only_beyond_newcombes_interval():
    # 40/100 against 60/100: Newcombe (method 10) -0.20, about (-0.33, -0.06): beyond noise
    down = _two_months(RATE, (40, 100), (60, 100))
    assert down.change.verdict == changes.BEYOND_NOISE
    assert (down.arrow, down.worse) == (-1, True)
    assert down.text() == "down 20.0 points on Sep 2026"
    assert period_rows.change_cell(down).kind == "flag"
    # 55/100 against 60/100: the interval spans 0
    same = _two_months(RATE, (55, 100), (60, 100))
    assert same.change.verdict == changes.NO_CLEAR_CHANGE and same.arrow == 0
    assert same.text() == "no clear change on Sep 2026 (-5.0 points)"
    # nobody in the base of the earlier month: not comparable
    empty = _two_months(RATE, (5, 10), ("empty_base",))
    assert empty.change.verdict == changes.NOT_COMPARABLE and empty.arrow == 0


def test_a_count_moves_only_beyond_the_exact_poisson_test():
    # 5 against 17: P(X <= 5 | Binomial(22, 1/2)) = 35443 / 4194304 = 0.00845; p = 0.0169
    fewer = _two_months(COUNT, (5, None), (17, None))
    assert fewer.change.p_value == pytest.approx(2 * 35443 / 4194304)
    assert fewer.arrow == -1 and fewer.text() == "down 12 on Sep 2026"
    assert not fewer.worse  # a neutral count is never "the wrong way"
    # 10 against 20: P(X <= 10 | Binomial(30, 1/2)) = 53009102 / 2^30 = 0.04937; p = 0.0987
    unclear = _two_months(COUNT, (10, None), (20, None))
    assert unclear.change.p_value == pytest.approx(2 * 53009102 / 2**30)
    assert unclear.arrow == 0 and unclear.text() == "no clear change on Sep 2026 (-10)"


def test_a_modelled_estimate_is_not_tested_and_never_moves_the_wrong_way():
    """The issue's meeting pack flagged modelled repeat victims spared 0.2 against 0.3."""
    modelled = _two_months(MODELLED, (0.2, None), (0.3, None))
    assert modelled.change.verdict == changes.NOT_TESTED and modelled.arrow == 0
    assert modelled.text() == "-0.1 on Sep 2026, not tested for noise"
    values = {m: (0.3, None) for m in months(D(2025, 10, 1), D(2026, 9, 1))}
    values[D(2026, 10, 1)] = (0.2, None)
    cell = period_cell(MODELLED, rows(values), parse("2026-10"), SETTING, year_earlier=True)
    assert period_rows.wrong_way(cell) == ""


def test_the_wrong_way_flag_needs_a_change_beyond_noise_the_wrong_way():
    def cell_for(now, before, rule=RATE):
        values = {m: before for m in months(D(2025, 10, 1), D(2026, 9, 1))}
        values[D(2026, 10, 1)] = now
        return period_cell(rule, rows(values), parse("2026-10"), SETTING, year_earlier=True)

    assert period_rows.wrong_way(cell_for((40, 100), (60, 100))) == (
        "worse than previous (Sep 2026) and last year (Oct 2025) beyond noise")
    assert period_rows.wrong_way(cell_for((55, 100), (60, 100))) == ""
    assert period_rows.wrong_way(cell_for((60, 100), (40, 100))) == ""  # better
    days = Rule("days", "median_working_days", "median", "lower_is_better", "sent")
    assert period_rows.wrong_way(cell_for((3.0, 1), (1.0, 1), days)) == ""  # not tested


def test_a_change_reaching_before_the_first_referral_month_is_not_comparable():
    values = {m: (5, 10) for m in months(D(2024, 4, 1), D(2024, 9, 1))}
    cell = period_cell(RATE, rows(values), parse("2024/25-Q1"), Setting(AS_OF, D(2024, 4, 1)))
    assert cell.figure.shown
    assert cell.previous.change.verdict == changes.NOT_COMPARABLE
    assert cell.previous.text() == ("not comparable: before the hub's first referral month "
                                    "(Jan 2024 to Mar 2024)")
    # without the setting's first month, the first month of the rows is the hub's
    cell = period_cell(RATE, rows(values), parse("2024/25-Q1"), Setting(AS_OF, None))
    assert cell.previous.change.verdict == changes.NOT_COMPARABLE


def test_a_period_reaching_past_the_as_of_month_counts_the_months_it_has():
    values = {m: (5, None) for m in months(D(2025, 4, 1), D(2026, 11, 1))}
    cell = period_cell(COUNT, rows(values), parse("2026/27"), SETTING)
    assert cell.figure.shown and (cell.figure.numerator, cell.figure.months_ok) == (40, 8)
    assert cell.months_note() == ("8 of 12 months measurable (Dec 2026 to Mar 2027 after "
                                  "the as-of month)")
    assert cell.previous.text() == ("not comparable: 8 of 12 months measurable, against 12 "
                                    "of 12 (Apr 2025 to Mar 2026)")
    assert add_months(cell.period.first, -12) == cell.previous.earlier.first


def test_an_earlier_period_partly_before_the_first_referral_month_is_not_comparable():
    """Found on the demo: 2024/25 against Apr 2023 to Mar 2024, the hub starting Dec 2023;
    the earlier year's ok months (2 of 2) must not be compared with 0 of 3."""
    values = {m: ("empty_base",) for m in months(D(2023, 12, 1), D(2025, 3, 1))}
    values.update({D(2024, 2, 1): (1, 1), D(2024, 3, 1): (1, 1), D(2024, 8, 1): (0, 1),
                   D(2024, 9, 1): (0, 1), D(2025, 1, 1): (0, 1)})
    cell = period_cell(RATE, rows(values), parse("2024/25"), Setting(AS_OF, D(2023, 12, 1)),
                       year_earlier=True)
    assert cell.previous.earlier.before_start
    assert cell.previous.change.verdict == changes.NOT_COMPARABLE
    assert period_rows.wrong_way(cell) == ""
