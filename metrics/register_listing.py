"""How a hub's own register is listed beside the shipped one (build --assumptions; spec:
evidence.md section 4): one rule for the dashboard's Methods page (manager, PCC and
public) and every report (manager pack, PCC review, public bulletin).

`overrides` is the frame of the named queries `register_overrides` (ref.overrides) and
`public_register_overrides` (published.overrides): one row per overridden parameter,
the shipped settings beside the hub's. Values go through `formatting.parameter_value`.
"""

from __future__ import annotations

import pandas as pd

from metrics import formatting as fmt

NO_OVERRIDES = "No overrides: the shipped register was used."
HEADERS = ["Parameter", "Unit", "Shipped value", "Hub's value", "Status",
           "Source and reason given"]
NOTE = ("Central setting first, then the low and high scenario settings; money in the "
        "row's own price year, before uprating to the price base year.")


def _text(value) -> str:
    return "" if fmt.missing(value) else str(value).strip()


def settings(low, central, high, unit: str, price_year) -> str:
    """'40% (low 50%, high 30%)'; money adds its price year: '... , 2024/25 prices'."""
    text = (f"{fmt.parameter_value(central, unit)} (low {fmt.parameter_value(low, unit)}, "
            f"high {fmt.parameter_value(high, unit)})")
    year = _text(price_year)
    return f"{text}, {year} prices" if year and str(unit).startswith("GBP") else text


def summary(overrides: pd.DataFrame, file_name: str = "", sha256: str = "") -> str:
    """The sentence above the listing; NO_OVERRIDES when there is none."""
    if overrides.empty:
        return NO_OVERRIDES
    named = f" ({file_name}, SHA-256 {sha256})" if file_name and sha256 else ""
    # no count in words or figures: the public scan reads a bare small number as people
    return (f"This build uses the hub's own register{named}. Each parameter it overrides "
            "is listed below beside the shipped value; every figure that uses one uses the "
            "hub's value.")


def rows(overrides: pd.DataFrame) -> list[list[str]]:
    """One row of texts per override, in HEADERS' order."""
    out = []
    for r in overrides.itertuples(index=False):
        reason = _text(getattr(r, "note", ""))
        source = _text(r.source)
        out.append([
            fmt.parameter_name(str(r.name)),
            _text(r.unit),
            settings(r.shipped_low, r.shipped_central, r.shipped_high, r.unit,
                     getattr(r, "shipped_price_year", "")),
            settings(r.low, r.central, r.high, r.unit, getattr(r, "price_year", "")),
            fmt.status_label(str(r.status)) if _text(r.status) else "",
            f"{source}; {reason}" if reason else source,
        ])
    return out


def frame(overrides: pd.DataFrame) -> pd.DataFrame:
    """The listing as a table of texts (the dashboard shows it as it is)."""
    return pd.DataFrame(rows(overrides), columns=HEADERS)
