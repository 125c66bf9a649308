"""Render the data contract as Markdown for a hub's data officer.

``docs/data-contract.md`` is this function's output; a test keeps the two in
step (``python -m metrics.contract_doc > docs/data-contract.md`` refreshes it).
"""

from __future__ import annotations

from metrics import contract

INTRO = """# The hub extract: data contract (v2)

What a hub's case management system exports to hubvalue each month. This page
is generated from `metrics/contract.py`, the schema that ingestion,
validation, the synthetic generator and the tests all use.

## The extract

- A folder holding everything the hub's system holds at its as-of date (all
  cases in the retention period, open and closed), one file per table:
  `<table>.csv`, `<table>.parquet` or `<table>.xlsx`, or an Excel workbook
  with one sheet per table (below). A folder of such folders named by period
  (`2026-09/`, `2026-10/`) builds the latest.
- Excel (`.xlsx`): a workbook with a sheet named after each table it holds
  (case and surrounding spaces ignored; other sheets are not read and are
  reported), or `<table>.xlsx`, whose sheet named after the table or, failing
  that, its only visible sheet is read. Hidden sheets are never read. Two
  sheets (or files) for one table stop the build. The header is the sheet's
  first non-empty row; fully empty rows are skipped and counted. Date cells
  read as dates, a number in a date column as an Excel serial date, a formula
  as its cached value (never its text), TRUE/FALSE as true/false. A
  quarantined row is numbered by the sheet's own row (`referrals!17` is row
  17 of the sheet `referrals`). Templates: `hubvalue template`.
- CSV: UTF-8 with or without BOM, or Windows-1252; comma separated; a header
  row; `""` quoting; CRLF or LF. Header names are matched ignoring case and
  surrounding spaces.
- `manifest.json` (optional): `as_of`, `period`, `source_system`,
  `date_format` (`iso` or `uk`), `coverage` (the date up to which
  `repeat_crimes` and `health_use`, drawn from the police and the NHS, are
  complete) and `as_of_allowance_days` (below).
- `code_map.csv` (optional): `table, column, source_value, code` maps the
  system's own labels to the codes below before validation.
- `column_map.csv` (optional, or `--column-map FILE`): `table,
  source_column, contract_column` maps the system's own column names
  (`Date Referred`) to the contract's (`referral_date`); a blank contract
  column ignores the source column. Checked before any row is read: an
  unknown table or contract column, a source column mapped twice, two sources
  for one contract column, a mapped column missing from the file, a required
  column neither mapped nor in the file, or a source name that looks like a
  direct identifier stops the build with the map's line number.
- `hubvalue check --input DIR` validates the extract as a build would and
  prints the load report and the as-of date, writing nothing; its exit code
  says whether a build would succeed.

**As-of date**: `--as-of`, else the manifest's `as_of`, else the last day of
the month the folder is named after; else the build stops and asks. Never the
latest date in the data. The build refuses an as-of date more than
`as_of_allowance_days` (0 to 366, default 31) after the end of the extract's
period (the manifest's `period`, the folder name or the manifest's `as_of`)
or, when it declares none of these, after the newest date in the hub's records
(rule `as_of_not_covered`).

## Values

- Dates: `YYYY-MM-DD` or `DD/MM/YYYY`; a timestamp's date is taken. US order,
  Excel serial numbers written as text and two-digit years are rejected, never
  guessed (in a workbook, a date cell or a number cell in a date column is a
  date). With `date_format` in the manifest only that format is accepted.
- Booleans: `true/false`, `yes/no`, `y/n`, `1/0`, any case.
- Codes: the lists below, any case, after `code_map.csv`. An unknown or blank
  demographic code (age band, gender, ethnic group, disability, LGBT+) reads as
  `unknown` and is counted in the load report; any other unknown code
  quarantines the row.
- Numbers: digits with an optional sign and decimal point (`£` and thousands
  commas are ignored in money); whole numbers may be written `3` or `3.0`.
- Blank means "not recorded". Columns marked *optional column* may be left
  out of the file; every other column must be in the header. Values marked
  *required* must not be blank.
- **Data minimisation**: only the columns below are read. A column whose name
  looks like a direct identifier or free text (name, address, postcode, date
  of birth, NHS or NI number, phone, email, notes, comments, remarks,
  narrative, description, and their abbreviations such as `nhs_no`, `tel`,
  `mob_no`, `addr_line_1`, `birth_dt`) stops the build and nothing is loaded.
  Names are compared after Unicode NFKC, with look-alike Cyrillic and Greek
  letters read as the Latin letter they imitate, ignoring case, accents and
  separators; every part of a nested Parquet column's path is checked, and a
  contract column must not be nested. Other extra columns are ignored and
  listed in the load report (names escaped: see `metrics/identifiers.py`).
- **Line limit**: a CSV line may be at most 1 MiB (`hubvalue build
  --max-line-bytes` sets another). A longer header stops the file; a longer
  data line is quarantined (`line_too_long`) without being read.

## What happens to a bad row

Every row read is loaded or quarantined with one reason (the first rule it
fails, in this order). Quarantined rows, with their values, are kept only in
the quarantine store beside the warehouse; the terminal, the logs and the
dashboard show counts, rule ids and column names, never values. A missing
required table or column, a direct identifier, an unreadable file or an
undecodable encoding stops the build with an error naming the file; the
previous warehouse stays as it was. Row numbers count records after the
header (row 1 is the first data row); in a workbook they are the sheet's own
row numbers.

| reason | meaning |
|---|---|
"""


def _rule(column: contract.Column) -> str:
    parts = []
    if column.required:
        parts.append("required")
    if column.optional_column:
        parts.append("optional column")
    if column.codes:
        parts.append(", ".join(f"`{c}`" for c in column.codes))
    if column.minimum is not None or column.maximum is not None:
        low = "" if column.minimum is None else f"{column.minimum:g}"
        high = "" if column.maximum is None else f"{column.maximum:g}"
        parts.append(f"{low}..{high}" if high else f">= {low}")
    if column.not_before:
        parts.append(f"on or after {column.not_before}")
    return "; ".join(parts)


def render() -> str:
    lines = [INTRO.rstrip("\n")]
    for rule, meaning in contract.REASONS.items():
        lines.append(f"| `{rule}` | {meaning} |")
    lines.append("")
    lines.append("## Tables")
    for table in contract.TABLES:
        lines.append("")
        status = "required" if table.required else "optional"
        lines.append(f"### {table.name} ({status})")
        lines.append("")
        lines.append(table.description + f" Key: {', '.join(table.key)}.")
        if table.parents:
            links = "; ".join(f"{col} must exist in {parent}" for col, parent, _ in table.parents)
            lines.append(f"Parents: {links} (else `orphan`).")
        lines.append("")
        lines.append("| column | type | rule | meaning |")
        lines.append("|---|---|---|---|")
        for column in table.columns:
            lines.append(
                f"| {column.name} | {column.type} | {_rule(column)} | {column.description} |"
            )
    lines.append("")
    lines.append(
        "Cross-column rules: `closure_reason` is present if and only if `closed_date` is "
        "(`inconsistent`); an agency referral's `outcome_date` is required unless the outcome "
        "is `pending`, and its `sent_date` may not precede the case's `referral_date`; "
        "`goals_achieved` may not exceed `goals_set`; a population `category` must be a code "
        "of its `characteristic`; `swemwbs_metric` must be a value of the published conversion "
        "table; at most one `intake` and one `exit` assessment per referral (`duplicate_key`)."
    )
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
