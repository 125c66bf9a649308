"""The blocks a report is made of, and their rendering to one self-contained HTML page.

A report is a `Report`: front matter plus `Section`s holding paragraphs, `Table`s and
`Figure`s (an inline SVG chart with the table of its figures beside it). Jinja2 renders
it with autoescaping on: every text from the data is escaped, and the only markup not
escaped is the SVG that `charts` builds (which escapes its own texts). The page loads
nothing from the network: styles are inline and charts are inline SVG.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_FOR = {
    "manager": "manager.html.j2",
    "pcc": "pcc.html.j2",
    "public": "public.html.j2",
}


@dataclass(frozen=True)
class Cell:
    """One table cell. kind: text, count, rate, money, number, status or id; numbers are
    right-aligned, and the public scan reads `count` cells as counts of people."""

    text: str
    kind: str = "text"

    @property
    def numeric(self) -> bool:
        return self.kind in ("count", "rate", "money", "number", "status")


@dataclass
class Table:
    key: str
    caption: str
    headers: list[str]
    rows: list[list[Cell]]
    notes: list[str] = field(default_factory=list)
    csv_name: str | None = None

    @property
    def small(self) -> bool:
        """Short tables are kept on one page with their caption."""
        return len(self.rows) <= 8

    def csv_text(self) -> str:
        """The table as CSV: the header row, then the displayed texts (counts without
        thousands separators)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.headers)
        for row in self.rows:
            writer.writerow(
                [
                    cell.text.replace(",", "")
                    if cell.kind == "count"
                    else cell.text.replace("\u00a0", " ")
                    for cell in row
                ]
            )
        return buffer.getvalue()


@dataclass
class Figure:
    key: str
    title: str
    subtitle: str
    chart: Markup
    table: Table
    description: str = ""
    source: str = ""


@dataclass
class Section:
    key: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    blocks: list = field(default_factory=list)  # Table, Figure or str (a paragraph)
    bullets: list[str] = field(default_factory=list)
    csv_only: list[Table] = field(default_factory=list)  # published as CSV, not on the page


@dataclass
class Report:
    audience: str
    title: str
    subtitle: str
    period_label: str
    facts: list[tuple[str, str]]  # release facts shown at the top (build id, as-of, ...)
    sections: list[Section]
    banner: str = ""
    extras: dict = field(default_factory=dict)

    def tables(self) -> list[Table]:
        """Every table in the report, in order (a figure's table included)."""
        found = []
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, Table):
                    found.append(block)
                elif isinstance(block, Figure):
                    found.append(block.table)
        return found


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("j2", "html"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.tests["table"] = lambda block: isinstance(block, Table)
    env.tests["figure"] = lambda block: isinstance(block, Figure)
    return env


def html(report: Report) -> str:
    """The report as one self-contained HTML document."""
    template = _environment().get_template(TEMPLATE_FOR[report.audience])
    return template.render(report=report)
