"""Append chunks of a table to ``<table>.csv`` or ``<table>.parquet``.

CSV: UTF-8, one header row, LF line ends, ISO dates, ``true``/``false``, empty for missing.
No value the generator writes holds a comma, quote or line break, so nothing is quoted (the
writer raises if one ever did). Parquet: one file per table, one row group per chunk, typed
columns (DATE, INTEGER, BOOLEAN, DOUBLE, VARCHAR).
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Protocol

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

FORMATS = ("csv", "parquet")


class TableWriter(Protocol):
    path: Path
    rows: int

    def write(self, table: pa.Table) -> None: ...

    def close(self) -> None: ...


class CsvTableWriter:
    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path = path
        self.rows = 0
        self._file: BinaryIO = path.open("wb")
        self._file.write((",".join(schema.names) + "\n").encode("utf-8"))
        options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
        self._writer = pa_csv.CSVWriter(self._file, schema, write_options=options)

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._writer.write_table(table)
            self.rows += table.num_rows

    def close(self) -> None:
        self._writer.close()
        self._file.close()


class ParquetTableWriter:
    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path = path
        self.rows = 0
        self._writer = pq.ParquetWriter(path, schema, compression="zstd")

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._writer.write_table(table)
            self.rows += table.num_rows

    def close(self) -> None:
        self._writer.close()


def open_writer(directory: Path, table: str, schema: pa.Schema, fmt: str) -> TableWriter:
    if fmt == "csv":
        return CsvTableWriter(directory / f"{table}.csv", schema)
    if fmt == "parquet":
        return ParquetTableWriter(directory / f"{table}.parquet", schema)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}")
