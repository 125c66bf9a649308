"""The interval and threshold rules every figure on the dashboard follows: Wilson
intervals (metrics.queries) and the thresholds of the assumptions register (ref.parameters,
the `parameters` query), never a copy of their values."""

from __future__ import annotations

import pandas as pd

from metrics.queries import wilson_interval
from metrics.register import setting

__all__ = ["min_paired_n", "wilson_interval"]


def min_paired_n(params: pd.DataFrame | None) -> int | None:
    """Fewest paired people a pre/post mean is shown for (register: min_paired_n)."""
    value = setting(params, "min_paired_n")
    return None if value is None else int(value)
