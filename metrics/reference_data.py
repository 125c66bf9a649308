"""Reference tables every build writes beside the hub's data (schema ``ref``).

* ``ref.calendar``: working days of England and Wales (see calendar.py).
* ``ref.swemwbs_metric``: the published SWEMWBS raw-to-metric conversion.
* ``ref.parameters``: the assumptions register, money uprated to the price base year.
* ``ref.deflators``: the GDP deflators used for uprating.
* ``ref.overrides``: a hub's own register (``build --assumptions``): each overridden row
  with the shipped settings beside the hub's (empty when the build has none).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from metrics import calendar, register
from metrics.hub_register import OVERRIDE_COLUMNS, HubRegister

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def swemwbs_conversion() -> pd.DataFrame:
    frame = pd.read_csv(DATA_DIR / "swemwbs_metric.csv")
    return frame.astype({"raw": "int32", "metric": "float64"})


def write_reference(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    base_year: str | None = None,
    overrides: dict | None = None,
    hub: HubRegister | None = None,
) -> None:
    con.execute("create schema if not exists ref")
    listed = hub.overrides if hub is not None else pd.DataFrame(columns=OVERRIDE_COLUMNS)
    tables = {
        "calendar": calendar.calendar_frame(),
        "swemwbs_metric": swemwbs_conversion(),
        "parameters": register.parameters(
            as_of, base_year=base_year, overrides=overrides,
            register_frame=hub.register if hub is not None else None,
        ),
        "deflators": register.load_deflators(),
        "overrides": listed.astype({c: "float64" for c in OVERRIDE_COLUMNS
                                    if c.endswith(("low", "central", "high"))}).astype(
            {c: "string" for c in OVERRIDE_COLUMNS
             if not c.endswith(("low", "central", "high"))}),
    }
    for name, frame in tables.items():
        con.register("_frame", frame)
        con.execute(f"create or replace table ref.{name} as select * from _frame")
        con.unregister("_frame")
