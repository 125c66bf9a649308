"""Write extracts as Excel workbooks: ``hubvalue generate --format xlsx`` and tests.

An extract folder of contract CSV files becomes one workbook with a sheet per table, each
value in its own Excel type (dates as date cells, numbers as numbers, booleans as
TRUE/FALSE), the way a hub's system exports it. Written with openpyxl's write-only mode.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import shutil
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from metrics import contract

WORKBOOK_NAME = "extract.xlsx"


def typed_value(text: str, column: contract.Column) -> object:
    """A contract CSV value (ISO dates) as the Excel value a system would write."""
    if text == "":
        return None
    if column.type == "date":
        return dt.date.fromisoformat(text[:10])
    if column.type == "int":
        return int(text)
    if column.type == "decimal":
        return float(text)
    if column.type == "bool":
        return text.strip().lower() in contract.BOOL_TRUE
    return text


def csv_extract_to_workbook(folder: Path, target: Path) -> dict[str, int]:
    """Write every ``<table>.csv`` of ``folder`` (ISO dates) as a sheet of ``target``;
    rows written per table."""
    book = Workbook(write_only=True)
    rows: dict[str, int] = {}
    for table in contract.TABLES:
        path = folder / f"{table.name}.csv"
        if not path.exists():
            continue
        sheet = book.create_sheet(table.name)
        with path.open("r", encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [contract.normalise_header(n) for n in next(reader)]
            columns = [table.column(n) if n in table.column_names else None for n in header]
            sheet.append(header)
            count = 0
            for record in reader:
                sheet.append(
                    [
                        typed_value(v, c) if c is not None else v
                        for v, c in zip(record, columns, strict=True)
                    ]
                )
                count += 1
        rows[table.name] = count
    book.save(target)
    return rows


def generate_workbook(out: Path, **options) -> object:
    """``hubvalue generate --format xlsx``: the synthetic extract as ``extract.xlsx`` and
    ``manifest.json`` in ``out``; the generator's summary."""
    from metrics.generate import _remove_previous_extract, generate

    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _remove_previous_extract(out)  # the folder holds one extract: no CSV beside the workbook
    scratch = Path(tempfile.mkdtemp(prefix="hubvalue-generate-"))
    try:
        summary = generate(scratch, fmt="csv", **options)
        csv_extract_to_workbook(scratch, out / WORKBOOK_NAME)
        manifest = json.loads((scratch / "manifest.json").read_text(encoding="utf-8"))
        (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    written = sum((out / name).stat().st_size for name in (WORKBOOK_NAME, "manifest.json"))
    return dataclasses.replace(
        summary,
        out=out,
        fmt="xlsx",
        bytes_written=written,
        seconds=time.perf_counter() - started,
    )
