"""The assumptions register and the GDP deflator table.

`load_register` and `load_deflators` read and validate `data/assumptions.csv` and
`data/deflators.csv`. `parameters` returns the register with every money parameter
uprated to one price base year (a financial year, 'YYYY/YY'), with the user's what-if
overrides applied. Price-year rule: a financial year is used as written; a calendar year
Y is read as the financial year Y/Y+1 (the one that starts in April of Y). See
docs/register.md.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import pandas as pd

from metrics import period

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REGISTER_PATH = PROJECT_ROOT / "data" / "assumptions.csv"
DEFLATORS_PATH = PROJECT_ROOT / "data" / "deflators.csv"

REGISTER_COLUMNS = [
    "name", "low", "central", "high", "unit", "price_year", "status", "source", "note",
]
DEFLATOR_COLUMNS = ["financial_year", "deflator_index", "is_forecast", "source", "note"]
SCENARIOS = ("low", "central", "high")
STATUSES = {"verified", "unverified", "local_assumption"}
OUTPUT_COLUMNS = [
    "name", "low", "central", "high", "unit", "price_year", "base_year", "uprate_factor",
    "status", "source", "note", "base_year_note",
]

_FY = re.compile(r"^(\d{4})[/-](\d{2}|\d{4})$")
_CALENDAR = re.compile(r"^\d{4}$")


class RegisterError(ValueError):
    """A register or deflator file breaks a rule (the message names file, row and rule)."""


class DeflatorError(ValueError):
    """A year has no GDP deflator, or a year label cannot be read."""


def _fail(path: Path, line: int | None, rule: str) -> RegisterError:
    where = f"{path}" if line is None else f"{path}, row {line}"
    return RegisterError(f"{where}: {rule}")


def _content(path: Path) -> bytes:
    if not path.is_file():
        raise _fail(path, None, "file not found")
    return path.read_bytes()


def _read_csv(path: Path, content: bytes, columns: list[str]) -> pd.DataFrame:
    frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    if list(frame.columns) != columns:
        raise _fail(path, 1, f"header must be {','.join(columns)}, got {','.join(frame.columns)}")
    return frame


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def load_register(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the assumptions register.

    Rules: names present and unique; low, central and high numeric; status one of
    verified, unverified, local_assumption; money parameters (unit starting 'GBP') carry a
    price year; parameters in years are whole numbers of years. Row numbers in errors are
    file lines (the header is row 1).
    """
    path = Path(path) if path is not None else REGISTER_PATH
    return _checked_register(path, _content(path)).copy()


# A file's checked rows are kept per process by its path and content (a build reads the
# register and the deflators more than once; a changed file is read and checked again).
@lru_cache(maxsize=8)
def _checked_register(path: Path, content: bytes) -> pd.DataFrame:
    frame = _read_csv(path, content, REGISTER_COLUMNS)
    seen: dict[str, int] = {}
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        if not row.name.strip():
            raise _fail(path, i, "name is empty")
        if row.name in seen:
            raise _fail(path, i, f"name '{row.name}' duplicates row {seen[row.name]}")
        seen[row.name] = i
        for col in SCENARIOS:
            if _number(getattr(row, col)) is None:
                raise _fail(path, i, f"{col} '{getattr(row, col)}' of '{row.name}' is not a number")
        if row.status not in STATUSES:
            raise _fail(
                path, i, f"status '{row.status}' of '{row.name}' is not one of {sorted(STATUSES)}"
            )
        if row.unit.startswith("GBP") and not row.price_year.strip():
            raise _fail(path, i, f"money parameter '{row.name}' has no price_year")
        if row.unit.strip() == "years":
            for col in SCENARIOS:
                years = _number(getattr(row, col))
                if years < 0 or not years.is_integer():
                    raise _fail(path, i, f"{col} of '{row.name}' must be a whole number of "
                                "years (the annuity counts whole years)")
    for col in SCENARIOS:
        frame[col] = frame[col].astype(float)
    return frame


