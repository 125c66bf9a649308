"""The interval and threshold rules every figure on the dashboard follows: Wilson
intervals (metrics.queries) and the thresholds of the assumptions register (ref.parameters,
the `parameters` query), never a copy of their values."""

from __future__ import annotations

import pandas as pd

from metrics.queries import wilson_interval

__all__ = ["min_paired_n", "register_setting", "wilson_interval"]


def register_setting(params: pd.DataFrame | None, name: str) -> float | None:
    """The central setting of a register parameter; None when the build has no such row."""
    if params is None or params.empty:
        return None
    row = params.loc[params["name"] == name, "central"]
    if row.empty or pd.isna(row.iloc[0]):
        return None
    return float(row.iloc[0])


def min_paired_n(params: pd.DataFrame | None) -> int | None:
    """Fewest paired people a pre/post mean is shown for (register: min_paired_n)."""
    value = register_setting(params, "min_paired_n")
    return None if value is None else int(value)
