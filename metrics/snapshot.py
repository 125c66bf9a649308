"""Find the snapshot to build from, its manifest, files and as-of date.

An extract is a folder with one file per table (``<table>.csv``,
``<table>.parquet`` or ``<table>.xlsx``) or a workbook with a sheet per table
(``metrics.excel``), an optional ``manifest.json``, an optional ``code_map.csv`` and an
optional ``column_map.csv`` (``metrics.column_map``). A build may instead be pointed at a folder of snapshots
named by period (``2026-09/``, ``2026-10/``): the latest is used.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from metrics.contract import TABLES_BY_NAME
from metrics.identifiers import without_controls
from metrics.period import month_end

if TYPE_CHECKING:
    from metrics.column_map import ColumnMap

PERIOD_FOLDER = re.compile(r"^(\d{4})-(\d{2})$")
PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
DATE_FORMATS = ("iso", "uk")
COVERAGE_TABLES = ("repeat_crimes", "health_use")
# The longest line of a CSV file a build reads (bytes, line break excluded): a longer header
# stops the file, a longer data line is quarantined (line_too_long) without being read.
# hubvalue build --max-line-bytes sets another.
DEFAULT_MAX_LINE_BYTES = 1 << 20


class ExtractError(Exception):
    """The extract cannot be built. The message names the file and rule, never a data value."""

    def __init__(self, message: str, file: str | None = None, rule: str | None = None):
        self.file = without_controls(file) if file else file
        self.rule = rule
        prefix = f"{self.file}: " if file else ""
        # Control and bidi characters (in a file or folder name) are escaped, never printed.
        super().__init__(prefix + without_controls(message))


@dataclass(frozen=True)
class TableFile:
    table: str
    path: Path
    format: str  # csv, parquet or xlsx
    sheet: str | None = None  # the sheet of an xlsx workbook

    @property
    def label(self) -> str:
        """How reports name the file: ``referrals.csv``, or ``extract.xlsx!referrals``."""
        if self.sheet is None:
            return self.path.name
        from metrics.identifiers import printable

        return f"{self.path.name}!{printable(self.sheet)}"

    @property
    def reads_as(self) -> str:
        """csv or parquet: a sheet is read as the CSV copy ``metrics.excel`` writes."""
        return "parquet" if self.format == "parquet" else "csv"


@dataclass
class Snapshot:
    folder: Path
    as_of: dt.date
    as_of_source: str  # flag, manifest or folder name
    period: str
    files: dict[str, TableFile]
    date_format: str | None = None
    source_system: str | None = None
    coverage: dict[str, dt.date] = field(default_factory=dict)
    code_map: Path | None = None
    other_files: list[str] = field(default_factory=list)
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    # (workbook.xlsx!sheet, why): sheets not read (hidden, unused)
    notes: list[tuple[str, str]] = field(default_factory=list)
    column_map: ColumnMap | None = None


def _is_snapshot(folder: Path) -> bool:
    return any(
        (folder / f"{name}.{ext}").exists() for name in TABLES_BY_NAME for ext in ("csv", "parquet")
    )


def _has_workbook(folder: Path) -> bool:
    return any(_is_workbook(p) for p in folder.iterdir())


def _is_workbook(path: Path) -> bool:
    # Excel's lock file of an open workbook (~$name.xlsx) is not a workbook.
    return path.suffix.lower() == ".xlsx" and not path.name.startswith("~$")


def resolve_folder(input_dir: Path) -> Path:
    """The snapshot folder itself, or the latest period folder inside it."""
    if not input_dir.exists():
        raise ExtractError("folder not found", file=str(input_dir))
    if not input_dir.is_dir():
        raise ExtractError("not a folder", file=str(input_dir))
    if _is_snapshot(input_dir):
        return input_dir
    periods = sorted(p for p in input_dir.iterdir() if p.is_dir() and PERIOD_FOLDER.match(p.name))
    if periods:
        # Period folders win over a workbook beside them (the hub's template, a notes file).
        return periods[-1]
    if _has_workbook(input_dir):
        return input_dir
    raise ExtractError(
        "no extract here: expected victims.csv, referrals.csv, ... or period folders such as 2026-10/",
        file=str(input_dir),
    )


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _parse_iso(value: object, where: str, key: str) -> dt.date:
    """A ``YYYY-MM-DD`` text and nothing else: not ``20261130`` or ``2026-W48-1`` (which
    Python's ``fromisoformat`` reads) and not a JSON number."""
    rule = "manifest" if where == "manifest.json" else "as_of"
    try:
        if not (isinstance(value, str) and ISO_DATE.fullmatch(value)):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ExtractError(f"'{key}' must be a YYYY-MM-DD date", file=where, rule=rule) from None


def check_readable(path: Path) -> None:
    """A regular file this process can open: not a folder, a FIFO (which would block) or locked."""
    if not path.is_file():
        kind = "a folder, not a file" if path.is_dir() else "not a regular file (a pipe or device)"
        raise ExtractError(f"is {kind}", file=path.name, rule="unreadable_file")
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ExtractError(
            f"could not be read ({reason})", file=path.name, rule="unreadable_file"
        ) from None


# A manifest is a handful of keys, one level of which (coverage) is an object.
MANIFEST_MAX_BYTES = 64 * 1024
MANIFEST_MAX_DEPTH = 8
JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
JSON_BRACKETS = re.compile(r"[\[\]{}]")


def _json_depth(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest (strings skipped), counted
    without recursion so that a deeply nested text cannot exhaust the stack."""
    depth = deepest = 0
    for bracket in JSON_BRACKETS.findall(JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def read_manifest(folder: Path) -> dict:
    path = folder / "manifest.json"
    if not path.exists():
        return {}
    check_readable(path)
    if path.stat().st_size > MANIFEST_MAX_BYTES:
        raise ExtractError(
            f"is larger than {MANIFEST_MAX_BYTES:,} bytes (a manifest is a few lines)",
            file="manifest.json",
            rule="manifest",
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
        if _json_depth(text) > MANIFEST_MAX_DEPTH:
            raise ExtractError(
                f"is nested more than {MANIFEST_MAX_DEPTH} levels deep",
                file="manifest.json",
                rule="manifest",
            )
        manifest = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise ExtractError("not valid JSON", file="manifest.json", rule="manifest") from None
    if not isinstance(manifest, dict):
        raise ExtractError("must be a JSON object", file="manifest.json", rule="manifest")
    return manifest


MAPPING_FILES = ("manifest.json", "code_map.csv", "column_map.csv")


def _add_file(files: dict[str, TableFile], found: TableFile) -> None:
    if found.table in files:
        raise ExtractError(
            f"both {files[found.table].label} and {found.label} are present: keep one",
            file=found.label,
            rule="duplicate_file",
        )
    files[found.table] = found


def _table_files(
    folder: Path,
) -> tuple[dict[str, TableFile], list[str], list[tuple[str, str]]]:
    """The table files (one per table), the names of other files, and notes on the sheets
    of workbooks that are not read."""
    from metrics import excel

    files: dict[str, TableFile] = {}
    others: list[str] = []
    notes: list[tuple[str, str]] = []
    for path in sorted(folder.iterdir()):
        stem, ext = path.stem.lower(), path.suffix.lower().lstrip(".")
        is_table = stem in TABLES_BY_NAME and ext in ("csv", "parquet")
        if is_table or _is_workbook(path) or path.name.lower() in MAPPING_FILES[1:]:
            check_readable(path)
        elif path.is_dir():
            continue
        if is_table:
            _add_file(files, TableFile(stem, path, ext))
        elif _is_workbook(path):
            workbook = excel.workbook_tables(path)
            for found in workbook.tables.values():
                _add_file(files, found)
            notes += workbook.notes
            if workbook.ignored:
                others.append(without_controls(path.name))
        elif path.name.lower() not in MAPPING_FILES:
            others.append(without_controls(path.name))
    return files, others, notes


def locate(
    input_dir: Path | str,
    as_of: dt.date | str | None = None,
    max_line_bytes: int | None = None,
    column_map: Path | str | None = None,
) -> Snapshot:
    """Resolve the snapshot folder, its files and the as-of date (flag, manifest, folder name)."""
    if max_line_bytes is not None and max_line_bytes < 1024:
        raise ExtractError(
            "must be at least 1024 bytes", file="--max-line-bytes", rule="max_line_bytes"
        )
    folder = resolve_folder(Path(input_dir))
    manifest = read_manifest(folder)
    files, others, notes = _table_files(folder)
    for name, table in TABLES_BY_NAME.items():
        if table.required and name not in files:
            raise ExtractError(
                f"required table {name} is missing ({name}.csv or {name}.parquet, or a "
                f"sheet {name} in a workbook)",
                file=str(folder.name),
                rule="missing_table",
            )

    if as_of is not None:
        as_of_date = as_of if isinstance(as_of, dt.date) else _parse_iso(as_of, "--as-of", "as_of")
        source = "flag"
    elif "as_of" in manifest:
        as_of_date = _parse_iso(manifest["as_of"], "manifest.json", "as_of")
        source = "manifest"
    elif match := PERIOD_FOLDER.match(folder.name):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ExtractError("folder name is not a YYYY-MM period", file=folder.name)
        as_of_date = month_end(dt.date(year, month, 1))
        source = "folder name"
    else:
        raise ExtractError(
            "no as-of date: give --as-of YYYY-MM-DD, an as_of in manifest.json, "
            "or name the folder by its period (2026-10)",
            file=folder.name,
            rule="missing_as_of",
        )

    date_format = manifest.get("date_format")
    if date_format is not None and date_format not in DATE_FORMATS:
        raise ExtractError(
            "date_format must be 'iso' or 'uk'", file="manifest.json", rule="manifest"
        )
    coverage_raw = manifest.get("coverage") or {}
    if not isinstance(coverage_raw, dict):
        raise ExtractError("coverage must be an object", file="manifest.json", rule="manifest")
    coverage = {}
    for key, value in coverage_raw.items():
        if key not in COVERAGE_TABLES:
            raise ExtractError(
                f"coverage names an unknown table '{key}'", file="manifest.json", rule="manifest"
            )
        coverage[key] = _parse_iso(value, "manifest.json", f"coverage.{key}")
    period = manifest.get("period")
    if period is not None and not (isinstance(period, str) and PERIOD.fullmatch(period)):
        raise ExtractError(
            "'period' must be a YYYY-MM month", file="manifest.json", rule="manifest"
        )
    period = period or as_of_date.strftime("%Y-%m")
    source_system = manifest.get("source_system")
    if source_system is not None and not isinstance(source_system, str):
        raise ExtractError("'source_system' must be a text", file="manifest.json", rule="manifest")
    from metrics.column_map import read_column_map

    code_map = folder / "code_map.csv"
    column_map_path = Path(column_map) if column_map is not None else folder / "column_map.csv"
    if column_map is not None or column_map_path.exists():
        if column_map is not None:
            check_readable(column_map_path)
        columns = read_column_map(column_map_path, max_line_bytes or DEFAULT_MAX_LINE_BYTES)
    else:
        columns = None
    return Snapshot(
        folder=folder,
        as_of=as_of_date,
        as_of_source=source,
        period=period,
        files=files,
        date_format=date_format,
        source_system=without_controls(source_system) if source_system else source_system,
        coverage=coverage,
        code_map=code_map if code_map.exists() else None,
        other_files=others,
        max_line_bytes=max_line_bytes or DEFAULT_MAX_LINE_BYTES,
        notes=notes,
        column_map=columns,
    )
