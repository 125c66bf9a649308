"""Load an extract into the warehouse: every row read is loaded or quarantined.

The steps, per file, all in DuckDB:

1. **Inspect** every file before loading anything: encoding (UTF-8 with or
   without BOM, else Windows-1252, decoded to a UTF-8 copy; UTF-16 stops the
   build), lines no longer than the line limit (a longer header stops the
   file; a longer data line is replaced by a marker in a working copy and its
   record quarantined, ``line_too_long``), header (required columns present,
   no duplicates, no direct identifiers or free text by ``metrics.identifiers``,
   also inside nested Parquet columns, no nested contract column, no name
   spanning lines), readability. Column names are only ever printed escaped.
2. **Read** all contract columns as text into a temporary table, with the
   record number of each row. Records with the wrong number of fields or
   broken quoting are caught by DuckDB's rejects tables (``malformed_row``);
   a file in which no record fits the header stops the build. A file mixing
   CRLF, LF and CR line endings is read again with every ending made LF.
3. **Validate** with one generated SQL statement per table: trim white space,
   parse each value (dates pinned to ISO or DD/MM/YYYY from 1900 on, numbers,
   booleans, codes after ``code_map.csv``, joined as a temporary table), then
   give every failing row its first reason (a CSV row repeating the header's
   names is ``repeated_header``).
4. **Keys and parents**: duplicate keys quarantine every row sharing them;
   rows whose parent is missing or quarantined are orphans.
5. **Write** good rows to ``raw.<table>`` and bad rows, with their raw text,
   to the quarantine store only. The warehouse gets counts: ``meta.load_report``
   and ``meta.load_issues``.

Temporary tables live in the connection's memory and temp directory, never in
the warehouse file. No data value is ever put into an exception or a log line.
"""

from __future__ import annotations

import codecs
import csv
import io
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from metrics import contract, excel
from metrics.column_map import ColumnMap
from metrics.contract import Column, Table
from metrics.identifiers import printable
from metrics.reference_data import swemwbs_conversion
from metrics.snapshot import DEFAULT_MAX_LINE_BYTES, ExtractError, Snapshot, TableFile

CHUNK = 1 << 20
# Trimmed from both ends of every value: Unicode white space (tabs, line breaks, the no-break
# space Excel writes) and stray byte order marks. A value of nothing else is blank.
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "\ufeff"


@dataclass
class FileReport:
    table: str
    file_name: str
    encoding: str = "utf-8"
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reasons: dict[tuple[str, str], int] = field(default_factory=dict)  # (rule, column) -> rows
    code_unmapped: dict[str, int] = field(default_factory=dict)  # column -> values
    ignored_columns: list[str] = field(default_factory=list)
    absent_columns: list[str] = field(default_factory=list)
    empty_rows: int = 0  # fully empty rows of a sheet, skipped


@dataclass
class LoadReport:
    files: list[FileReport]
    other_files: list[str]
    notes: list[tuple[str, str]] = field(default_factory=list)  # (sheet, why): not read

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    def lines(self) -> list[str]:
        """The terminal summary: counts, rule ids and column names, never values."""
        width = max([24] + [len(f.file_name) + 2 for f in self.files])
        out = [f"{'file':<{width}}{'read':>12}{'loaded':>12}{'quarantined':>13}"]
        for f in self.files:
            out.append(
                f"{f.file_name:<{width}}{f.rows_read:>12,}{f.rows_loaded:>12,}"
                f"{f.rows_quarantined:>13,}"
            )
        for f in self.files:
            for (rule, column), rows in sorted(f.reasons.items()):
                where = f" ({column})" if column else ""
                out.append(f"  quarantined  {f.file_name}: {rule}{where}: {rows:,} rows")
            for column, rows in sorted(f.code_unmapped.items()):
                out.append(
                    f"  code_unmapped {f.file_name}: {column}: {rows:,} values read as unknown"
                )
            for column in f.ignored_columns:
                out.append(f"  ignored      {f.file_name}: column {column} is not in the contract")
            if f.empty_rows:
                out.append(f"  ignored      {f.file_name}: {f.empty_rows:,} empty rows")
            if f.encoding not in ("utf-8", "parquet", "xlsx"):
                out.append(f"  encoding     {f.file_name}: decoded from {f.encoding}")
        for name in self.other_files:
            out.append(f"  ignored      {name}: not a contract table")
        for sheet, why in self.notes:
            out.append(f"  ignored      {sheet}: {why}")
        return out


# ---------------------------------------------------------------------------
# 1. Inspect


@dataclass
class Inspected:
    file: TableFile
    table: Table
    read_path: Path  # UTF-8 copy for Windows-1252 CSVs
    encoding: str
    header: list[str]  # normalised names, in file order
    source_names: list[str]  # as in the file (Parquet)
    present: list[str]  # contract columns present
    ignored: list[str]
    workdir: Path | None = None
    mixed_newlines: bool = False  # CSV lines end in more than one way (CRLF, LF, CR)
    # Parquet columns read in their own type (dates, numbers, booleans): no text round trip.
    typed: set[str] = field(default_factory=set)
    long_lines: int = 0  # lines over the line limit, each replaced by LONG_LINE_MARKER
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    sheet_rows: list[int] | None = None  # an xlsx sheet: the sheet row of each record
    empty_rows: int = 0  # an xlsx sheet: fully empty rows skipped


UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


# What a line over the line limit becomes in the copy that is read: a line no record of a
# contract table can match (one field), so the record holding it is quarantined as
# line_too_long, and its text is never read into memory.
LONG_LINE_MARKER = b"\x1a[a line over the line limit, not read]\x1a"


@dataclass
class TextScan:
    encoding: str  # utf-8 or cp1252
    mixed_newlines: bool  # more than one of CRLF, LF, CR ends lines
    # (start, end) byte offsets of the lines longer than the limit (line breaks excluded)
    long_lines: list[tuple[int, int]] = field(default_factory=list)


