"""The interval and threshold rules every rate on the dashboard follows."""

from __future__ import annotations

from metrics.queries import wilson_interval

MIN_PAIRED_FOR_MEANS = 30  # Warwick WEMWBS guidance; register parameter min_paired_n

__all__ = ["MIN_PAIRED_FOR_MEANS", "wilson_interval"]
