"""``column_map.csv``: the hub system's own column names, mapped to the contract's.

A hub's export says ``Client ID``, ``Date Referred``, ``Closure Reason``; the contract says
``victim_id``, ``referral_date``, ``closure_reason``. A column map beside ``code_map.csv``
(or given with ``--column-map FILE``) names, per table, which source column is which
contract column::

    table,source_column,contract_column
    referrals,Case Ref,referral_id
    referrals,Date Referred,referral_date
    referrals,Worker Notes,

Source names compare as header names do (case and surrounding spaces ignored). A blank
contract column says "not wanted": the column is ignored and reported, like any column the
contract does not have. Everything is checked before a row is read, and an error is one
line naming the map's line: an unknown table or contract column, a source column mapped
twice, two sources for one contract column, a source column whose name looks like a direct
identifier or free text (``metrics.identifiers``: such a column never leaves the case
management system, mapped or not), a mapped source column the file does not have, and a
required contract column that is neither mapped nor in the file. A table the map does not
mention reads its columns by their contract names.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from metrics import contract, identifiers
from metrics.identifiers import printable
from metrics.snapshot import ExtractError

HEADER = ["table", "source_column", "contract_column"]
# A column map is a few hundred lines at most.
MAX_BYTES = 1 << 20


@dataclass(frozen=True)
class Mapping:
    line: int  # line of the map file (the header is line 1)
    table: str
    source: str  # normalised (metrics.contract.normalise_header)
    column: str | None  # the contract column, None: ignore the source column


@dataclass
class ColumnMap:
    file_name: str
    path: Path | None = None
    tables: dict[str, dict[str, Mapping]] = field(default_factory=dict)  # table -> source ->

    def types(self, table: contract.Table) -> dict[str, str]:
        """The contract type of each header name the table's file may use (its contract
        names and its mapped source names)."""
        found = {c.name: c.type for c in table.columns}
        for source, mapping in self.tables.get(table.name, {}).items():
            if mapping.column is not None:
                found[source] = table.column(mapping.column).type
        return found

    def rename(self, table: contract.Table, names: list[str], file_label: str) -> list[str]:
        """A file's normalised header names with each mapped source column renamed to its
        contract column. Stops when a mapped source column is not in the file, or a required
        column is neither mapped nor in the file."""
        mappings = self.tables.get(table.name)
        if not mappings:
            return names
        for source, mapping in mappings.items():
            if source not in names:
                raise self._error(
                    mapping.line,
                    f"{file_label} has no column {printable(source)}",
                    "unknown_source_column",
                )
        renamed = [mappings[n].column if n in mappings and mappings[n].column else n for n in names]
        first_line = min(m.line for m in mappings.values())
        for required in table.header_columns:
            if required not in renamed:
                raise self._error(
                    first_line,
                    f"the required column {table.name}.{required} is neither mapped nor "
                    f"in {file_label}",
                    "unmapped_column",
                )
        return renamed

    def _error(self, line: int, message: str, rule: str) -> ExtractError:
        return ExtractError(f"line {line}: {message}", file=self.file_name, rule=rule)


def read_column_map(path: Path, max_line_bytes: int = 1 << 20) -> ColumnMap:
    """Read and check a column map; every error names its line, never a data value."""
    name = path.name
    if path.stat().st_size > max(MAX_BYTES, max_line_bytes):
        raise ExtractError(
            f"is larger than {MAX_BYTES:,} bytes (a column map is a few hundred lines)",
            file=name,
            rule="column_map",
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
        rows = list(csv.reader(text.splitlines()))
    except UnicodeDecodeError:
        raise ExtractError("is not UTF-8 text", file=name, rule="encoding") from None
    except csv.Error:
        raise ExtractError(
            "is not a CSV file (broken quoting)", file=name, rule="malformed_file"
        ) from None
    if not rows or [contract.normalise_header(f) for f in rows[0]] != HEADER:
        raise ExtractError(f"header must be {','.join(HEADER)}", file=name, rule="header")
    result = ColumnMap(name, path)
    targets: dict[tuple[str, str], int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 3:
            raise result._error(line, "does not have 3 fields", "malformed_row")
        table_name = contract.normalise_header(row[0])
        source = contract.normalise_header(row[1])
        column = contract.normalise_header(row[2]) or None
        if table_name not in contract.TABLES_BY_NAME:
            raise result._error(
                line, f"{printable(table_name)} is not a contract table", "unknown_table"
            )
        table = contract.TABLES_BY_NAME[table_name]
        if column is not None and column not in table.column_names:
            raise result._error(
                line,
                f"{printable(column)} is not a column of the {table_name} table",
                "unknown_column",
            )
        if source == "":
            raise result._error(line, "the source column is blank", "malformed_row")
        if identifiers.is_direct_identifier(source) and source not in table.column_names:
            raise result._error(
                line,
                f"the source column {printable(source)} looks like a direct identifier or free "
                "text; remove it from the export",
                "direct_identifier",
            )
        mappings = result.tables.setdefault(table_name, {})
        if source in mappings:
            raise result._error(
                line,
                f"the source column {printable(source)} of {table_name} is mapped again "
                f"(line {mappings[source].line})",
                "duplicate_mapping",
            )
        if column is not None:
            if (table_name, column) in targets:
                raise result._error(
                    line,
                    f"{table_name}.{column} has two source columns "
                    f"(line {targets[(table_name, column)]})",
                    "duplicate_mapping",
                )
            targets[(table_name, column)] = line
        mappings[source] = Mapping(line, table_name, source, column)
    return result