def load_deflators(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the GDP deflator table (one row per financial year)."""
    path = Path(path) if path is not None else DEFLATORS_PATH
    return _checked_deflators(path, _content(path)).copy()


@lru_cache(maxsize=8)
def _checked_deflators(path: Path, content: bytes) -> pd.DataFrame:
    frame = _read_csv(path, content, DEFLATOR_COLUMNS)
    seen: set[str] = set()
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        if not re.fullmatch(r"\d{4}/\d{2}", row.financial_year):
            raise _fail(path, i, f"financial_year '{row.financial_year}' is not like 2015/16")
        try:
            label = normalise_year(row.financial_year)
        except DeflatorError as exc:
            raise _fail(path, i, str(exc)) from None
        if label in seen:
            raise _fail(path, i, f"financial_year '{label}' appears twice")
        seen.add(label)
        value = _number(row.deflator_index)
        if value is None or value <= 0:
            raise _fail(path, i, f"deflator_index '{row.deflator_index}' is not a positive number")
        if row.is_forecast not in ("true", "false"):
            raise _fail(path, i, f"is_forecast '{row.is_forecast}' is not true or false")
    frame["deflator_index"] = frame["deflator_index"].astype(float)
    frame["is_forecast"] = frame["is_forecast"] == "true"
    return frame.sort_values("financial_year", ignore_index=True)


def financial_year_of(date: dt.date) -> str:
    """The UK financial year (1 April to 31 March) containing `date`, as 'YYYY/YY'."""
    if not isinstance(date, dt.date):
        raise TypeError(f"expected a date, got {type(date).__name__}")
    return period.financial_year_label(date)


def normalise_year(year: str) -> str:
    """'2015/16', '2015-16' or '2015-2016' -> '2015/16'; a calendar year '2019' -> '2019/20'."""
    text = str(year).strip()
    if _CALENDAR.match(text):
        start = int(text)
    else:
        match = _FY.match(text)
        if not match:
            raise DeflatorError(f"cannot read year '{year}': use 2015/16, 2015-16 or 2019")
        start, end = int(match.group(1)), match.group(2)
        if int(end) != (start + 1) % 10 ** len(end):
            raise DeflatorError(f"'{year}' is not a financial year (the years must be consecutive)")
    return period.year_label(start)


def _index(deflators: pd.DataFrame | Mapping[str, float]) -> dict[str, float]:
    if isinstance(deflators, pd.DataFrame):
        years = [normalise_year(y) for y in deflators["financial_year"]]
        return dict(zip(years, deflators["deflator_index"].astype(float), strict=True))
    return {normalise_year(k): float(v) for k, v in deflators.items()}


def uprate_factor(
    price_year: str, base_year: str, deflators: pd.DataFrame | Mapping[str, float]
) -> float:
    """GDP deflator(base_year) / GDP deflator(price_year).

    Years may be written '2015/16', '2015-16' or as a calendar year '2019' (read as
    2019/20). Raises DeflatorError for a year the table does not cover.
    """
    index = _index(deflators)
    values = []
    for role, year in (("price year", price_year), ("base year", base_year)):
        label = normalise_year(year)
        if label not in index:
            span = f"{min(index)} to {max(index)}" if index else "no years"
            raise DeflatorError(
                f"no GDP deflator for financial year {label} ({role} '{year}'); "
                f"the deflator table covers {span}"
            )
        values.append(index[label])
    return values[1] / values[0]


def annuity_factor(years: float, dropoff: float, rate: float) -> float:
    """A(T, d, r) = sum over t = 0 .. T-1 of (1 - d)^t / (1 + r)^t; A(1, d, r) = 1.

    `years` is an int, or a float with an integral value (2.0); anything else raises.
    """
    if isinstance(years, bool) or not isinstance(years, (int, float)):
        raise TypeError(f"years must be a whole number, got {years!r}")
    if not float(years).is_integer() or years < 0:
        raise ValueError(f"years must be a whole number >= 0, got {years!r}")
    if not 0 <= dropoff <= 1:
        raise ValueError(f"dropoff must be a share between 0 and 1, got {dropoff!r}")
    if rate <= -1:
        raise ValueError(f"rate must be greater than -1, got {rate!r}")
    ratio = (1 - dropoff) / (1 + rate)
    return float(sum(ratio**t for t in range(int(years))))


def setting(params: pd.DataFrame | None, name: str, scenario: str = "central") -> float | None:
    """A parameter's setting in a register frame (`ref.parameters`, `parameters()`); None
    when the frame has no such row, so that no threshold is ever a copied literal."""
    if params is None or params.empty:
        return None
    values = params.loc[params["name"] == name, scenario]
    if values.empty or pd.isna(values.iloc[0]):
        return None
    return float(values.iloc[0])


def _apply_overrides(register: pd.DataFrame, overrides: Mapping[str, Mapping[str, float]]) -> None:
    known = set(register["name"])
    for name, change in overrides.items():
        if name not in known:
            raise KeyError(f"override for unknown parameter '{name}'")
        if not isinstance(change, Mapping):
            raise TypeError(f"override for '{name}' must map low/central/high to numbers")
        for key, value in change.items():
            if key not in SCENARIOS:
                raise ValueError(f"override for '{name}': '{key}' is not one of {SCENARIOS}")
            if isinstance(value, bool) or _number(str(value)) is None:
                raise ValueError(f"override for '{name}': {key} {value!r} is not a number")
            register.loc[register["name"] == name, key] = float(value)


def parameters(
    as_of: dt.date,
    base_year: str | None = None,
    overrides: Mapping[str, Mapping[str, float]] | None = None,
    *,
    register_path: str | Path | None = None,
    deflators_path: str | Path | None = None,
    register_frame: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The register at one price base year, with what-if overrides applied.

    Money parameters (unit starting 'GBP') are multiplied by uprate_factor(price_year,
    base_year). Override values are in the parameter's own price year, like the register,
    and are uprated with it. The base year defaults to the financial year of `as_of`; if
    the table has no deflator for it and it lies after the table's last year, the last
    year is used and base_year_note says so. An explicit base_year must be in the table.
    `register_frame` (a hub's own register, metrics.hub_register) replaces the file.
    """
    register = (load_register(register_path) if register_frame is None
                else register_frame.copy())
    deflators = load_deflators(deflators_path)
    if overrides:
        _apply_overrides(register, overrides)
    available = set(deflators["financial_year"])
    latest = deflators["financial_year"].max()
    note = ""
    if base_year is None:
        base = financial_year_of(as_of)
        if base not in available and base > latest:
            note = (
                f"no GDP deflator for {base} (the financial year of {as_of.isoformat()}); "
                f"prices are at {latest}, the latest year in the deflator table"
            )
            base = latest
    else:
        base = normalise_year(base_year)
    if base not in available:
        raise DeflatorError(f"no GDP deflator for base year {base}")
    if deflators.loc[deflators["financial_year"] == base, "is_forecast"].item():
        forecast = f"the {base} deflator is an OBR forecast"
        note = f"{note}; {forecast}" if note else forecast

    money = register["unit"].str.startswith("GBP")
    factor_of = {year: uprate_factor(year, base, deflators)
                 for year in dict.fromkeys(register.loc[money, "price_year"])}
    factors = [
        factor_of[year] if is_money else 1.0
        for year, is_money in zip(register["price_year"], money, strict=True)
    ]
    register["uprate_factor"] = factors
    for col in SCENARIOS:
        register[col] = register[col] * register["uprate_factor"]
    register["base_year"] = [base if is_money else "" for is_money in money]
    register["base_year_note"] = [note if is_money else "" for is_money in money]
    return register[OUTPUT_COLUMNS]
