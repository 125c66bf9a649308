"""``hubvalue generate``: write a synthetic hub extract that follows the data contract.

The extract has the shape of a real multi-agency hub (see ``metrics/generator/shape.py``) and
is written in chunks of referrals, each from its own seeded random streams, so ten million
referrals never sit in memory at once and the same seed and arguments give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from metrics import contract
from metrics.generator import days as day_numbers
from metrics.generator.chunk import Setting, build_chunk
from metrics.generator.draws import STATIC_STREAM, stream
from metrics.generator.people import DayWeights
from metrics.generator.period import ExtractSpan
from metrics.generator.static import funding_table, population_table
from metrics.generator.tables import IdCounter, schema
from metrics.generator.writers import FORMATS, TableWriter, open_writer

CHUNK_SIZE = 100_000
SOURCE_SYSTEM = "hubvalue synthetic generator"


@dataclass(frozen=True)
class GenerateSummary:
    """What ``generate`` wrote."""

    out: Path
    fmt: str
    seed: int
    as_of: dt.date
    period: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    bytes_written: int = 0

    def lines(self) -> list[str]:
        per_second = self.rows.get("referrals", 0) / self.seconds if self.seconds else 0.0
        table_counts = ", ".join(f"{name} {count:,}" for name, count in self.rows.items())
        return [
            f"Synthetic extract written to {self.out} ({self.fmt}, seed {self.seed})",
            f"as of {self.as_of.isoformat()}, period {self.period}",
            f"rows: {table_counts}",
            f"{self.bytes_written / 1e6:,.1f} MB in {self.seconds:,.1f} s "
            f"({per_second:,.0f} referrals a second)",
        ]


def _remove_previous_extract(out: Path) -> None:
    """Drop extract files of either format so the folder holds exactly one extract."""
    for table in contract.TABLE_NAMES:
        for fmt in FORMATS:
            (out / f"{table}.{fmt}").unlink(missing_ok=True)
    (out / "manifest.json").unlink(missing_ok=True)


def _manifest(period: ExtractSpan) -> dict:
    return {
        "as_of": period.as_of.isoformat(),
        "period": period.period,
        "source_system": SOURCE_SYSTEM,
        "date_format": "iso",
        "coverage": {
            "repeat_crimes": period.repeat_crimes_coverage.isoformat(),
            "health_use": period.health_use_coverage.isoformat(),
        },
    }


def _setting(seed: int, period: ExtractSpan) -> Setting:
    wd = day_numbers.WorkingDays()
    first = day_numbers.day_number(period.first_day)
    as_of = day_numbers.day_number(period.as_of)
    wd.check_range(first, as_of)
    return Setting(
        seed=seed,
        as_of=as_of,
        repeat_crimes_coverage=day_numbers.day_number(period.repeat_crimes_coverage),
        health_use_coverage=day_numbers.day_number(period.health_use_coverage),
        weights=DayWeights.for_period(first, as_of, wd),
        wd=wd,
    )


def generate(
    out: Path,
    referrals: int,
    seed: int = 42,
    end: str | None = None,
    months: int = 24,
    fmt: str = "csv",
    quiet: bool = False,
    progress: Callable[[str], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> GenerateSummary:
    """Write a synthetic extract of ``referrals`` referrals received over ``months`` months
    ending with ``end`` ('YYYY-MM'; default: the month before today) into folder ``out``."""
    if referrals < 1:
        raise ValueError("referrals must be at least 1")
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    started = time.perf_counter()
    period = ExtractSpan.from_arguments(end, months)
    setting = _setting(seed, period)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _remove_previous_extract(out)
    report = progress if (progress is not None and not quiet) else None

    writers: dict[str, TableWriter] = {}
    try:
        for table in contract.TABLE_NAMES:
            writers[table] = open_writer(out, table, schema(table), fmt)
        ids = IdCounter()
        chunks = math.ceil(referrals / chunk_size)
        for number in range(chunks):
            size = min(chunk_size, referrals - number * chunk_size)
            for table, rows in build_chunk(setting, number, size, ids).items():
                writers[table].write(rows)
            if report is not None:
                done = number * chunk_size + size
                report(
                    f"chunk {number + 1}/{chunks}: {done:,} of {referrals:,} referrals "
                    f"({time.perf_counter() - started:,.1f} s)"
                )
        writers["funding"].write(funding_table(stream(seed, STATIC_STREAM, 0), period, referrals))
        referrals_per_year = referrals / period.months * 12
        writers["population"].write(
            population_table(stream(seed, STATIC_STREAM, 1), referrals_per_year)
        )
    finally:
        for writer in writers.values():
            writer.close()
    manifest = out / "manifest.json"
    manifest.write_text(json.dumps(_manifest(period), indent=2) + "\n", encoding="utf-8")

    files = [w.path for w in writers.values()] + [manifest]
    return GenerateSummary(
        out=out,
        fmt=fmt,
        seed=seed,
        as_of=period.as_of,
        period=period.period,
        rows={table: writers[table].rows for table in contract.TABLE_NAMES},
        seconds=time.perf_counter() - started,
        bytes_written=sum(path.stat().st_size for path in files),
    )
