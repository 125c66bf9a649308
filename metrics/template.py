"""``hubvalue template``: an empty extract workbook for a hub to fill or export into.

Generated from ``metrics/contract.py`` (as ``docs/data-contract.md`` is, by
``metrics/contract_doc.py``): a first sheet ``about`` explaining every column, then a sheet
per contract table with the contract's headers, and a drop-down list (Excel data
validation) on every code and yes/no column. The lists live on a hidden sheet ``lists``
(a list typed into the validation itself may not exceed 255 characters). A build reads the
table sheets; ``about`` and ``lists`` are not tables and are reported as not read.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from metrics import contract

ABOUT_SHEET = "about"
LISTS_SHEET = "lists"
LAST_ROW = 1_048_576  # Excel's last row: the drop-downs cover the whole column
TYPE_WORDS = {
    "text": "text",
    "code": "a code from the drop-down list",
    "bool": "yes or no",
    "date": "a date (a date cell, YYYY-MM-DD or DD/MM/YYYY)",
    "int": "a whole number",
    "decimal": "a number",
    "month": "a month, YYYY-MM",
}
INTRO = (
    "The hub extract: one sheet per table, named after the table, with these column names "
    "in the first row. Fill the tables the hub has; victims and referrals are required.",
    "Every row is checked when the hub builds: a row that breaks a rule is kept aside "
    "(quarantined) with its reason, never loaded. Run 'hubvalue check --input FOLDER' to see "
    "what would load, and why, before a build.",
    "Never add names, addresses, dates of birth, phone numbers, NHS numbers or case notes: "
    "a column that looks like one stops the build.",
    "If the system's export has its own column names, keep them and add a column_map.csv "
    "(table, source_column, contract_column) beside the workbook instead.",
)
ABOUT_HEADER = ("table", "column", "what it holds", "type", "rule", "codes")


def _rule(table: contract.Table, column: contract.Column) -> str:
    parts = []
    if column.name in table.key:
        parts.append("part of the key (unique)")
    if column.required:
        parts.append("required")
    if column.optional_column:
        parts.append("optional column (may be left out)")
    if column.minimum is not None or column.maximum is not None:
        low = "" if column.minimum is None else f"{column.minimum:g}"
        high = "" if column.maximum is None else f"{column.maximum:g}"
        parts.append(
            f"from {low} to {high}"
            if low and high
            else f"at least {low}"
            if low
            else f"at most {high}"
        )
    if column.not_before:
        parts.append(f"not before {column.not_before}")
    if column.demographic:
        parts.append("blank or unknown reads as unknown")
    return "; ".join(parts)


def _about(book: Workbook) -> None:
    sheet = book.active
    sheet.title = ABOUT_SHEET
    for line in INTRO:
        sheet.append([line])
    sheet.append([])
    sheet.append(list(ABOUT_HEADER))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for table in contract.TABLES:
        sheet.append(
            [table.name, "", table.description + (" Required table." if table.required else "")]
        )
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        for column in table.columns:
            sheet.append(
                [
                    table.name,
                    column.name,
                    column.description,
                    TYPE_WORDS[column.type],
                    _rule(table, column),
                    ", ".join(column.codes or ()),
                ]
            )
    for letter, width in zip("ABCDEF", (18, 26, 70, 34, 40, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=1, max_row=len(INTRO)):
        row[0].alignment = Alignment(wrap_text=False)


def _lists(book: Workbook) -> dict[tuple[str, ...], str]:
    """The hidden sheet of code lists: each distinct list once, a range per list."""
    sheet = book.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    ranges: dict[tuple[str, ...], str] = {}
    lists = [("yes", "no")] + [c.codes for t in contract.TABLES for c in t.columns if c.codes]
    for codes in lists:
        if codes in ranges:
            continue
        column = len(ranges) + 1
        for row, code in enumerate(codes, start=1):
            sheet.cell(row, column, code)
        letter = get_column_letter(column)
        ranges[codes] = f"{LISTS_SHEET}!${letter}$1:${letter}${len(codes)}"
    return ranges


def write_template(target: Path) -> Path:
    """Write the template workbook to ``target``."""
    book = Workbook()
    _about(book)
    lists = _lists(book)
    for table in contract.TABLES:
        sheet = book.create_sheet(table.name, index=len(book.sheetnames) - 1)
        sheet.append(list(table.column_names))
        sheet.freeze_panes = "A2"
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            sheet.cell(1, index).font = Font(bold=True)
            sheet.column_dimensions[letter].width = max(12, len(column.name) + 4)
            codes = column.codes or (("yes", "no") if column.type == "bool" else None)
            if codes is None:
                continue
            validation = DataValidation(
                type="list",
                formula1=f"={lists[codes]}",
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=f"{table.name}.{column.name}",
                error=f"Choose a value from the list ({column.name}).",
            )
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            sheet.add_data_validation(validation)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target
