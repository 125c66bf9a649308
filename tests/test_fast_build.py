"""The faster one-machine build (issue 16, item 5): each speed-up does the same work
once, with the same result."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.published import comparison
from metrics.published.comparison import protect_comparisons


def _disability(month: str, basis: str, yes: float, no: float) -> pd.DataFrame:
    return pd.DataFrame({
        "month": [month] * 3, "basis": [basis] * 3, "basis_label": [basis] * 3,
        "characteristic": ["disability"] * 3, "category": ["yes", "no", "unknown"],
        "comparison_people": [yes, no, 3.0], "comparison_share": [None] * 3,
    })


@pytest.fixture
def publish_calls(monkeypatch):
    """Counts the breakdowns the comparison protection publishes."""
    calls = []
    real = comparison.publish

    def counting(release, **kwargs):
        calls.append(release)
        return real(release, **kwargs)

    monkeypatch.setattr(comparison, "publish", counting)
    return calls


def test_a_breakdown_repeated_in_other_months_and_bases_is_protected_once(publish_calls):
    # Yearly comparison figures repeat month after month: yes 6, no 94 in Oct and Nov for
    # recorded victims and in Nov for residents is one breakdown (protected once); yes
    # 20, no 180 is another. Each row is published as if protected on its own: yes
    # (6, sensitive) hidden, no 94 -> 95, share 95 / 100; 20 -> 20, 180 -> 180, 20 / 200.
    rows = pd.concat([
        _disability("2026-10-01", "recorded_victims", 6.0, 94.0),
        _disability("2026-11-01", "recorded_victims", 6.0, 94.0),
        _disability("2026-11-01", "residents", 6.0, 94.0),
        _disability("2026-11-01", "other", 20.0, 180.0),
    ], ignore_index=True)
    out = protect_comparisons(rows)
    assert len(publish_calls) == 2
    assert len(out) == 8  # unknown is not a category of the comparison
    small = out[out["basis"] != "other"].set_index(["month", "basis", "category"])
    assert small["comparison_people"].isna().groupby(level="category").all()["yes"]
    assert (small.xs("no", level="category")["comparison_people"] == 95).all()
    assert small.xs("no", level="category")["comparison_share"].tolist() == pytest.approx(
        [0.95] * 3)
    other = out[out["basis"] == "other"].set_index("category")
    assert other.loc["yes", "comparison_people"] == 20
    assert other.loc["yes", "comparison_share"] == pytest.approx(0.1)


def test_the_breakdowns_protected_are_shared_between_calls(publish_calls):
    # The release step protects each quarter's latest month in its own call; a dict of
    # breakdowns already protected, passed to each, protects a repeated one once.
    done: dict = {}
    first = protect_comparisons(_disability("2026-10-01", "recorded_victims", 6.0, 94.0), done)
    second = protect_comparisons(_disability("2026-11-01", "recorded_victims", 6.0, 94.0), done)
    assert len(publish_calls) == 1
    columns = ["category", "comparison_people", "comparison_share", "comparison_hidden"]
    pd.testing.assert_frame_equal(first[columns], second[columns])
    alone = protect_comparisons(_disability("2026-11-01", "recorded_victims", 6.0, 94.0))
    pd.testing.assert_frame_equal(alone, second)
