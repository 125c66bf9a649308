"""Change beyond noise (spec: evidence.md, section 3), against published worked examples
and hand-computed binomial tails."""

from __future__ import annotations

import pytest

from metrics.change import (
    BEYOND_NOISE,
    NO_CLEAR_CHANGE,
    NOT_COMPARABLE,
    NOT_TESTED,
    count_change,
    newcombe_interval,
    poisson_conditional_p,
    rate_change,
    untested_change,
)

# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (hybrid score
# interval, no continuity correction), examples (a) to (f).
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_TABLE_II)
def test_newcombe_hybrid_score_interval_matches_the_published_examples(counts, expected):
    lower, upper = newcombe_interval(*counts)
    assert round(lower, 4) == expected[0]
    assert round(upper, 4) == expected[1]


def test_poisson_conditional_test_is_twice_the_smaller_binomial_tail():
    # 10 against 2: P(X >= 10 | n = 12, 1/2) = (66 + 12 + 1) / 4096
    assert poisson_conditional_p(10, 2) == pytest.approx(2 * 79 / 4096)
    assert poisson_conditional_p(2, 10) == pytest.approx(2 * 79 / 4096)
    # 0 against 5: P(X <= 0 | n = 5) = 1 / 32
    assert poisson_conditional_p(0, 5) == pytest.approx(2 / 32)
    # equal counts: the smaller tail is above a half, so p is capped at 1
    assert poisson_conditional_p(3, 3) == 1.0
    assert poisson_conditional_p(0, 0) == 1.0


def test_a_rate_change_is_called_only_beyond_noise():
    rise = rate_change(56, 70, 48, 80)  # interval 0.0524 to 0.3339: all above 0
    assert rise.verdict == BEYOND_NOISE and rise.direction == 1
    assert rise.difference == pytest.approx(0.2)
    noise = rate_change(5, 56, 0, 29)  # interval -0.0381 to 0.1926 spans 0
    assert noise.verdict == NO_CLEAR_CHANGE and noise.direction == 0
    assert noise.note == "no clear change"
    fall = rate_change(48, 80, 56, 70)
    assert fall.verdict == BEYOND_NOISE and fall.direction == -1


def test_a_rate_with_an_empty_base_is_not_comparable():
    assert rate_change(0, 0, 3, 10).verdict == NOT_COMPARABLE
    assert rate_change(3, 10, 0, 0).verdict == NOT_COMPARABLE


def test_counts_compare_only_over_the_same_number_of_measurable_months():
    # the NHS case: 5 measurable months against 12
    change = count_change(40, 90, ok_selected=5, ok_earlier=12, months=12)
    assert change.verdict == NOT_COMPARABLE and change.direction == 0
    assert change.note == "not comparable: 5 of 12 months measurable, against 12 of 12"


def test_count_change_beyond_noise_and_noise():
    assert count_change(10, 2, 3, 3, 3).verdict == BEYOND_NOISE  # p = 0.0386
    assert count_change(15, 5, 3, 3, 3).direction == 1  # p = 0.0414
    small = count_change(0, 0, 3, 3, 3)
    assert small.verdict == NO_CLEAR_CHANGE
    # the meeting pack's "0.2 against 0.3" would be a fractional estimate: never tested
    assert count_change(3, 1, 1, 1, 1).verdict == NO_CLEAR_CHANGE  # p = 0.625


def test_money_and_ratios_show_their_change_without_an_arrow():
    money = untested_change(120_000, 100_000, 12, 12, 12, additive=True)
    assert money.verdict == NOT_TESTED and money.direction == 0
    assert money.difference == 20_000 and money.note == "not tested for noise"
    short = untested_change(50_000, 100_000, 5, 12, 12, additive=True)
    assert short.verdict == NOT_COMPARABLE
    ratio = untested_change(2.5, 3.0, 5, 12, 12, additive=False)
    assert ratio.verdict == NOT_TESTED and ratio.difference == pytest.approx(-0.5)
