"""Money never shows floating-point dust: below half a penny is £0 (seen on the public
scorecard as "£0.0000000000…" when a quarter's monthly gains and losses cancelled)."""

import pytest

from metrics.formatting import gbp


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (9.82e-11, "£0"),
        (-1.16e-10, "£0"),
        (0.0049, "£0"),
        (0.005, "£0.005"),
        (0.5, "£0.5"),
        (-11849.53 + 41473.35 - 29623.82, "£0"),
        (60_049, "£60.0k"),
    ],
)
def test_money_below_half_a_penny_is_nought(amount, shown):
    assert gbp(amount) == shown
