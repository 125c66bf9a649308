"""A small trend line as inline SVG, for the scorecard's cells.

A full chart per cell (Plotly or Vega) costs the browser far more than the scorecard's
20 tiny trends are worth; an inline SVG of a few points costs almost nothing. Periods
without a value (None) break the line, so a gap is never drawn as 0; the latest value
is marked with a dot. The picture has a text alternative (`role="img"` and a title) that
says what it shows in words. Every text in it is escaped.

The line spans the values' own range (lowest at the bottom, highest at the top), as a
sparkline does: it shows the shape of the trend, not its level (the level is the figure
above it).
"""

from __future__ import annotations

import html
import math

from dashboard import formatting as fmt

WIDTH = 160
HEIGHT = 32
PAD = 3.0
LINE = "#12436D"  # Analysis Function dark blue


def _number(value) -> float | None:
    if value is None or fmt.missing(value):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def points(values: list[float | None], width: float = WIDTH, height: float = HEIGHT,
           pad: float = PAD) -> list[tuple[float, float] | None]:
    """(x, y) of each value in SVG coordinates (y down), None where there is no value.

    x runs evenly from `pad` to `width - pad`; y from `height - pad` (the lowest value)
    to `pad` (the highest); a line of equal values sits in the middle."""
    numbers = [_number(v) for v in values]
    present = [v for v in numbers if v is not None]
    if not present:
        return [None] * len(numbers)
    low, high = min(present), max(present)
    step = (width - 2 * pad) / (len(numbers) - 1) if len(numbers) > 1 else 0.0
    out: list[tuple[float, float] | None] = []
    for i, v in enumerate(numbers):
        if v is None:
            out.append(None)
            continue
        x = pad + i * step if len(numbers) > 1 else width / 2
        y = height / 2 if high == low else pad + (high - v) / (high - low) * (height - 2 * pad)
        out.append((round(x, 1), round(y, 1)))
    return out


def segments(coords: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive points: a period without a value ends a run."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for point in coords:
        if point is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(point)
    if current:
        runs.append(current)
    return runs


def description(values: list[float | None], unit: str, step: str = "month") -> str:
    """The text alternative: 'Trend over 12 months: from 60% to 80%, lowest 55%, highest
    80%; 1 month without a value (a gap in the line).'"""
    numbers = [_number(v) for v in values]
    present = [v for v in numbers if v is not None]
    plural = f"{step}s" if len(numbers) != 1 else step
    if not present:
        return f"Trend over {len(numbers)} {plural}: no value to draw."
    text = (f"Trend over {len(numbers)} {plural}: from {fmt.value_text(present[0], unit)} to "
            f"{fmt.value_text(present[-1], unit)}, lowest {fmt.value_text(min(present), unit)}, "
            f"highest {fmt.value_text(max(present), unit)}")
    gaps = len(numbers) - len(present)
    if gaps:
        text += (f"; {gaps} {step if gaps == 1 else step + 's'} without a value "
                 "(a gap in the line)")
    return text + "."


def svg(values: list[float | None], unit: str, step: str = "month") -> str:
    """The sparkline as one inline <svg> element ('' when there is nothing to draw)."""
    coords = points(values)
    runs = segments(coords)
    if not runs:
        return ""
    label = html.escape(description(values, unit, step), quote=True)
    parts = [f'<svg class="hv-spark" role="img" aria-label="{label}" width="{WIDTH}" '
             f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
             'xmlns="http://www.w3.org/2000/svg">', f"<title>{label}</title>"]
    for run in runs:
        if len(run) == 1:
            x, y = run[0]
            parts.append(f'<circle cx="{x:g}" cy="{y:g}" r="1.5" fill="{LINE}"/>')
            continue
        path = " ".join(f"{x:g},{y:g}" for x, y in run)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" '
                     'stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/>')
    last = next(p for p in reversed(coords) if p is not None)
    parts.append(f'<circle cx="{last[0]:g}" cy="{last[1]:g}" r="2.5" fill="{LINE}"/>')
    parts.append("</svg>")
    return "".join(parts)