def _first_break(chunk: bytes) -> int:
    """The position of the first line break (LF or CR) in a chunk, or -1."""
    found = [i for i in (chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0]
    return min(found) if found else -1


def _last_break(chunk: bytes) -> int:
    return max(chunk.rfind(b"\n"), chunk.rfind(b"\r"))


def _scan_text(path: Path, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> TextScan:
    """One pass over the bytes: the encoding, whether line endings are mixed, and where the
    lines longer than ``max_line_bytes`` are. The file is read in chunks no longer than the
    limit, so only a line crossing a chunk boundary can be too long: its length is the bytes
    carried over plus the bytes before the chunk's first line break."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    crlf = lf = cr = 0
    previous_cr = False
    size = max(1, min(CHUNK, max_line_bytes))
    offset = run = 0  # run: bytes of the current line read so far
    long_lines: list[tuple[int, int]] = []
    with path.open("rb") as handle:
        first = True
        while chunk := handle.read(size):
            first_break = _first_break(chunk)
            if first_break < 0:
                run += len(chunk)
            else:
                if run + first_break > max_line_bytes:
                    long_lines.append((offset - run, offset + first_break))
                run = len(chunk) - _last_break(chunk) - 1
            offset += len(chunk)
            if first and chunk.startswith(UTF16_32_BOMS):
                raise ExtractError(
                    "is UTF-16 or UTF-32 text: save it as CSV UTF-8 (or Windows-1252)",
                    file=path.name,
                    rule="encoding",
                )
            first = False
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            pairs = chunk.count(b"\r\n") + (1 if previous_cr and chunk[:1] == b"\n" else 0)
            crlf += pairs
            lf += chunk.count(b"\n")
            cr += chunk.count(b"\r")
            previous_cr = chunk[-1:] == b"\r"
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    if run > max_line_bytes:
        long_lines.append((offset - run, offset))
    styles = (crlf > 0) + (lf - crlf > 0) + (cr - crlf > 0)
    return TextScan("utf-8" if utf8 else "cp1252", styles > 1, long_lines)


def _without_long_lines(path: Path, workdir: Path, long_lines: list[tuple[int, int]]) -> Path:
    """A copy of ``path`` with each long line replaced by ``LONG_LINE_MARKER``, streamed in
    chunks. A long line with an odd number of quotes (inside a quoted value that spans
    lines) keeps its parity with a quote after the marker, so the lines after it read as
    before."""
    target = workdir / f"{path.stem}.short.csv"
    with path.open("rb") as src, target.open("wb") as dst:
        position = 0
        for start, end in long_lines:
            _copy_range(src, dst, position, start)
            quotes = 0
            src.seek(start)
            remaining = end - start
            while remaining > 0:
                chunk = src.read(min(CHUNK, remaining))
                quotes += chunk.count(b'"')
                remaining -= len(chunk)
            dst.write(LONG_LINE_MARKER + (b'"' if quotes % 2 else b""))
            position = end
        _copy_range(src, dst, position, None)
    return target


def _copy_range(src: io.BufferedReader, dst: io.BufferedWriter, start: int, end: int | None):
    src.seek(start)
    remaining = None if end is None else end - start
    while remaining is None or remaining > 0:
        chunk = src.read(CHUNK if remaining is None else min(CHUNK, remaining))
        if not chunk:
            return
        dst.write(chunk)
        if remaining is not None:
            remaining -= len(chunk)


def _transcode(path: Path, workdir: Path, encoding: str, newlines_to_lf: bool = False) -> Path:
    """A UTF-8 copy of a Windows-1252 file; with ``newlines_to_lf``, CRLF and CR become LF."""
    target = workdir / f"{path.stem}.{'lf' if newlines_to_lf else 'utf8'}.csv"
    try:
        with (
            path.open("r", encoding=encoding, newline=None if newlines_to_lf else "") as src,
            target.open("w", encoding="utf-8", newline="") as dst,
        ):
            shutil.copyfileobj(src, dst, CHUNK)
    except UnicodeDecodeError:
        raise ExtractError(
            "is neither UTF-8 nor Windows-1252 text", file=path.name, rule="encoding"
        ) from None
    return target


def _csv_header(
    path: Path, file_name: str, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
) -> list[str]:
    """The header's names; ``path`` may be a decoded copy, ``file_name`` names the extract file.
    No more than the line limit is ever read (the scan has already stopped a longer header)."""
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        first = handle.readline(max_line_bytes + 1)
        if first.strip() == "":
            raise ExtractError("is empty: no header row", file=file_name, rule="empty_file")
        if "\x00" in first:
            raise ExtractError(
                "has NUL bytes in its header (UTF-16 text?): save it as CSV UTF-8",
                file=file_name,
                rule="encoding",
            )
        # A header cell may be quoted and, rarely, span lines: read it as one CSV record.
        text = first
        while text.count('"') % 2 == 1 and len(text) <= max_line_bytes:
            more = handle.readline(max_line_bytes + 1)
            if not more:
                break
            text += more
        if len(text) > max_line_bytes:
            raise _header_too_long(file_name, max_line_bytes)
    try:
        return next(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise ExtractError(
            "its header is not a CSV record", file=file_name, rule="header"
        ) from None


def _header_too_long(file_name: str, max_line_bytes: int) -> ExtractError:
    return ExtractError(
        f"its header line is longer than the line limit of {max_line_bytes:,} bytes (is this "
        "a CSV export? a build may set another limit with --max-line-bytes)",
        file=file_name,
        rule="line_too_long",
    )


def _check_header(names: list[str], table: Table, file_name: str) -> tuple[list[str], list[str]]:
    # Required columns first: when the header line is missing or broken, the "names" are data
    # values, and only a message naming contract columns is safe to print.
    for required in table.header_columns:
        if required not in names:
            raise ExtractError(
                f"required column {required} is missing", file=file_name, rule="missing_column"
            )
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name == "":
            raise ExtractError(
                f"has a blank column name in its header (column {position})",
                file=file_name,
                rule="header",
            )
        if "\n" in name or "\r" in name:
            # A stray quote in the header swallowed the lines after it: those are data.
            raise ExtractError(
                f"the name of column {position} runs over several lines (a stray quote in "
                "the header?)",
                file=file_name,
                rule="header",
            )
        if name in seen:
            which = (
                f"column {name}"
                if name in table.column_names
                else f"the name of column {position} (as column {seen[name]})"
            )
            raise ExtractError(
                f"{which} appears twice in the header", file=file_name, rule="duplicate_column"
            )
        seen[name] = position
        if name not in table.column_names:
            _stop_if_identifier(name, file_name)
    present = [c for c in table.column_names if c in seen]
    ignored = [printable(n) for n in names if n not in table.column_names]
    return present, ignored


def _stop_if_identifier(name: str, file_name: str) -> None:
    """Stop on a column (or nested column path) not in the contract whose name looks like a
    direct identifier or free text; the name is printed escaped (``printable``)."""
    if contract.is_direct_identifier(name):
        raise ExtractError(
            f"column {printable(name)} looks like a direct identifier or free text; remove it "
            "from the export (nothing was loaded)",
            file=file_name,
            rule="direct_identifier",
        )


@dataclass
class ParquetColumn:
    """A top-level column of a Parquet file, and the paths inside it when it is nested."""

    name: str
    nested: bool = False  # a struct, list or map (or a repeated field)
    paths: list[tuple[str, ...]] = field(default_factory=list)  # inner paths, name first


def _parquet_columns(con: duckdb.DuckDBPyConnection, path: Path) -> list[ParquetColumn]:
    """The top-level columns of a Parquet file, with every nested field's path: the schema
    is listed depth first, each group followed by its children."""
    rows = con.execute(
        "select name, num_children, repetition_type from parquet_schema(?)", [str(path)]
    ).fetchall()
    if not rows:
        return []
    columns: list[ParquetColumn] = []
    stack: list[list] = [[(), rows[0][1] or 0]]  # [path, children still to come]
    for name, children, repetition in rows[1:]:
        while len(stack) > 1 and stack[-1][1] == 0:
            stack.pop()
        parent = stack[-1]
        parent[1] -= 1
        path_here = (*parent[0], name)
        if len(path_here) == 1:
            columns.append(ParquetColumn(name, bool(children) or repetition == "REPEATED"))
        else:
            columns[-1].paths.append(path_here)
        if children:
            stack.append([path_here, children])
    return columns


def _check_parquet_nesting(columns: list[ParquetColumn], table: Table, file_name: str) -> None:
    """A contract column must hold one plain value per row; a nested column not in the
    contract is checked by every part of its path (``full_name.first``)."""
    for column in columns:
        if not column.nested:
            continue
        name = contract.normalise_header(column.name)
        if name in table.column_names:
            raise ExtractError(
                f"column {name} is a nested Parquet column (a struct, list or map): the "
                "contract needs one plain value per row",
                file=file_name,
                rule="nested_column",
            )
        for path in column.paths:
            for part in path[1:]:
                if contract.is_direct_identifier(part):
                    _stop_if_identifier(".".join((name, *path[1:])), file_name)


def inspect(
    file: TableFile,
    con: duckdb.DuckDBPyConnection,
    workdir: Path,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    column_map: ColumnMap | None = None,
    date_format: str | None = None,
) -> Inspected:
    table = contract.TABLES_BY_NAME[file.table]
    name = file.label
    sheet = None
    if file.format == "xlsx":
        types = column_map.types(table) if column_map else {c.name: c.type for c in table.columns}
        sheet = excel.sheet_to_csv(file, workdir / f"{table.name}.sheet.csv", types, date_format)
    if file.reads_as == "csv":
        text_path = sheet.path if sheet else file.path
        if text_path.stat().st_size == 0:
            raise ExtractError("is empty: no header row", file=name, rule="empty_file")
        scan = _scan_text(text_path, max_line_bytes)
        source = text_path
        long_lines = len(scan.long_lines)
        if scan.long_lines:
            if scan.long_lines[0][0] == 0:
                raise _header_too_long(name, max_line_bytes)
            source = _without_long_lines(text_path, workdir, scan.long_lines)
            scan = _scan_text(source, max_line_bytes)  # encoding and endings of what is read
        encoding = scan.encoding
        read_path = _transcode(source, workdir, encoding) if encoding == "cp1252" else source
        source_names = _csv_header(read_path, name, max_line_bytes)
    else:
        encoding = "parquet"
        read_path = file.path
        try:
            parquet_columns = _parquet_columns(con, file.path)
        except duckdb.Error:
            raise ExtractError(
                "is not a readable Parquet file", file=name, rule="unreadable_file"
            ) from None
        source_names = [c.name for c in parquet_columns]
    header = [contract.normalise_header(n) for n in source_names]
    if column_map is not None:
        header = column_map.rename(table, header, name)
    present, ignored = _check_header(header, table, name)
    if file.format == "parquet":
        _check_parquet_nesting(parquet_columns, table, name)
    mixed = file.reads_as == "csv" and scan.mixed_newlines
    if sheet is not None:
        encoding = "xlsx"
    inspected = Inspected(
        file, table, read_path, encoding, header, source_names, present, ignored, workdir, mixed
    )
    if file.reads_as == "csv":
        inspected.long_lines = long_lines
        inspected.max_line_bytes = max_line_bytes
    if sheet is not None:
        inspected.sheet_rows = sheet.rows
        inspected.empty_rows = sheet.empty_rows
    return inspected


# ---------------------------------------------------------------------------
# 2. Read as text


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _read_csv(con: duckdb.DuckDBPyConnection, item: Inspected) -> tuple[str, list[int]]:
    """Read a CSV as text; returns the source of its rows (``_row`` and the present contract
    columns, as a table name or subquery) and the rejected record numbers."""
    columns = (
        "{" + ", ".join(f"{_literal(f'c{i}')}: 'VARCHAR'" for i in range(len(item.header))) + "}"
    )
    select = ", ".join(f"c{item.header.index(c)} as {_quote(c)}" for c in item.present)
    read_path = item.read_path
    while True:
        con.execute("drop table if exists _rejects")
        con.execute("drop table if exists _rejects_scan")
        try:
            con.execute(
                f"""
                create or replace temp table _scan as
                select * from read_csv(
                    ?, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
                    columns = {columns}, store_rejects = true,
                    rejects_table = '_rejects', rejects_scan = '_rejects_scan',
                    max_line_size = {max(4_000_000, 2 * item.max_line_bytes)}
                )
                """,
                [str(read_path)],
            )
            break
        except duckdb.Error:
            if item.mixed_newlines and item.workdir is not None and read_path == item.read_path:
                # DuckDB reads one kind of line ending per file; a file mixing CRLF, LF and CR
                # (two exports pasted together) is read again with every line ending made LF.
                encoding = "utf-8" if item.encoding == "cp1252" else item.encoding
                read_path = _transcode(item.read_path, item.workdir, encoding, True)
                continue
            raise ExtractError(
                "could not be read as CSV (broken quoting or structure)",
                file=item.file.label,
                rule="unreadable_file",
            ) from None
    rejected = [
        int(r[0]) - 1
        for r in con.execute("select distinct line from _rejects order by line").fetchall()
    ]
    accepted = con.execute("select count(*) from _scan").fetchone()[0]
    if rejected and not accepted:
        # No record matches the header: a broken header line or another dialect. Stop here,
        # before the header's names (then data values) reach the load report.
        raise ExtractError(
            f"no row has the {len(item.header)} fields of the header: check the header line "
            "and that the file is comma separated",
            file=item.file.label,
            rule="malformed_file",
        )
    if not rejected:
        con.execute("drop table if exists _rejects")
        con.execute("drop table if exists _rejects_scan")
        # Every record read: the scan itself is the source, numbered in file order.
        return f"(select rowid + 1 as _row, {select} from _scan)", rejected
    if rejected:
        # Record number of the k-th accepted row = the k-th number not among the rejected.
        con.execute(
            f"""
            create or replace temp table _text as
            with numbers as (
                select range as record_number from range(1, ?)
                where range not in (select unnest(?::bigint[]))
            ),
            numbered as (
                select record_number, row_number() over (order by record_number) - 1 as k
                from numbers
            )
            select numbered.record_number as _row, {select}
            from _scan
            inner join numbered on numbered.k = _scan.rowid
            """,
            [accepted + len(rejected) + 1, rejected],
        )
        lines = con.execute(
            "select line, any_value(csv_line) from _rejects group by line order by line"
        ).fetchall()
        con.execute(
            "create or replace temp table _rejected_lines as "
            "select unnest(?::bigint[]) as _row, unnest(?::varchar[]) as csv_line",
            [[int(line) - 1 for line, _ in lines], [text for _, text in lines]],
        )
    con.execute("drop table _scan")
    con.execute("drop table if exists _rejects")
    con.execute("drop table if exists _rejects_scan")
    return "_text", rejected


def _parquet_text(column: str, duckdb_type: str, date_format: str | None) -> str:
    """A Parquet column as text; typed dates in the text form the validation expects."""
    pattern = "%d/%m/%Y" if date_format == "uk" else "%Y-%m-%d"
    if duckdb_type == "TIMESTAMP WITH TIME ZONE" or duckdb_type.startswith("TIMESTAMPTZ"):
        # The date in England and Wales, whatever zone the system wrote (TIMESTAMPTZ_NS is
        # how DuckDB types a nanosecond instant).
        return f"strftime(timezone('Europe/London', {column})::date, '{pattern}')"
    if duckdb_type == "DATE" or duckdb_type.startswith("TIMESTAMP"):
        return f"strftime({column}::date, '{pattern}')"
    return f"cast({column} as varchar)"


PARQUET_INTEGERS = frozenset(
    {
        "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
        "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
    }
)  # fmt: skip
# FLOAT is read as text: its shortest text form is the value the system meant (12.34), its
# widening to DOUBLE is not (12.340000152587891).
PARQUET_NUMBERS = PARQUET_INTEGERS | {"DOUBLE"}
PARQUET_DATES = frozenset({"DATE", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"})


def _keeps_parquet_type(column: Column, source_type: str) -> bool:
    """Whether a Parquet column's own type already is the contract type's (no parsing)."""
    if column.type == "date":
        return source_type in PARQUET_DATES or source_type.startswith("TIMESTAMP(")
    if column.type == "int":
        return source_type in PARQUET_INTEGERS
    if column.type == "decimal":
        return source_type in PARQUET_NUMBERS or source_type.startswith("DECIMAL(")
    if column.type == "bool":
        return source_type == "BOOLEAN"
    return False


def _parquet_source(
    con: duckdb.DuckDBPyConnection, item: Inspected, date_format: str | None
) -> str:
    """A subquery reading the Parquet file: ``_row`` and every present contract column.

    Columns whose Parquet type is already the contract's are kept in that type (and noted
    in ``item.typed``); the others are read as text for the validation to parse.
    """
    try:
        types = dict(
            con.execute(
                "select column_name, column_type from (describe select * from read_parquet(?))",
                [str(item.read_path)],
            ).fetchall()
        )
    except duckdb.Error:
        raise ExtractError(
            "is not a readable Parquet file", file=item.file.path.name, rule="unreadable_file"
        ) from None
    parts = []
    for c in item.present:
        source = _quote(item.source_names[item.header.index(c)])
        source_type = types.get(item.source_names[item.header.index(c)], "VARCHAR")
        if _keeps_parquet_type(item.table.column(c), source_type):
            item.typed.add(c)
            if item.table.column(c).type == "date":
                parts.append(f"cast({source} as date) as {_quote(c)}")
            else:
                parts.append(f"{source} as {_quote(c)}")
        elif item.table.column(c).type == "month" and (
            source_type in PARQUET_DATES or source_type.startswith("TIMESTAMP")
        ):
            # A month written as a date (its first day, as many systems do): its YYYY-MM.
            parts.append(f"strftime(cast({source} as date), '%Y-%m') as {_quote(c)}")
        else:
            parts.append(_parquet_text(source, source_type, date_format) + f" as {_quote(c)}")
    return (
        f"(select file_row_number + 1 as _row, {', '.join(parts)} "
        f"from read_parquet({_literal(str(item.read_path))}, file_row_number = true))"
    )


# ---------------------------------------------------------------------------
# 3. Validate: generated SQL, one statement per table

# Years from 1900: an earlier year is a typing slip (0226 for 2026), and one such date would
# stretch every monthly series back centuries. Later years are caught by the as-of date.
YEAR = r"(19|[2-9]\d)\d{2}"
ISO_DATE = YEAR + r"-\d{2}-\d{2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?"
UK_DATE = r"\d{1,2}/\d{1,2}/" + YEAR + r"( \d{1,2}:\d{2}(:\d{2})?)?"
MONTH = YEAR + r"-\d{2}"
BEFORE_1900 = "date '1899-12-31'"
INT_TEXT = r"[+-]?\d+(\.0+)?"
DECIMAL_TEXT = r"[+-]?(\d+(\.\d*)?|\.\d+)"
# A comma is a thousands separator only between groups of three digits: 1,250.00 but not 12,50.
THOUSANDS_TEXT = r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?"


def _date_expr(v: str, date_format: str | None) -> str:
    # Fast path for plain dates (fixed length and separators), then the strict patterns.
    iso = (
        f"case when length({v}) = 10 and {v}[5] = '-' and {v}[8] = '-' "
        f"then try_strptime({v}, '%Y-%m-%d')::date "
        f"when regexp_full_match({v}, '{ISO_DATE}') then try_strptime(left({v}, 10), '%Y-%m-%d')::date end"
    )
    uk = (
        f"case when length({v}) = 10 and {v}[3] = '/' and {v}[6] = '/' "
        f"then try_strptime({v}, '%d/%m/%Y')::date "
        f"when regexp_full_match({v}, '{UK_DATE}') "
        f"then try_strptime(split_part({v}, ' ', 1), '%d/%m/%Y')::date end"
    )
    if date_format == "iso":
        return iso
    if date_format == "uk":
        return uk
    return f"coalesce({iso}, {uk})"


def _parse_expr(column: Column, v: str, date_format: str | None) -> str:
    if column.type == "date":
        # Dates before 1900 are rejected (see YEAR); greatest() skips NULL, nullif() restores it.
        return f"nullif(greatest({_date_expr(v, date_format)}, {BEFORE_1900}), {BEFORE_1900})"
    if column.type == "int":
        # Fast path: the text is already the integer's canonical form; else the strict pattern.
        return (
            f"case when try_cast({v} as integer)::varchar = {v} then try_cast({v} as integer) "
            f"when regexp_full_match({v}, '{INT_TEXT}') "
            f"then try_cast(split_part({v}, '.', 1) as integer) end"
        )
    if column.type == "decimal":
        pounds = f"replace({v}, '£', '')"
        cleaned = (
            f"case when regexp_full_match({pounds}, '{THOUSANDS_TEXT}') "
            f"then replace({pounds}, ',', '') else {pounds} end"
        )
        number = f"try_cast({cleaned} as double)"
        return (
            f"case when regexp_full_match({cleaned}, '{DECIMAL_TEXT}') and isfinite({number}) "
            f"then {number} end"
        )
    if column.type == "bool":
        trues = ", ".join(_literal(x) for x in contract.BOOL_TRUE)
        falses = ", ".join(_literal(x) for x in contract.BOOL_FALSE)
        return f"case when lower({v}) in ({trues}) then true when lower({v}) in ({falses}) then false end"
    if column.type == "month":
        return (
            f"case when regexp_full_match({v}, '{MONTH}') "
            f"and try_strptime({v} || '-01', '%Y-%m-%d') is not null then {v} end"
        )
    if column.type == "code":
        codes = ", ".join(_literal(c) for c in column.codes or ())
        return f"case when lower({v}) in ({codes}) then lower({v}) end"
    return v  # text


def _mapped_columns(item: Inspected, code_map: dict[str, dict[str, str]]) -> list[Column]:
    """The columns of the file that ``code_map.csv`` maps (codes only, read as text)."""
    return [
        c
        for c in item.table.columns
        if code_map.get(c.name) and c.name in item.present and c.name not in item.typed
    ]


def _with_code_map(item: Inspected, source: str, code_map: dict[str, dict[str, str]]) -> str:
    """The rows of ``source`` and, per mapped column, the code its trimmed value maps to
    (``_m_<column>``, NULL when unmapped): a hash join on the ``_code_map`` temp table, so a
    map of 100,000 rows costs a join, not a CASE of 100,000 branches per value."""
    mapped = _mapped_columns(item, code_map)
    if not mapped:
        return source
    picks, joins = [], []
    for i, column in enumerate(mapped):
        alias = f"_cm{i}"
        picks.append(f"{alias}.code as _m_{column.name}")
        joins.append(
            f"left join (select source_value, code from _code_map "
            f"where column_name = {_literal(column.name)}) as {alias} "
            f"on {alias}.source_value = {_trimmed('_src.' + _quote(column.name))}"
        )
    return f"(select _src.*, {', '.join(picks)} from {source} as _src {' '.join(joins)})"


def _create_code_map(con: duckdb.DuckDBPyConnection, code_map: dict[str, dict[str, str]]) -> None:
    """The table's code map as the connection's ``_code_map`` temp table."""
    rows = [
        (column, src, code) for column, pairs in code_map.items() for src, code in pairs.items()
    ]
    con.execute(
        "create or replace temp table _code_map as select unnest(?::varchar[]) as column_name, "
        "unnest(?::varchar[]) as source_value, unnest(?::varchar[]) as code",
        [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]],
    )


def _column_checks(column: Column, table: Table, date_format: str | None, as_of: str) -> str:
    """SQL giving the first failing rule of one column, or NULL."""
    v, p = f"v_{column.name}", f"p_{column.name}"
    kind = {
        "date": "invalid_date",
        "month": "invalid_date",
        "int": "invalid_number",
        "decimal": "invalid_number",
        "bool": "invalid_bool",
        "code": "unknown_code",
    }.get(column.type)
    whens = []
    if column.required:
        whens.append(f"when {v} is null then 'missing_value'")
    if kind and not column.demographic:
        whens.append(f"when {v} is not null and {p} is null then '{kind}'")
    if column.minimum is not None:
        whens.append(f"when {p} < {column.minimum} then 'out_of_range'")
    if column.maximum is not None:
        whens.append(f"when {p} > {column.maximum} then 'out_of_range'")
    if column.type == "date":
        whens.append(f"when {p} > {as_of} then 'future_date'")
    if column.type == "month":
        whens.append(f"when ({p} || '-01')::date > {as_of} then 'future_date'")
    if column.not_before and column.not_before in table.column_names:
        whens.append(f"when {p} < p_{column.not_before} then 'date_order'")
    if not whens:
        return "null"
    return "case " + " ".join(whens) + " end"


def _row_checks(table: Table) -> list[tuple[str, str, str]]:
    """(condition, rule, column) checks that involve several columns of one row."""
    checks = []
    if table.name == "referrals":
        checks.append(
            (
                "(p_closed_date is null) != (p_closure_reason is null)",
                "inconsistent",
                "closure_reason",
            )
        )
    if table.name == "agency_referrals":
        checks.append(
            ("p_outcome != 'pending' and p_outcome_date is null", "missing_value", "outcome_date")
        )
    if table.name == "exit_surveys":
        checks.append(("p_goals_achieved > p_goals_set", "out_of_range", "goals_achieved"))
    if table.name == "assessments":
        metrics = ", ".join(f"{m:.2f}" for m in swemwbs_conversion()["metric"])
        checks.append(
            (
                f"p_swemwbs_metric is not null and round(p_swemwbs_metric, 2) not in ({metrics})",
                "out_of_range",
                "swemwbs_metric",
            )
        )
    if table.name == "population":
        pairs = ", ".join(
            f"({_literal(ch)}, {_literal(cat)})"
            for ch, cats in contract.CHARACTERISTICS.items()
            for cat in cats
        )
        checks.append(
            (f"(p_characteristic, p_category) not in ({pairs})", "inconsistent", "category")
        )
    return checks


def _trimmed(value: str) -> str:
    """Blank → NULL, Unicode white space trimmed. Values that start and end with a visible
    ASCII character (nearly all) skip the full trim, which is ten times slower."""
    full = f"nullif(trim({value}, {_literal(WHITESPACE)}), '')"
    return (
        f"case when ascii({value}) between 33 and 126 and ascii(right({value}, 1)) between 33 and 126 "
        f"then {value} else {full} end"
    )


def _typed_parse(column: Column, v: str) -> str:
    """Parse a value Parquet already holds in the contract's type: only range rules remain."""
    if column.type == "date":
        # Already a date: only the 1900 rule of the text path applies.
        return f"case when {v} > {BEFORE_1900} then {v} end"
    if column.type == "int":
        return f"try_cast({v} as integer)"  # NULL (invalid_number) beyond the integer range
    if column.type == "decimal":
        return f"case when isfinite({v}::double) then {v}::double end"
    return v


def _value_expr(item: Inspected, column: Column, code_map: dict[str, dict[str, str]]) -> str:
    """``v_<column>``: the trimmed, code-mapped text, or the typed value, of one column."""
    if column.name in item.typed:
        raw = _quote(column.name)
    elif column.name in item.present:
        raw = _trimmed(_quote(column.name))
        if column in _mapped_columns(item, code_map):
            raw = f"coalesce(_m_{column.name}, {raw})"
    else:
        raw = "null::varchar"
    return f"{raw} as v_{column.name}"


def _value_exprs(item: Inspected, code_map: dict[str, dict[str, str]]) -> list[str]:
    """``v_<column>`` for every contract column."""
    return [_value_expr(item, column, code_map) for column in item.table.columns]


def _unmapped_expr(column: Column) -> str:
    """Whether a demographic value as read is none of the contract's codes (read as unknown)."""
    codes = ", ".join(_literal(x) for x in column.codes or ())
    return f"(v_{column.name} is not null and lower(v_{column.name}) not in ({codes}))"


def _long_line_check(item: Inspected) -> str | None:
    """SQL true for a row holding the marker of a line over the limit (inside a quoted value
    spanning lines, the record still had the header's fields)."""
    if not item.long_lines:
        return None
    marker = _literal(LONG_LINE_MARKER.decode())
    return " or ".join(
        f"coalesce(contains(v_{c}, {marker}), false)" for c in item.present if c not in item.typed
    )


def _repeated_header_check(item: Inspected) -> str | None:
    """SQL true for a CSV row whose every value read as text is one of the header's column
    names (any case): the header line again, mid-file (two exports pasted together). The
    first column is tested first, so other rows cost one comparison."""
    if item.file.reads_as != "csv":
        return None
    names = ", ".join(_literal(n) for n in sorted(set(item.header)))
    texts = [c for c in item.present if c not in item.typed]
    if not texts:
        return None
    tests = [f"lower(v_{c}) in ({names})" for c in texts]
    return f"(case when {tests[0]} then {' and '.join(tests)} else false end)"


def validation_sql(
    item: Inspected,
    source: str,
    as_of: str,
    date_format: str | None,
    code_map: dict[str, dict[str, str]],
) -> str:
    """One select over the source rows: ``_row``, the typed values ``p_<column>``, the first
    failing rule and its column (``_reason``) and, per demographic column, whether its code
    was unmapped. The values as read (``v_<column>``) are not kept: the quarantine reads them
    again for the rejected rows only."""
    table = item.table
    parsed, checks = [], []
    for column in table.columns:
        if column.name in item.typed:
            parse = _typed_parse(column, f"v_{column.name}")
        else:
            parse = _parse_expr(column, f"v_{column.name}", date_format)
        if column.demographic:
            parse = f"coalesce({parse}, 'unknown')"
        parsed.append(f"{parse} as p_{column.name}")
        checks.append((_column_checks(column, table, date_format, as_of), column.name))
    column_reasons = [(f"r_{name}", expr, name) for expr, name in checks if expr != "null"]
    reason_parts = [
        f"case when {cond} then {{'rule': '{rule}', 'column': null::varchar}} end"
        for cond, rule in [
            (_long_line_check(item), "line_too_long"),
            (_repeated_header_check(item), "repeated_header"),
        ]
        if cond
    ]
    reason_parts += [
        f"case when {alias} is not null then {{'rule': {alias}, 'column': '{name}'}} end"
        for alias, _, name in column_reasons
    ]
    reason_parts += [
        f"case when {cond} then {{'rule': '{rule}', 'column': '{col}'}} end"
        for cond, rule, col in _row_checks(table)
    ]
    unmapped = [f"{_unmapped_expr(c)} as unmapped_{c.name}" for c in table.columns if c.demographic]
    reason = "coalesce(" + ", ".join(reason_parts) + ")" if reason_parts else "null"
    column_checks = "".join(f", {expr} as {alias}" for alias, expr, _ in column_reasons)
    typed = ", ".join(f"p_{c.name}" for c in table.columns)
    return f"""
        with texts as (
            select _row, {", ".join(_value_exprs(item, code_map))}
            from {_with_code_map(item, source, code_map)}
        ),
        parsed as (
            select *, {", ".join(parsed)} from texts
        ),
        checked as (
            select *{column_checks} from parsed
        )
        select _row, {typed}, {reason} as _reason{"".join(", " + u for u in unmapped)}
        from checked{" order by _row" if _mapped_columns(item, code_map) else ""}
    """


def _json_value(item: Inspected, column: str) -> str:
    """A value as read, for the JSON of a rejected row: NaN and infinity are no JSON numbers,
    so a typed number that is not finite is kept as its text ("nan", "inf")."""
    v = f"v_{column}"
    if column in item.typed and item.table.column(column).type == "decimal":
        return f"case when isfinite({v}::double) then to_json({v}) else to_json({v}::varchar) end"
    return v


def quarantined_values_sql(
    item: Inspected, source: str, code_map: dict[str, dict[str, str]]
) -> str:
    """``_row`` and the values as read (JSON) of the rows ``_checked`` rejected."""
    pairs = ", ".join(f"'{c}', {_json_value(item, c)}" for c in item.present)
    raw_json = f"json_object({pairs})"
    return f"""
        with texts as (
            select _row, {", ".join(_value_exprs(item, code_map))}
            from {_with_code_map(item, source, code_map)}
            where _row in (select _row from _checked where _reason is not null)
        )
        select _row, {raw_json} as raw_values from texts
    """


# ---------------------------------------------------------------------------
# Orchestration


@dataclass
class IngestResult:
    report: LoadReport
    present_tables: dict[str, bool]
    columns: dict[str, list[str]]  # present columns per table


def read_code_map(
    path: Path | None, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
) -> dict[str, dict[str, dict[str, str]]]:
    """table -> column -> source_value -> code. A line over the line limit stops the build
    before any line is read (the csv module would read it whole)."""
    if path is None:
        return {}
    if _scan_text(path, max_line_bytes).long_lines:
        raise ExtractError(
            f"has a line longer than the line limit of {max_line_bytes:,} bytes",
            file="code_map.csv",
            rule="line_too_long",
        )
    mapping: dict[str, dict[str, dict[str, str]]] = {}
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            fields = [contract.normalise_header(f) for f in reader.fieldnames or []]
            if fields[:4] != ["table", "column", "source_value", "code"]:
                raise ExtractError(
                    "header must be table,column,source_value,code",
                    file="code_map.csv",
                    rule="header",
                )
            for number, row in enumerate(csv.reader(handle), start=1):
                if len(row) != 4:
                    raise ExtractError(
                        f"row {number} does not have 4 fields",
                        file="code_map.csv",
                        rule="malformed_row",
                    )
                table, column, source_value, code = (x.strip() for x in row)
                if (
                    table not in contract.TABLES_BY_NAME
                    or column not in contract.TABLES_BY_NAME[table].column_names
                ):
                    raise ExtractError(
                        f"row {number} names no contract column",
                        file="code_map.csv",
                        rule="unknown_column",
                    )
                if contract.TABLES_BY_NAME[table].column(column).type != "code":
                    raise ExtractError(
                        f"row {number} maps {table}.{column}, which is not a code column "
                        "(only codes may be mapped; ids, dates and numbers never are)",
                        file="code_map.csv",
                        rule="code_map_column",
                    )
                mapping.setdefault(table, {}).setdefault(column, {})[source_value] = code
    except UnicodeDecodeError:
        raise ExtractError("is not UTF-8 text", file="code_map.csv", rule="encoding") from None
    except csv.Error:
        raise ExtractError(
            "is not a CSV file of table,column,source_value,code (broken quoting or a value "
            "over the field size limit)",
            file="code_map.csv",
            rule="malformed_file",
        ) from None
    return mapping


def _create_raw_table(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    columns = ", ".join(f"{_quote(c.name)} {contract.DUCKDB_TYPES[c.type]}" for c in table.columns)
    con.execute(f"create or replace table raw.{table.name} ({columns})")


def ingest(
    con: duckdb.DuckDBPyConnection,
    snapshot: Snapshot,
    quarantine_schema: str = "quarantine",
    progress: Callable[[str], None] | None = None,
    workdir: Path | None = None,
    workers: int = 1,
) -> IngestResult:
    """Load the snapshot into ``raw.*``; quarantined rows go to ``<quarantine_schema>.rows``.

    ``workdir`` (created, then removed) holds decoded copies of CSV files; the build puts it
    beside its temporary warehouse so that a killed build's copies are found and removed.
    With ``workers`` > 1, a table loads as soon as the tables it checks its keys against
    (its parents) are loaded, beside the others, each on its own cursor.
    """
    say = progress or (lambda _msg: None)
    as_of = f"date '{snapshot.as_of.isoformat()}'"
    code_map = read_code_map(snapshot.code_map, snapshot.max_line_bytes)
    if workdir is None:
        workdir = Path(tempfile.mkdtemp(prefix="hubvalue-ingest-"))
    else:
        workdir.mkdir(mode=0o700)
    try:
        inspected = {
            name: inspect(
                file,
                con,
                workdir,
                snapshot.max_line_bytes,
                snapshot.column_map,
                snapshot.date_format,
            )
            for name, file in snapshot.files.items()
        }
        con.execute("create schema if not exists raw")
        con.execute(
            f"""
            create or replace table {quarantine_schema}.rows (
                table_name varchar, file_name varchar, record_number bigint,
                rule varchar, column_name varchar, raw_values json
            )
            """
        )
        for table in contract.ordered_tables():
            _create_raw_table(con, table)

        def load(cursor: duckdb.DuckDBPyConnection, table: Table) -> FileReport:
            item = inspected[table.name]
            say(f"loading {item.file.label}")
            return _load_table(
                cursor, item, snapshot, as_of, code_map.get(table.name, {}), quarantine_schema
            )

        to_load = [t for t in contract.ordered_tables() if t.name in inspected]
        loaded = _load_in_parallel(con, to_load, load, workers)
        reports = [loaded[t.name] for t in to_load]
        for item in inspected.values():
            if item.sheet_rows is not None:
                _number_sheet_rows(con, quarantine_schema, item)
        # Tables load side by side: put the quarantined rows back in contract and file order.
        order = ", ".join(_literal(t.name) for t in to_load) or "''"
        con.execute(
            f"""
            create or replace table {quarantine_schema}.rows as
            select * from {quarantine_schema}.rows
            order by list_position([{order}], table_name), record_number
            """
        )
        return IngestResult(
            report=LoadReport(reports, snapshot.other_files, snapshot.notes),
            present_tables={t.name: t.name in inspected for t in contract.TABLES},
            columns={name: item.present for name, item in inspected.items()},
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _number_sheet_rows(
    con: duckdb.DuckDBPyConnection, quarantine_schema: str, item: Inspected
) -> None:
    """A sheet's quarantined rows are numbered by the sheet's own rows (``referrals!17``),
    not by record: the header may not be on row 1 and empty rows are skipped."""
    records = [
        r[0]
        for r in con.execute(
            f"select distinct record_number from {quarantine_schema}.rows where table_name = ?",
            [item.table.name],
        ).fetchall()
    ]
    if not records:
        return
    con.execute(
        f"""
        update {quarantine_schema}.rows set record_number = sheet.sheet_row
        from (select unnest(?::bigint[]) as record, unnest(?::bigint[]) as sheet_row) as sheet
        where table_name = ? and record_number = sheet.record
        """,
        [records, [_sheet_row(item.sheet_rows, r) for r in records], item.table.name],
    )


def _sheet_row(sheet_rows: list[int], record: int) -> int:
    """The sheet row of a record (a record number past the sheet's, which no record of a
    sheet copy has, is kept)."""
    return sheet_rows[record - 1] if 1 <= record <= len(sheet_rows) else record


def _load_in_parallel(
    con: duckdb.DuckDBPyConnection,
    tables: list[Table],
    load: Callable[[duckdb.DuckDBPyConnection, Table], FileReport],
    workers: int,
) -> dict[str, FileReport]:
    """Run ``load`` for every table once its parents are loaded; the reports by table.

    When loads fail, every running load is let finish and the error of the table first in
    contract order is raised, so a bad extract gives the same message whatever the timing.
    """
    if workers <= 1:
        return {table.name: load(con, table) for table in tables}
    names = {t.name for t in tables}
    waiting = list(tables)
    reports: dict[str, FileReport] = {}
    errors: dict[str, BaseException] = {}
    cursors = [con.cursor() for _ in range(workers)]
    free = list(cursors)
    running: dict[Future, tuple[Table, duckdb.DuckDBPyConnection]] = {}
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="load") as pool:
            while (waiting and not errors) or running:
                ready = [
                    t
                    for t in waiting
                    if all(p in reports or p not in names for _, p, _ in t.parents)
                ]
                for table in ready[: len(free)] if not errors else []:
                    waiting.remove(table)
                    cursor = free.pop()
                    running[pool.submit(load, cursor, table)] = (table, cursor)
                if not running:
                    break
                completed, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in completed:
                    table, cursor = running.pop(future)
                    free.append(cursor)
                    try:
                        reports[table.name] = future.result()
                    except BaseException as exc:  # noqa: BLE001 - re-raised below, in order
                        errors[table.name] = exc
    finally:
        for cursor in cursors:
            cursor.close()
    for table in tables:
        if table.name in errors:
            raise errors[table.name]
    return reports


def _load_table(
    con: duckdb.DuckDBPyConnection,
    item: Inspected,
    snapshot: Snapshot,
    as_of: str,
    code_map: dict[str, dict[str, str]],
    quarantine_schema: str,
) -> FileReport:
    table = item.table
    file_name = item.file.label
    report = FileReport(
        table.name,
        file_name,
        encoding=item.encoding,
        ignored_columns=item.ignored,
        absent_columns=[c for c in table.column_names if c not in item.present],
        empty_rows=item.empty_rows,
    )
    if item.file.reads_as == "csv":
        source, rejected = _read_csv(con, item)
    else:
        source, rejected = _parquet_source(con, item, snapshot.date_format), []
    if _mapped_columns(item, code_map):
        _create_code_map(con, code_map)
    checks = validation_sql(item, source, as_of, snapshot.date_format, code_map)
    if not rejected and _load_if_clean(con, item, source, checks, code_map, report):
        con.execute("drop table if exists _code_map")
        return report
    with _readable(item):
        con.execute("create or replace temp table _checked as " + checks)
    _mark_duplicates(con, table)
    _mark_orphans(con, table)
    names = ", ".join(_quote(c.name) for c in table.columns)
    typed = ", ".join(f"p_{c.name}" for c in table.columns)
    # _checked is in file order (insertion order is preserved), so raw is too.
    con.execute(
        f"insert into raw.{table.name} ({names}) select {typed} from _checked where _reason is null"
    )
    unmapped_columns = [c.name for c in table.columns if c.demographic]
    counts = con.execute(
        "select count(*), count(*) filter (where _reason is null)"
        + "".join(
            f", count(*) filter (where unmapped_{c} and _reason is null)" for c in unmapped_columns
        )
        + " from _checked"
    ).fetchone()
    if counts[0] != counts[1]:
        con.execute(
            f"""
            insert into {quarantine_schema}.rows
            select ?, ?, _checked._row, _checked._reason.rule, _checked._reason.column,
                rejected.raw_values
            from _checked
            inner join ({quarantined_values_sql(item, source, code_map)}) as rejected
                on _checked._row = rejected._row
            order by _checked._row
            """,
            [table.name, file_name],
        )
    if rejected:
        marker = _literal(LONG_LINE_MARKER.decode())
        con.execute(
            f"insert into {quarantine_schema}.rows select ?, ?, _row, "
            f"case when contains(csv_line, {marker}) then 'line_too_long' "
            "else 'malformed_row' end, null, "
            "json_object('csv_line', csv_line) from _rejected_lines",
            [table.name, file_name],
        )
        long_rejected = con.execute(
            f"select count(*) filter (where contains(csv_line, {marker})) from _rejected_lines"
        ).fetchone()[0]
        con.execute("drop table _rejected_lines")
    report.rows_read = counts[0] + len(rejected)
    report.rows_loaded = counts[1]
    report.rows_quarantined = counts[0] - counts[1] + len(rejected)
    if counts[0] != counts[1]:
        for rule, column, rows in con.execute(
            "select _reason.rule, _reason.column, count(*) from _checked "
            "where _reason is not null group by all order by all"
        ).fetchall():
            report.reasons[(rule, column)] = rows
    if rejected:
        for rule, rows in (
            ("malformed_row", len(rejected) - long_rejected),
            ("line_too_long", long_rejected),
        ):
            if rows:
                report.reasons[(rule, "")] = report.reasons.get((rule, ""), 0) + rows
    for column, n in zip(unmapped_columns, counts[2:], strict=True):
        if n:
            report.code_unmapped[column] = n
    loaded = con.execute(f"select count(*) from raw.{table.name}").fetchone()[0]
    quarantined = con.execute(
        f"select count(*) from {quarantine_schema}.rows where table_name = ?", [table.name]
    ).fetchone()[0]
    if (
        loaded != report.rows_loaded
        or quarantined != report.rows_quarantined
        or report.rows_read != report.rows_loaded + report.rows_quarantined
    ):
        raise ExtractError(
            "row accounting failed (read != loaded + quarantined)", file=file_name, rule="internal"
        )
    con.execute("drop table _checked")
    con.execute("drop table if exists _code_map")
    con.execute("drop table if exists _text")
    con.execute("drop table if exists _scan")
    return report


@contextmanager
def _readable(item: Inspected) -> Iterator[None]:
    """A Parquet file whose footer reads but whose data pages do not (truncated, corrupt)
    fails with a clear error naming it; a CSV file's error is raised as it is."""
    try:
        yield
    except duckdb.Error:
        if item.file.reads_as == "csv":
            raise
        raise ExtractError(
            "is not a readable Parquet file", file=item.file.path.name, rule="unreadable_file"
        ) from None


def _load_if_clean(
    con: duckdb.DuckDBPyConnection,
    item: Inspected,
    source: str,
    checks: str,
    code_map: dict[str, dict[str, str]],
    report: FileReport,
) -> bool:
    """The fast path, for a file in which every row passes every rule (a hub's extract
    nearly always): the rows go straight into ``raw``, checked and typed in one pass, in
    file order, with no working copy. The rules that compare rows (duplicate keys, orphans,
    the order of an agency referral's dates) are then checked on what was loaded. When any
    row fails any rule, ``raw`` is left empty and False returned: the caller then loads the
    file the careful way, which finds and quarantines exactly those rows, so the outcome
    is the same either way."""
    table = item.table
    names = ", ".join(_quote(c.name) for c in table.columns)
    first, *rest = table.columns
    # A row that fails a rule stops the statement (no filter: a filter on _reason would be
    # pushed below the parsing and parse every value twice); DuckDB then rolls it back.
    guarded = [f"case when _reason is null then p_{first.name} else error('rejected row') end"]
    guarded += [f"p_{c.name}" for c in rest]
    try:
        loaded = con.execute(
            f"insert into raw.{table.name} ({names}) select {', '.join(guarded)} from ({checks})"
        ).fetchone()[0]
    except duckdb.Error:
        return False  # a row failed a rule, or the file did not read: the careful way says which
    if any(con.execute(sql).fetchone()[0] for sql in _cross_row_failures(table)):
        _create_raw_table(con, table)
        return False
    demographic = [c for c in table.columns if c.demographic]
    if demographic:
        values = ", ".join(_value_expr(item, c, code_map) for c in demographic)
        counted = ", ".join(f"count(*) filter (where {_unmapped_expr(c)})" for c in demographic)
        counts = con.execute(
            f"select {counted} from (select {values} from {_with_code_map(item, source, code_map)})"
        ).fetchone()
        for column, n in zip(demographic, counts, strict=True):
            if n:
                report.code_unmapped[column.name] = n
    report.rows_read = report.rows_loaded = loaded
    return True


def _cross_row_failures(table: Table) -> list[str]:
    """Queries counting the loaded rows of ``raw.<table>`` that break a rule comparing rows:
    the same rules `_mark_duplicates` and `_mark_orphans` apply to the rows being checked."""
    raw = f"raw.{table.name}"
    key = ", ".join(_quote(k) for k in table.key)
    not_null = " and ".join(f"{_quote(k)} is not null" for k in table.key)
    queries = [
        f"select count(*) from (select {key} from {raw} where {not_null} "
        "group by all having count(*) > 1)"
    ]
    if table.name == "assessments":
        queries.append(
            f"select count(*) from (select referral_id, stage from {raw} "
            "where stage in ('intake', 'exit') and referral_id is not null "
            "group by all having count(*) > 1)"
        )
    for column, parent, parent_column in table.parents:
        queries.append(
            f"select count(*) from {raw} where {_quote(column)} is not null and "
            f"{_quote(column)} not in (select {_quote(parent_column)} from raw.{parent})"
        )
    if table.name == "agency_referrals":
        queries.append(
            f"select count(*) from {raw} inner join raw.referrals "
            f"on raw.referrals.referral_id = {raw}.referral_id "
            f"where {raw}.sent_date < raw.referrals.referral_date"
        )
    return queries


def _mark_duplicates(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    key = ", ".join(f"p_{k}" for k in table.key)
    not_null = " and ".join(f"p_{k} is not null" for k in table.key)
    con.execute(
        f"""
        update _checked set _reason = {{'rule': 'duplicate_key', 'column': '{table.key[0]}'}}
        where _reason is null and ({key}) in (
            select ({key}) from _checked where {not_null} group by all having count(*) > 1
        )
        """
    )
    if table.name == "assessments":
        # At most one intake and one exit per referral: every row of a repeated pair is quarantined.
        con.execute(
            """
            update _checked set _reason = {'rule': 'duplicate_key', 'column': 'stage'}
            where _reason is null and p_stage in ('intake', 'exit') and (p_referral_id, p_stage) in (
                select (p_referral_id, p_stage) from _checked
                where p_stage in ('intake', 'exit') and p_referral_id is not null
                group by all having count(*) > 1
            )
            """
        )


def _mark_orphans(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    for column, parent, parent_column in table.parents:
        con.execute(
            f"""
            update _checked set _reason = {{'rule': 'orphan', 'column': '{column}'}}
            where _reason is null
              and p_{column} not in (select {_quote(parent_column)} from raw.{parent})
            """
        )
    if table.name == "agency_referrals":
        con.execute(
            """
            update _checked set _reason = {'rule': 'date_order', 'column': 'sent_date'}
            from raw.referrals
            where _checked._reason is null
              and raw.referrals.referral_id = _checked.p_referral_id
              and _checked.p_sent_date < raw.referrals.referral_date
            """
        )
