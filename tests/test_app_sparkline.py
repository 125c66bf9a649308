"""The scorecard's small trend (dashboard/sparkline.py), worked out by hand.

The picture is 160 x 32 with 3 px padding: x runs from 3 to 157, y from 29 (lowest
value) up to 3 (highest value); SVG's y axis points down.
"""

from __future__ import annotations

import math

from dashboard import sparkline


def test_points_span_the_values_and_leave_gaps():
    # [60%, gap, 80%, 70%]: step 154 / 3 = 51.33 -> x = 3, 54.3, 105.7, 157;
    # lowest 0.6 -> y 29, highest 0.8 -> y 3, 0.7 -> 3 + (0.8 - 0.7) / 0.2 * 26 = 16
    assert sparkline.points([0.6, None, 0.8, 0.7]) == [(3.0, 29.0), None, (105.7, 3.0),
                                                       (157.0, 16.0)]


def test_equal_values_sit_in_the_middle_and_nan_is_a_gap():
    # 2, 2, NaN, 2: step 154 / 3; every value is the lowest and the highest -> y = 16
    assert sparkline.points([2.0, 2.0, math.nan, 2.0]) == [(3.0, 16.0), (54.3, 16.0), None,
                                                            (157.0, 16.0)]


def test_a_gap_breaks_the_line_into_runs():
    coords = [(1.0, 1.0), (2.0, 2.0), None, (4.0, 4.0), None, None]
    assert sparkline.segments(coords) == [[(1.0, 1.0), (2.0, 2.0)], [(4.0, 4.0)]]


def test_the_svg_draws_runs_a_dot_for_a_lone_point_and_the_latest_value():
    svg = sparkline.svg([0.6, None, 0.8, 0.7], "rate")
    # the lone first point is a small dot; 80% -> 70% is a line; the latest gets a dot
    assert '<circle cx="3" cy="29" r="1.5"' in svg
    assert '<polyline points="105.7,3 157,16"' in svg
    assert '<circle cx="157" cy="16" r="2.5"' in svg
    assert svg.count("<polyline") == 1
    assert svg.startswith('<svg class="hv-spark" role="img" aria-label="')
    assert svg.endswith("</svg>")


def test_the_text_alternative_says_what_the_line_shows():
    assert sparkline.description([0.6, None, 0.8, 0.7], "rate") == (
        "Trend over 4 months: from 60.0% to 70.0%, lowest 60.0%, highest 80.0%; 1 month without a "
        "value (a gap in the line).")
    assert sparkline.description([3.0, 5.0], "count", "quarter") == (
        "Trend over 2 quarters: from 3 to 5, lowest 3, highest 5.")
    assert sparkline.description([None, None], "rate") == (
        "Trend over 2 months: no value to draw.")


def test_money_values_are_written_as_money():
    # £1,500 -> '£1.50k' (three significant figures); two points: lowest at (3, 29),
    # highest at (157, 3)
    svg = sparkline.svg([1500.0, 2500.0], "gbp")
    assert "from £1.50k to £2.50k" in svg
    assert '<polyline points="3,29 157,3"' in svg


def test_nothing_to_draw_gives_no_svg():
    assert sparkline.svg([None, None, None], "rate") == ""
    assert sparkline.svg([], "rate") == ""
