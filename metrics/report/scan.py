"""A last check of public outputs, read back from the files as a reader would see them.

`scan_public_output(paths)` reads HTML (its text, chart labels included), PDF (its text,
through Debian's `pdftotext`) and CSV files and returns a `Finding` for:

* `count_small`: a number that reads as a count and lies in 1..7;
* `count_not_rounded`: a count that is not a multiple of 5;
* `money_precision`: a sum of money given to more than 3 significant figures;
* `record_id`: something shaped like a record id (letters then 4 or more digits, as
  the extract's pseudonymous ids are), or the name of an id column;
* `event_date`: a full date (2026-07-14, 14/07/2026, 14 July 2026) other than the
  release's as-of date, which could date an individual event.

What reads as a count: every whole number left after taking out what is plainly
something else (percentages, money, decimals, years, financial years and quarters,
"Page 3 of 12", a number followed by a unit of time or a score scale such as
"2 working days" or "3 metric points", the age bands, the build id and the phrases of
the disclosure rules: "fewer than 8", "fewer than 10", "at least 8", "at least 10",
"at least 30", "nearest 5"). Counts in the reports are written with thousands
separators (1,230), so a bare four-digit number is read as a year. In a CSV file a
cell that is a whole number is always a count.

The register's source texts (the `Source` column of a `parameters_and_sources.csv`
among the files scanned) are bibliographic references ("Report 99, ch. 2") and are read
as such, in every file of the release.

A Finding's `value` is the text found; `summary` (for terminals and logs) gives only
files, rules and counts.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_AS_OF = re.compile(
    rf"as[- ]of(?: date)?\s*:?\s*(?:\d{{1,2}} (?:{MONTHS}) \d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})",
    re.IGNORECASE,
)
# the date a cohort matures on is the status rule's (a quarter's end plus its window), not
# an event's (metrics/published/cohorts.py)
_MATURES = re.compile(rf"matures on \d{{1,2}} (?:{MONTHS}) \d{{4}}", re.IGNORECASE)
_DATES = [
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"),
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)? (?:{MONTHS}) \d{{4}}\b", re.IGNORECASE),
]
_ID_VALUE = re.compile(r"\b[A-Z]{1,4}\d{4,}\b")
_ID_FIELD = re.compile(
    r"\b(?:victim_id|referral_id|agency_referral_id|case_id|assessment_id|service_id|"
    r"survey_id|crime_id|victim id|referral id|case id)\b",
    re.IGNORECASE,
)
_MONEY = re.compile(r"£\s?(\d[\d,]*(?:\.\d+)?)\s?(bn|m|k)?\b", re.IGNORECASE)
UNITS = (
    r"(?:working days?|days?|weeks?|months?|years?|metric points?|points?|"
    r"significant figures?|s\.f\.|swemwbs|point scale|decimal places?)"
)
_NOT_COUNTS = [
    re.compile(r"\bpage \d+ of \d+\b", re.IGNORECASE),
    re.compile(r"\bbuild(?: id)?\s*:?\s*[0-9a-f]{6,}\b", re.IGNORECASE),
    re.compile(r"\b\d{4}/\d{2}\b"),
    re.compile(r"-?\d+(?:\.\d+)?\s?%"),
    re.compile(r"\b\d+(?:\.\d+)+\b"),
    re.compile(rf"\b\d+ (?:to|-|–) \d+ {UNITS}", re.IGNORECASE),
    re.compile(rf"\b\d+\s?{UNITS}\b", re.IGNORECASE),
    re.compile(r"\b(?:fewer than (?:8|10)|at least (?:8|10|30)|nearest 5)\b", re.IGNORECASE),
    re.compile(
        r"\b(?:0-17|18-24|25-34|35-44|45-54|55-64|65-74|75\+|75 and over|under 18)", re.IGNORECASE
    ),
    re.compile(r"\b(?:19|20)\d{2}\b"),
]
_NUMBER = re.compile(r"(?<![\w.,£/-])(\d{1,3}(?:,\d{3})+|\d+)(?![\w%]|[.,]\d)")
SOURCES_FILE = "parameters_and_sources.csv"
SOURCE_COLUMN = "Source"
_WHOLE = re.compile(r"^\s*(\d+|\d{1,3}(?:,\d{3})+)\s*$")


@dataclass(frozen=True)
class Finding:
    path: str
    rule: str
    value: str
    where: str = ""

    def __str__(self) -> str:  # no value: safe for a terminal
        return f"{Path(self.path).name}: {self.rule}{f' ({self.where})' if self.where else ''}"


class _Text(HTMLParser):
    """The text of an HTML page, one chunk per text node (style contents skipped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script") and self._skip:
            self._skip -= 1

    def handle_data(self, text):
        if not self._skip and text.strip():
            self.chunks.append(text)


def html_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return " \n ".join(parser.chunks)


class ScanUnavailable(RuntimeError):
    """pdftotext (Debian's poppler-utils) is needed to read a PDF."""


def pdf_text(path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        raise ScanUnavailable("reading a PDF needs pdftotext (apt-get install poppler-utils)")
    result = subprocess.run(
        [tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=120
    )
    return result.stdout.decode("utf-8", errors="replace")


def _significant(digits: str) -> int:
    digits = digits.replace(",", "").replace(".", "").lstrip("0").rstrip("0")
    return len(digits)


def _count_problem(number: int) -> str | None:
    if 1 <= number <= 7:
        return "count_small"
    if number % 5:
        return "count_not_rounded"
    return None


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()


def _citation_pattern(citation: str) -> re.Pattern:
    """A citation as it may come back from a PDF: lines broken at spaces or hyphens, and a
    hyphen at a line end dropped by the text extraction."""
    parts = []
    for char in citation:
        if char == " ":
            parts.append(r"\s+")
        elif char == "-":
            parts.append(r"-?\s?")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts))


def scan_text(
    text: str, path: str, where: str = "", citations: Iterable[str] = ()
) -> list[Finding]:
    """Findings in a piece of free text (a page, a chart label, a CSV row). `citations`:
    texts of the register's sources, read as references, not as figures."""
    findings: list[Finding] = []
    text = _normal(text)
    for citation in sorted(citations, key=len, reverse=True):
        text = _citation_pattern(citation).sub(" ", text)
    text = _AS_OF.sub(" ", text)
    text = _MATURES.sub(" ", text)
    for pattern in _DATES:
        for match in pattern.finditer(text):
            findings.append(Finding(path, "event_date", match.group(0), where))
        text = pattern.sub(" ", text)
    for match in _ID_VALUE.finditer(text):
        findings.append(Finding(path, "record_id", match.group(0), where))
    for match in _ID_FIELD.finditer(text):
        findings.append(Finding(path, "record_id", match.group(0), where))
    for match in _MONEY.finditer(text):
        if _significant(match.group(1)) > 3:
            findings.append(Finding(path, "money_precision", match.group(0), where))
    text = _MONEY.sub(" ", text)
    for pattern in _NOT_COUNTS:
        text = pattern.sub(" ", text)
    for match in _NUMBER.finditer(text):
        problem = _count_problem(int(match.group(1).replace(",", "")))
        if problem:
            findings.append(Finding(path, problem, match.group(0), where))
    return findings


def scan_csv(path: Path, citations: Iterable[str] = ()) -> list[Finding]:
    """A whole-number cell is a count; the other cells of a row are read together as
    text (so a label such as 'As-of date' gives its neighbour its meaning)."""
    findings: list[Finding] = []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    for r, row in enumerate(rows):
        words = []
        for c, cell in enumerate(row):
            whole = _WHOLE.match(cell)
            if whole and r > 0:
                problem = _count_problem(int(whole.group(1).replace(",", "")))
                if problem:
                    findings.append(
                        Finding(str(path), problem, cell, f"row {r + 1}, column {c + 1}")
                    )
            else:
                words.append(cell)
        findings += scan_text(" ".join(words), str(path), f"row {r + 1}", citations)
    return findings


def citations_in(paths: Iterable[Path]) -> set[str]:
    """The register's source texts, from a `parameters_and_sources.csv` among the files
    (its `Source` column): bibliographic references such as "Report 99, ch. 2"."""
    found: set[str] = set()
    for path in paths:
        if path.name != SOURCES_FILE:
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        if not rows or SOURCE_COLUMN not in rows[0]:
            continue
        column = rows[0].index(SOURCE_COLUMN)
        found |= {
            _normal(row[column]) for row in rows[1:] if len(row) > column and row[column].strip()
        }
    return found


def _files(paths) -> list[Path]:
    out = []
    for item in paths:
        path = Path(item)
        out += sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    return out


def scan_public_output(paths) -> list[Finding]:
    """Every finding in the given HTML, PDF and CSV files (a folder: its files)."""
    files = _files(paths)
    citations = citations_in(files)
    findings: list[Finding] = []
    for path in files:
        suffix = path.suffix.lower()
        if suffix in (".html", ".htm"):
            findings += scan_text(html_text(path), str(path), citations=citations)
        elif suffix == ".pdf":
            findings += scan_text(pdf_text(path), str(path), citations=citations)
        elif suffix == ".csv":
            findings += scan_csv(path, citations)
        else:
            findings.append(Finding(str(path), "unknown_file_type", path.suffix))
    return findings


def summary(findings: list[Finding]) -> str:
    """Counts by file and rule, without the values found."""
    counts = Counter((Path(f.path).name, f.rule) for f in findings)
    parts = [f"{name}: {rule} x{n}" for (name, rule), n in sorted(counts.items())]
    return f"the scan found {len(findings)} problem(s): " + "; ".join(parts)
