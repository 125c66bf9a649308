"""Excel workbooks (``.xlsx``) as extract files, read with python-calamine.

Two shapes are accepted (see docs/data-contract.md, "Excel workbooks"):

* ``<table>.xlsx``: one workbook per table. Its rows are on the sheet named after the table
  or, when there is no such sheet, on its only visible sheet.
* any other ``<name>.xlsx``: a workbook with one sheet per table, each sheet named after a
  contract table (case and surrounding spaces ignored). Visible sheets named after no table
  are ignored and reported.

Hidden sheets are never read, and are reported. A sheet is turned into a CSV working copy
(UTF-8, one record per non-empty row) that the ingest then reads exactly as a CSV file, so
every guarantee of a CSV file holds: each row validated, quarantined with its reason, read =
loaded + quarantined. Cells keep the value Excel stored: a formula gives its cached value
(never its text), a date cell and a number in a date column (an Excel serial) read as dates,
a TRUE/FALSE cell as true/false, a whole number without ``.0``. Fully empty rows are not
records (as blank lines in a CSV file): skipped and counted. Row numbers of quarantined rows
are the sheet's own row numbers, so ``referrals!17`` is row 17 of the sheet ``referrals``.

No cell value ever reaches a message: a workbook that cannot be read is named, not quoted.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from metrics.contract import TABLES_BY_NAME, normalise_header
from metrics.identifiers import printable
from metrics.snapshot import ExtractError, TableFile

EXTENSION = "xlsx"
# Excel's day 0 (its serials count days from 1899-12-30, past the 1900 leap-year bug), and
# the largest serial it has (9999-12-31).
EXCEL_EPOCH = dt.date(1899, 12, 30)
MAX_SERIAL = 2_958_465


@dataclass
class Workbook:
    """The sheets of one workbook found in an extract folder."""

    tables: dict[str, TableFile] = field(default_factory=dict)
    # (workbook.xlsx!sheet, why it is not read): hidden or unused sheets, reported
    notes: list[tuple[str, str]] = field(default_factory=list)
    ignored: bool = False  # no sheet is a contract table


def _open(path: Path) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception:  # noqa: BLE001 - calamine's message may quote the file's bytes
        raise ExtractError(
            "is not a readable Excel workbook (.xlsx): save it again from Excel",
            file=path.name,
            rule="unreadable_file",
        ) from None


def _label(path: Path, sheet: str) -> str:
    return f"{path.name}!{printable(sheet)}"


def workbook_tables(path: Path) -> Workbook:
    """The contract tables a workbook holds (a ``TableFile`` per sheet read), and notes on
    the sheets it does not read. Two sheets for one table stop the build."""
    book = _open(path)
    try:
        sheets = [
            (m.name, m.visible == SheetVisibleEnum.Visible)
            for m in book.sheets_metadata
            if m.typ == SheetTypeEnum.WorkSheet
        ]
    finally:
        book.close()
    found = Workbook()
    for name, visible in sheets:
        if not visible:
            found.notes.append((_label(path, name), "a hidden sheet, not read"))
    visible = [name for name, is_visible in sheets if is_visible]
    own_table = normalise_header(path.stem)
    if own_table in TABLES_BY_NAME:
        named = [s for s in visible if normalise_header(s) == own_table]
        if len(named) > 1:
            raise _two_sheets(path, own_table)
        if named:
            chosen = named[0]
        elif len(visible) == 1:
            chosen = visible[0]
        else:
            raise ExtractError(
                f"has {len(visible)} visible sheets and none is named {own_table}: keep one "
                "sheet, or name the sheet to read after the table",
                file=path.name,
                rule="sheet",
            )
        found.tables[own_table] = TableFile(own_table, path, EXTENSION, chosen)
        found.notes += [
            (_label(path, s), f"not read ({path.name} is the {own_table} table's workbook)")
            for s in visible
            if s != chosen
        ]
        return found
    for name in visible:
        table = normalise_header(name)
        if table not in TABLES_BY_NAME:
            found.notes.append((_label(path, name), "not a contract table, not read"))
            continue
        if table in found.tables:
            raise _two_sheets(path, table)
        found.tables[table] = TableFile(table, path, EXTENSION, name)
    found.ignored = not found.tables
    return found


def _two_sheets(path: Path, table: str) -> ExtractError:
    return ExtractError(
        f"has two sheets for the table {table}: keep one",
        file=path.name,
        rule="duplicate_sheet",
    )


@dataclass
class SheetCopy:
    """A sheet written as CSV: where, and the sheet row number of each record."""

    path: Path
    rows: list[int]  # rows[k - 1]: the sheet row of record k (1 = the first data row)
    empty_rows: int  # fully empty rows skipped (between or after the records)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _blank_row(row: list) -> bool:
    """True when every cell is empty or white space (stops at the first value)."""
    return all(_is_blank(v) for v in row)


def _last_filled(row: list) -> int:
    """The number of cells up to and including the row's last non-blank one."""
    width = len(row)
    while width and _is_blank(row[width - 1]):
        width -= 1
    return width


