"""A hub's own register: named rows that override the shipped assumptions register.

`hubvalue build --assumptions FILE` reads a CSV with the register's columns (spec:
evidence.md, section 4). Each row overrides the shipped row of the same name. It is
refused, with one line naming the file, the row and the rule, when:

* the name is not in the shipped register, or appears twice in the file;
* its unit differs from the shipped row's;
* low, central or high is not a number;
* its settings are out of the shipped row's order: if the shipped low is at most its high,
  the override needs low <= central <= high, otherwise low >= central >= high;
* a status is given that is not one of the register's statuses;
* a price year is given that cannot be read or has no GDP deflator;
* settings in years are not whole numbers of years (the annuity counts whole years).

An override with no source is a `local_assumption` (whatever status it gives); one with a
source keeps its status, `unverified` when none is given. Empty price_year and note take
the shipped row's. The file's SHA-256 is recorded with the build.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from metrics.register import (
    REGISTER_COLUMNS,
    SCENARIOS,
    STATUSES,
    DeflatorError,
    RegisterError,
    _number,
    load_deflators,
    load_register,
    normalise_year,
)


@dataclass(frozen=True)
class HubRegister:
    register: pd.DataFrame  # the shipped register with the hub's rows in place
    overrides: pd.DataFrame  # one row per overridden name: shipped and hub settings
    sha256: str
    file_name: str


OVERRIDE_COLUMNS = [
    "name", "unit", "shipped_low", "shipped_central", "shipped_high", "shipped_status",
    "shipped_source", "shipped_price_year", "low", "central", "high", "status", "source",
    "price_year", "note",
]


def _fail(path: Path, line: int | None, rule: str) -> RegisterError:
    where = path.name if line is None else f"{path.name}, row {line}"
    return RegisterError(f"{where}: {rule}")


def _in_order(low: float, central: float, high: float, ascending: bool) -> bool:
    return low <= central <= high if ascending else low >= central >= high


def read_hub_register(path: str | Path, shipped: pd.DataFrame | None = None) -> HubRegister:
    """Check a hub's override file against the shipped register and apply it."""
    path = Path(path)
    if not path.is_file():
        raise _fail(path, None, "file not found")
    raw = path.read_bytes()
    shipped = load_register() if shipped is None else shipped.copy()
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError):
        raise _fail(path, None, "not a readable UTF-8 CSV file") from None
    if list(frame.columns) != REGISTER_COLUMNS:
        raise _fail(path, 1, f"header must be {','.join(REGISTER_COLUMNS)}")
    by_name = {name: i for i, name in enumerate(shipped["name"])}
    seen: dict[str, int] = {}
    changes = []
    for line, row in enumerate(frame.to_dict("records"), start=2):
        name = row["name"].strip()
        if name not in by_name:
            raise _fail(path, line, "name is not a parameter of the shipped register")
        if name in seen:
            raise _fail(path, line, f"'{name}' is overridden twice (also row {seen[name]})")
        seen[name] = line
        base = shipped.iloc[by_name[name]]
        if row["unit"].strip() != base["unit"]:
            raise _fail(path, line, f"unit of '{name}' differs from the shipped register's")
        values = {}
        for column in SCENARIOS:
            value = _number(row[column].strip())
            if value is None:
                raise _fail(path, line, f"{column} of '{name}' is not a number")
            values[column] = value
        if base["unit"].strip() == "years" and any(
                v < 0 or not float(v).is_integer() for v in values.values()):
            raise _fail(path, line, f"settings of '{name}' must be whole numbers of years")
        price_year = row["price_year"].strip()
        if price_year:
            try:
                label = normalise_year(price_year)
            except DeflatorError:
                raise _fail(path, line, f"price_year of '{name}' is not a year like "
                            "2015/16") from None
            if label not in set(load_deflators()["financial_year"]):
                raise _fail(path, line, f"price_year of '{name}' has no GDP deflator")
        ascending = base["low"] <= base["high"]
        if not _in_order(values["low"], values["central"], values["high"], ascending):
            order = "low <= central <= high" if ascending else "low >= central >= high"
            raise _fail(path, line, f"settings of '{name}' are out of order (need {order})")
        source = row["source"].strip()
        status = row["status"].strip()
        if status and status not in STATUSES:
            raise _fail(path, line, f"status of '{name}' is not one of {sorted(STATUSES)}")
        status = "local_assumption" if not source else (status or "unverified")
        changes.append({
            "name": name, "unit": base["unit"],
            "shipped_low": base["low"], "shipped_central": base["central"],
            "shipped_high": base["high"], "shipped_status": base["status"],
            "shipped_source": base["source"], "shipped_price_year": base["price_year"],
            **values, "status": status,
            "source": source or "hub's own register (no source given)",
            "price_year": price_year or base["price_year"], "note": row["note"].strip(),
        })
        index = shipped.index[by_name[name]]
        for column, value in values.items():
            shipped.loc[index, column] = value
        shipped.loc[index, "status"] = status
        shipped.loc[index, "source"] = source or "hub's own register (no source given)"
        if row["price_year"].strip():
            shipped.loc[index, "price_year"] = row["price_year"].strip()
        if row["note"].strip():
            shipped.loc[index, "note"] = row["note"].strip()
    if not changes:
        raise _fail(path, None, "overrides no parameter")
    overrides = pd.DataFrame(changes, columns=OVERRIDE_COLUMNS)
    return HubRegister(shipped, overrides, hashlib.sha256(raw).hexdigest(), path.name)


# An example of a hub's own register for the demo (`hubvalue generate
# --example-assumptions FILE`): illustrative values, not evidence.
EXAMPLE_ROWS = [
    ["deadweight_wellbeing", "0.5", "0.4", "0.3", "share", "", "local_assumption", "",
     "example: a hub that expects more natural recovery than the shipped central"],
    ["crime_cost_response_burglary_residential", "1300", "1500", "1800", "GBP per crime",
     "2024/25", "unverified", "Example force's own police and criminal justice unit cost "
     "(illustrative, not a real figure)", "example: a force's own unit cost"],
]


def write_example(path: str | Path) -> Path:
    """Write the example override file (register columns) to `path`."""
    path = Path(path)
    frame = pd.DataFrame(EXAMPLE_ROWS, columns=REGISTER_COLUMNS)
    frame.to_csv(path, index=False)
    return path
