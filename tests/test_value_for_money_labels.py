"""The value-for-money page counts only the months where every monetised component is
measurable: its figures say which months they count and which they leave out (spec
evidence section 1), so they are never read as the scorecard's 12-month figure."""

from __future__ import annotations


def test_value_for_money_labels_name_the_months_counted_and_left_out():
    from metrics.formatting import month_words
    from metrics.valuation import Inputs, months_counted

    months = ("2025-12-01", "2026-01-01", "2026-02-01", "2026-04-01")
    assert month_words(months) == "Dec 2025 to Feb 2026 and Apr 2026"
    inputs = Inputs(months=months, months_excluded=("2026-03-01", "2026-05-01", "2026-06-01"))
    assert months_counted(inputs, 7) == (
        "counts 4 of the period's 7 months (Dec 2025 to Feb 2026 and Apr 2026), where every "
        "component is measurable; left out, not yet measurable: Mar 2026 and May 2026 to "
        "Jun 2026"
    )
    assert months_counted(Inputs(), 12) == (
        "none of the period's 12 months has every component measurable"
    )
