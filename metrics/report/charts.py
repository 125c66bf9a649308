"""Charts for the reports, drawn as small inline SVG.

The reports do not use Plotly: a static report needs vector images that render the
same in a browser and in WeasyPrint's PDF, offline, in milliseconds. Exporting Plotly
figures to SVG through Kaleido starts a headless Chromium and took about 4 s per chart
(0.6 s each with a shared server) on the development machine, which would make a
report take a minute; these charts take well under a millisecond each.

The style follows the Analysis Function's guidance, as the dashboard does
(dashboard/charts.py uses the same palette): values are labelled directly on the
bars, nothing is shown by colour alone, and a figure without a value (no data, not
yet measurable, nobody in the base, hidden by disclosure control) is drawn as a
labelled gap, never as a bar of 0. Every chart has a title and a description for
screen readers, and the report puts a table of the same figures beside it. Every
text that reaches the SVG is escaped.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
DARK_GREY = "#3D3D3D"
LIGHT_GREY = "#BFBFBF"
GRID = "#E5E5E5"
TEXT = "#0B0C0C"
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
FONT_SIZE = 12
CHAR_WIDTH = 0.56 * FONT_SIZE  # a generous average for the label column
_ids = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    """One bar: `value` None draws a labelled gap with `text` (a status or [c])."""

    label: str
    value: float | None
    text: str
    low: float | None = None
    high: float | None = None
    highlight: bool = False


@dataclass(frozen=True)
class Point:
    """One month of a trend: `value` None is a gap labelled `text` below the axis."""

    label: str
    value: float | None
    text: str = ""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _open(width: float, height: float, title: str, description: str) -> tuple[str, str]:
    chart_id = f"chart{next(_ids)}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" font-family="{FONT}" '
        f'font-size="{FONT_SIZE}" fill="{TEXT}">'
        f'<title id="{chart_id}-t">{_e(title)}</title>'
        f'<desc id="{chart_id}-d">{_e(description)}</desc>'
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" '
        f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="white"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{LIGHT_GREY}" stroke-width="2"/>'
        f"</pattern></defs>"
    )
    return head, chart_id


def _label_width(labels: list[str], limit: float = 230) -> float:
    longest = max((len(label) for label in labels), default=0)
    return min(limit, max(80.0, longest * CHAR_WIDTH + 12))


def _wrap(label: str, width: float, max_lines: int = 3) -> list[str]:
    """A label in lines that fit the label column (words are never cut, so a number is
    never parted from its unit; an over-long last line is left to overflow)."""
    room = max(8, int((width - 12) / CHAR_WIDTH))
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= room:
            lines[-1] += " " + word
        elif len(lines) < max_lines:
            lines.append(word)
        else:
            lines[-1] += " " + word
    return lines or [""]


def _label(x: float, middle: float, lines: list[str]) -> str:
    first = middle + 4 - (len(lines) - 1) * 7
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{first + i * 14:.1f}">{_e(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text text-anchor="end">{spans}</text>'


def _domain(values: list[float], unit: str) -> tuple[float, float]:
    if unit == "rate":
        return 0.0, 1.0
    low = min([0.0, *values])
    high = max([0.0, *values])
    if high == low:
        high = low + 1.0
    return low, high


def bar_chart(
    bars: list[Bar], unit: str, title: str, description: str, width: float = 620
) -> Markup:
    """Horizontal bars with their value at the end; rates on a 0 to 100 % axis with 95 %
    interval whiskers where given; other units labelled directly, without an axis."""
    pad_top, pad_bottom = 10, 26 if unit == "rate" else 8
    label_w = _label_width([b.label for b in bars])
    wrapped = [_wrap(b.label, label_w) for b in bars]
    heights = [max(26, 14 * len(lines) + 8) for lines in wrapped]
    tops = [pad_top + sum(heights[:i]) for i in range(len(bars))]
    text_w = max(90.0, max((len(b.text) for b in bars), default=0) * CHAR_WIDTH + 10)
    plot_x, plot_w = label_w, max(120.0, width - label_w - text_w)
    height = pad_top + sum(heights) + pad_bottom
    values = [b.value for b in bars if b.value is not None]
    values += [b.high for b in bars if b.high is not None]
    low, high = _domain(values, unit)

    def x(v: float) -> float:
        return plot_x + (v - low) / (high - low) * plot_w

    head, chart_id = _open(width, height, title, description)
    parts = [head]
    if unit == "rate":
        for tick in (0, 0.25, 0.5, 0.75, 1.0):
            tx = x(tick)
            parts.append(
                f'<line x1="{tx:.1f}" y1="{pad_top - 4}" x2="{tx:.1f}" '
                f'y2="{height - pad_bottom + 2}" stroke="{GRID}"/>'
            )
            parts.append(
                f'<text x="{tx:.1f}" y="{height - 8}" text-anchor="middle" '
                f'font-size="11">{int(tick * 100)}%</text>'
            )
    zero = x(0.0)
    parts.append(
        f'<line x1="{zero:.1f}" y1="{pad_top - 4}" x2="{zero:.1f}" '
        f'y2="{height - pad_bottom + 2}" stroke="{DARK_GREY}"/>'
    )
    for i, bar in enumerate(bars):
        middle = tops[i] + heights[i] / 2
        parts.append(_label(plot_x - 8, middle, wrapped[i]))
        if bar.value is None:
            parts.append(
                f'<rect x="{zero:.1f}" y="{middle - 8:.1f}" '
                f'width="{min(60, plot_w):.1f}" height="16" '
                f'fill="url(#{chart_id}-hatch)" stroke="{LIGHT_GREY}"/>'
            )
            parts.append(
                f'<text x="{zero + min(60, plot_w) + 6:.1f}" y="{middle + 4:.1f}" '
                f'font-style="italic">{_e(bar.text)}</text>'
            )
            continue
        start, end = sorted((x(0.0), x(bar.value)))
        colour = ORANGE if bar.highlight else DARK_BLUE
        parts.append(
            f'<rect x="{start:.1f}" y="{middle - 8:.1f}" '
            f'width="{max(end - start, 1):.1f}" height="16" fill="{colour}"/>'
        )
        text_x = max(end, x(bar.high) if bar.high is not None else end) + 6
        if bar.low is not None and bar.high is not None:
            lx, hx = x(bar.low), x(bar.high)
            parts.append(
                f'<line x1="{lx:.1f}" y1="{middle:.1f}" x2="{hx:.1f}" '
                f'y2="{middle:.1f}" stroke="{TEXT}" stroke-width="1.5"/>'
            )
            for cap in (lx, hx):
                parts.append(
                    f'<line x1="{cap:.1f}" y1="{middle - 5:.1f}" x2="{cap:.1f}" '
                    f'y2="{middle + 5:.1f}" stroke="{TEXT}" stroke-width="1.5"/>'
                )
        parts.append(f'<text x="{text_x:.1f}" y="{middle + 4:.1f}">{_e(bar.text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Range:
    """A projected value: low to high scenario with the central one marked."""

    label: str
    low: float | None
    central: float | None
    high: float | None
    text: str


def range_chart(ranges: list[Range], title: str, description: str, width: float = 620) -> Markup:
    """Low-to-high scenario ranges with a dot at the central value (money)."""
    pad_top, pad_bottom = 10, 8
    label_w = _label_width([r.label for r in ranges])
    wrapped = [_wrap(r.label, label_w) for r in ranges]
    heights = [max(30, 14 * len(lines) + 10) for lines in wrapped]
    tops = [pad_top + sum(heights[:i]) for i in range(len(ranges))]
    text_w = max(120.0, max((len(r.text) for r in ranges), default=0) * CHAR_WIDTH + 10)
    plot_x, plot_w = label_w, max(120.0, width - label_w - text_w)
    height = pad_top + sum(heights) + pad_bottom
    values = [v for r in ranges for v in (r.low, r.central, r.high) if v is not None]
    low, high = _domain(values, "gbp")

    def x(v: float) -> float:
        return plot_x + (v - low) / (high - low) * plot_w

    head, chart_id = _open(width, height, title, description)
    parts = [head]
    zero = x(0.0)
    parts.append(
        f'<line x1="{zero:.1f}" y1="{pad_top - 4}" x2="{zero:.1f}" '
        f'y2="{height - pad_bottom + 2}" stroke="{DARK_GREY}"/>'
    )
    for i, item in enumerate(ranges):
        middle = tops[i] + heights[i] / 2
        parts.append(_label(plot_x - 8, middle, wrapped[i]))
        if item.central is None:
            parts.append(
                f'<rect x="{zero:.1f}" y="{middle - 8:.1f}" width="{min(60, plot_w)}" '
                f'height="16" fill="url(#{chart_id}-hatch)" stroke="{LIGHT_GREY}"/>'
            )
            parts.append(
                f'<text x="{zero + min(60, plot_w) + 6:.1f}" y="{middle + 4:.1f}" '
                f'font-style="italic">{_e(item.text)}</text>'
            )
            continue
        lo = item.low if item.low is not None else item.central
        hi = item.high if item.high is not None else item.central
        lx, hx = sorted((x(lo), x(hi)))
        parts.append(
            f'<rect x="{lx:.1f}" y="{middle - 6:.1f}" width="{max(hx - lx, 1):.1f}" '
            f'height="12" fill="{TURQUOISE}" fill-opacity="0.35" '
            f'stroke="{TURQUOISE}"/>'
        )
        parts.append(
            f'<circle cx="{x(item.central):.1f}" cy="{middle:.1f}" r="5" fill="{DARK_BLUE}"/>'
        )
        parts.append(
            f'<text x="{max(hx, x(item.central)) + 8:.1f}" y="{middle + 4:.1f}">'
            f"{_e(item.text)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_chart(
    points: list[Point],
    unit: str,
    title: str,
    description: str,
    width: float = 620,
    height: float = 200,
) -> Markup:
    """Monthly values as columns, each labelled with its value; months without a value
    are hatched gaps labelled with their status."""
    pad_left, pad_right, pad_top, pad_bottom = 10, 10, 22, 40
    plot_w = width - pad_left - pad_right
    plot_h = height - pad_top - pad_bottom
    values = [p.value for p in points if p.value is not None]
    low, high = _domain(values, unit)
    slot = plot_w / max(1, len(points))

    def y(v: float) -> float:
        return pad_top + (high - v) / (high - low) * plot_h

    head, chart_id = _open(width, height, title, description)
    parts = [head]
    base = y(max(low, 0.0))
    parts.append(
        f'<line x1="{pad_left}" y1="{base:.1f}" x2="{width - pad_right}" '
        f'y2="{base:.1f}" stroke="{DARK_GREY}"/>'
    )
    for i, point in enumerate(points):
        cx = pad_left + slot * (i + 0.5)
        bar_w = slot * 0.62
        parts.append(
            f'<text x="{cx:.1f}" y="{height - pad_bottom + 14:.1f}" '
            f'text-anchor="middle" font-size="10">{_e(point.label)}</text>'
        )
        if point.value is None:
            parts.append(
                f'<rect x="{cx - bar_w / 2:.1f}" y="{pad_top + plot_h * 0.5:.1f}" '
                f'width="{bar_w:.1f}" height="{plot_h * 0.5:.1f}" '
                f'fill="url(#{chart_id}-hatch)" stroke="{LIGHT_GREY}"/>'
            )
            parts.append(
                f'<text x="{cx:.1f}" y="{height - pad_bottom + 27:.1f}" '
                f'text-anchor="middle" font-size="9" font-style="italic">'
                f"{_e(point.text)}</text>"
            )
            continue
        top, bottom = sorted((y(point.value), base))
        colour = ORANGE if i == len(points) - 1 else DARK_BLUE
        parts.append(
            f'<rect x="{cx - bar_w / 2:.1f}" y="{top:.1f}" width="{bar_w:.1f}" '
            f'height="{max(bottom - top, 1):.1f}" fill="{colour}"/>'
        )
        label_y = top - 4 if point.value >= 0 else bottom + 11
        parts.append(
            f'<text x="{cx:.1f}" y="{label_y:.1f}" text-anchor="middle" '
            f'font-size="10">{_e(point.text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def finite(value) -> float | None:
    """A float, or None for a missing value (NaN, None, pandas NA)."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number