def _date_text(day: dt.date, date_format: str | None) -> str:
    return day.strftime("%d/%m/%Y") if date_format == "uk" else day.isoformat()


def cell_text(value: object, column_type: str | None, date_format: str | None) -> str:
    """The text of a cell as the validation reads it, given its contract column's type
    (None: a column the contract does not have, never read)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        if column_type == "month":
            return value.strftime("%Y-%m")
        if column_type == "date":
            return _date_text(value, date_format)
        return value.isoformat()
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            return str(value)
        if column_type == "date" and 1 <= value <= MAX_SERIAL:
            # A number in a date column is an Excel serial (a date cell without its format).
            return _date_text(EXCEL_EPOCH + dt.timedelta(days=int(value)), date_format)
        if float(value).is_integer():
            return str(int(value))
        return repr(float(value))
    return str(value)


def sheet_to_csv(
    file: TableFile,
    target: Path,
    column_types: dict[str, str],
    date_format: str | None = None,
) -> SheetCopy:
    """Write the sheet of ``file`` as a UTF-8 CSV at ``target``. ``column_types`` gives the
    contract type of each (normalised, mapped) header name; the header is the sheet's first
    non-empty row. Columns right of the last non-empty cell of any row are dropped."""
    book = _open(file.path)
    try:
        try:
            cells = book.get_sheet_by_name(file.sheet).to_python(skip_empty_area=False)
        except Exception:  # noqa: BLE001 - the message may quote cell values
            raise ExtractError(
                "could not be read as an Excel sheet", file=file.label, rule="unreadable_file"
            ) from None
    finally:
        book.close()
    filled = [(n, row) for n, row in enumerate(cells, start=1) if not _blank_row(row)]
    if not filled:
        raise ExtractError("is empty: no header row", file=file.label, rule="empty_file")
    header_row, header = filled[0]
    width = _last_filled(header)
    for _, row in filled[1:]:  # a value right of the header: its column has a blank name
        if len(row) > width and not _blank_row(row[width:]):
            width = max(width, _last_filled(row))
    names = [cell_text(v, None, None) for v in header[:width]]
    names += [""] * (width - len(names))
    types = [column_types.get(normalise_header(n)) for n in names]
    # Most cells are text (ids, codes) and pass as they are; the others by their type. A row
    # longer than the header is cut to it (its extra cells are blank), a shorter one padded.
    convert = [lambda v, t=t: cell_text(v, t, date_format) for t in types]
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(
            [v if v.__class__ is str else f(v) for v, f in zip(row, convert, strict=False)]
            + [""] * (width - len(row))
            for _, row in filled[1:]
        )
    rows = [n for n, _ in filled[1:]]
    last_row = len(cells)
    return SheetCopy(target, rows, last_row - header_row - len(rows))
