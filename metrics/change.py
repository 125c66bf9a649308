"""Like-for-like change, and whether it is beyond noise (spec: evidence.md, section 3).

A change compares the selected period with the period of the same length just before it
(and, in reports, the same period a year earlier). It is called a rise or a fall (an
arrow, a colour, "moved the wrong way") only when it is beyond noise:

* rates: Newcombe's hybrid score interval for the difference of two proportions (his
  method 10: Wilson score limits for each proportion, no continuity correction; Newcombe
  1998, Statistics in Medicine 17:873-890) lies strictly on one side of 0; a period whose
  base is 0 makes the change not comparable;
* counts of events: the exact conditional test of two Poisson counts over periods of
  equal length, p = min(1, 2 x the smaller tail) of Binomial(x1 + x2, 1/2) at x1, is
  below 0.05; x1 + x2 = 0 is "no clear change";
* counts and money compare only when both periods have the same number of `ok` months;
  otherwise "not comparable: n of N months measurable";
* money, sums of contacts, fractional estimates, ratios and medians show their change
  without an arrow, "not tested for noise".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from metrics.queries import wilson_interval

ALPHA = 0.05

BEYOND_NOISE = "beyond_noise"
NO_CLEAR_CHANGE = "no_clear_change"
NOT_COMPARABLE = "not_comparable"
NOT_TESTED = "not_tested"


def newcombe_interval(x1: float, n1: float, x2: float, n2: float,
                      z: float = 1.959963984540054) -> tuple[float, float]:
    """95 % hybrid score interval for p1 - p2 (Newcombe's method 10)."""
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both bases must be above 0")
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, z)
    l2, u2 = wilson_interval(x2, n2, z)
    difference = p1 - p2
    lower = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return lower, upper


def poisson_conditional_p(x1: int, x2: int) -> float:
    """Two-sided p of the exact conditional test that two Poisson counts over periods of
    equal length have the same rate: min(1, 2 x the smaller tail of Binomial(x1 + x2,
    1/2) at x1)."""
    if x1 < 0 or x2 < 0:
        raise ValueError("counts must not be negative")
    n = x1 + x2
    if n == 0:
        return 1.0
    from scipy.stats import binom  # imported when first needed: scipy.stats takes a second

    lower = binom.cdf(x1, n, 0.5)  # P(X <= x1)
    upper = binom.sf(x1 - 1, n, 0.5)  # P(X >= x1)
    return float(min(1.0, 2 * min(lower, upper)))


@dataclass(frozen=True)
class Change:
    """One like-for-like change: its size (selected minus earlier), what the rule made
    of it, and the words a reader sees."""

    verdict: str  # BEYOND_NOISE, NO_CLEAR_CHANGE, NOT_COMPARABLE or NOT_TESTED
    difference: float | None = None
    interval: tuple[float, float] | None = None
    p_value: float | None = None
    note: str = ""

    @property
    def direction(self) -> int:
        """+1 a rise beyond noise, -1 a fall beyond noise, 0 otherwise (no arrow)."""
        if self.verdict != BEYOND_NOISE or not self.difference:
            return 0
        return 1 if self.difference > 0 else -1


def rate_change(x1: float, n1: float, x2: float, n2: float) -> Change:
    """Selected period (x1 of n1) against the earlier one (x2 of n2), pooled over their
    `ok` months."""
    if not n1 or not n2:
        return Change(NOT_COMPARABLE, note="not comparable: nobody in the base of a period")
    difference = x1 / n1 - x2 / n2
    lower, upper = newcombe_interval(x1, n1, x2, n2)
    beyond = lower > 0 or upper < 0
    return Change(BEYOND_NOISE if beyond else NO_CLEAR_CHANGE, difference, (lower, upper),
                  note="" if beyond else "no clear change")


def _months_note(ok_selected: int, ok_earlier: int, months: int) -> str | None:
    if ok_selected != ok_earlier or ok_selected != months:
        return (f"not comparable: {ok_selected} of {months} months measurable, "
                f"against {ok_earlier} of {months}")
    return None


def count_change(x1: int, x2: int, ok_selected: int, ok_earlier: int, months: int) -> Change:
    """A count of events over two periods of `months` months, each with its number of
    `ok` months."""
    note = _months_note(ok_selected, ok_earlier, months)
    if note:
        return Change(NOT_COMPARABLE, note=note)
    p_value = poisson_conditional_p(int(x1), int(x2))
    beyond = (x1 + x2) > 0 and p_value < ALPHA
    return Change(BEYOND_NOISE if beyond else NO_CLEAR_CHANGE, float(x1 - x2),
                  p_value=p_value, note="" if beyond else "no clear change")


def untested_change(value: float, earlier: float, ok_selected: int, ok_earlier: int,
                    months: int, additive: bool) -> Change:
    """Money, sums of contacts, fractional estimates, ratios and medians: the change is
    shown without an arrow. Additive figures (money, sums) compare only over the same
    number of measurable months."""
    if additive:
        note = _months_note(ok_selected, ok_earlier, months)
        if note:
            return Change(NOT_COMPARABLE, note=note)
    return Change(NOT_TESTED, value - earlier, note="not tested for noise")
