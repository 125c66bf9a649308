"""Checks for the command line's arguments, as argparse ``type=`` functions.

Each raises ``argparse.ArgumentTypeError`` with a short reason, so a bad value ends the
command before it touches a file, with argparse's one line
(``hubvalue build: error: argument --threads: ...``) and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable

# DuckDB threads: a build runs two tables or models at a time and DuckDB parallelises each;
# more threads than a few per core only add switching (100,000 asked for 31,000 threads).
THREADS_PER_CPU = 4
# generate: ten times the largest extract the project is measured on (10M referrals).
MAX_REFERRALS = 100_000_000
MAX_MONTHS = 600  # 50 years of referrals
MAX_SEED = 2**63 - 1
MAX_LOCK_WAIT_SECONDS = 24 * 3600
MIN_MEMORY_BYTES = 100 * 1000**2  # below this DuckDB cannot even load the reference tables

_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB|K|M|G|T)\s*$",
                     re.IGNORECASE)
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
_UNIT_BYTES = {
    "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2, "g": 1000**3, "gb": 1000**3,
    "t": 1000**4, "tb": 1000**4, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
}


def available_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def max_threads() -> int:
    return available_cpus() * THREADS_PER_CPU


def machine_memory_bytes() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def whole_number(low: int, high: int, what: str = "a whole number") -> Callable[[str], int]:
    """A whole number from ``low`` to ``high``."""

    def check(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what} from {low:,} to {high:,}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low:,} to {high:,}")
        return value

    check.__name__ = "whole number"
    return check


def threads(text: str) -> int:
    """DuckDB threads: 1 to 4 per CPU this process may use."""
    return whole_number(1, max_threads(), f"a whole number of threads ({THREADS_PER_CPU} per CPU)")(
        text
    )


def memory_limit(text: str) -> str:
    """A DuckDB memory limit: 4GB, 500MB, 1.5GiB or 50% (at least 100 MB, at most the
    machine's memory). Returned without spaces, as DuckDB reads it."""
    hint = "use a size such as 4GB, 500MB or 2GiB, or a share such as 50%"
    percent = _PERCENT.match(text)
    if percent:
        share = float(percent.group(1))
        if not 0 < share <= 100:
            raise argparse.ArgumentTypeError("a share of memory must be above 0% and at most 100%")
        return f"{percent.group(1)}%"
    match = _MEMORY.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a memory size ({hint})")
    number, unit = match.groups()
    size = float(number) * _UNIT_BYTES[unit.lower()]
    if size < MIN_MEMORY_BYTES:
        raise argparse.ArgumentTypeError("must be at least 100MB")
    total = machine_memory_bytes()
    if size > total:
        raise argparse.ArgumentTypeError(
            f"more than this machine's memory ({total / 1000**3:.1f}GB)"
        )
    return f"{number}{unit}"


def price_base_year(text: str) -> str:
    """A financial year the GDP deflator table covers, as 2026/27 (also 2026-27 or 2026)."""
    from metrics.register import DeflatorError, load_deflators, normalise_year

    try:
        year = normalise_year(text)
    except DeflatorError:
        raise argparse.ArgumentTypeError(
            "not a financial year (use 2026/27, 2026-27 or 2026)"
        ) from None
    years = sorted(load_deflators()["financial_year"])
    if year not in years:
        raise argparse.ArgumentTypeError(
            f"no GDP deflator for {year}; the deflator table covers {years[0]} to {years[-1]}"
        )
    return year


def path_text(text: str) -> str:
    """A file path: not empty, not only spaces, no NUL byte."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must be a file path, not empty")
    if "\0" in text:
        raise argparse.ArgumentTypeError("a file path cannot hold a NUL character")
    return text


def port(text: str) -> int:
    """A TCP port a user may listen on: 1 to 65535."""
    return whole_number(1, 65535, "a port number")(text)


def lock_wait(text: str) -> float:
    """Seconds to wait for another build on the same warehouse: 0 to one day."""
    try:
        value = float(text.strip())
    except ValueError:
        value = float("nan")
    if not 0 <= value <= MAX_LOCK_WAIT_SECONDS:  # also false for nan
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds from 0 to {MAX_LOCK_WAIT_SECONDS:,}"
        )
    return value


referrals = whole_number(1, MAX_REFERRALS, "a whole number of referrals")
months = whole_number(1, MAX_MONTHS, "a whole number of months")
seed = whole_number(0, MAX_SEED, "a whole number")
repeats = whole_number(1, 10_000, "a whole number")
runs = whole_number(1, 100, "a whole number")


def end_month(text: str) -> str:
    """A month written YYYY-MM, from 1900-01 to 9999-12."""
    match = re.fullmatch(r"\s*(\d{4})-(\d{2})\s*", text)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise argparse.ArgumentTypeError("must be a month written YYYY-MM (1900-01 or later)")
    return f"{match.group(1)}-{match.group(2)}"


_AREA_CODE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_SPARK_KEY = re.compile(r"^spark\.[A-Za-z0-9_.-]+$")


def area_code(text: str) -> str:
    """A PCC area's code in a lake: letters, digits, '-' and '_', at most 40."""
    if not _AREA_CODE.match(text):
        raise argparse.ArgumentTypeError("an area code is 1 to 40 letters, digits, '-' or '_'")
    return text


def spark_setting(text: str) -> tuple[str, str]:
    """A Spark setting KEY=VALUE whose key starts with 'spark.'."""
    key, equals, value = text.partition("=")
    if not equals or not _SPARK_KEY.match(key.strip()) or not value.strip():
        raise argparse.ArgumentTypeError("must be KEY=VALUE with a key starting 'spark.'")
    return key.strip(), value.strip()
