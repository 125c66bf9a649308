"""The three reports on the demo hub (20,000 synthetic referrals over 36 months to October
2026), as PDF: built, scanned, and their first pages drawn to PNG in artifacts/reports/
for a person to look at (`pdftoppm`, Debian's poppler-utils)."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from metrics.period import PeriodError
from metrics.report import scan, write_report

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "reports"
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="needs Debian's poppler-utils",
)


@pytest.fixture(scope="module")
def demo(demo_warehouse) -> Path:
    """The demo hub, built once per session (tests/conftest.py)."""
    return demo_warehouse


def pngs(pdf: Path, name: str, pages: int = 3) -> list[Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-f",
            "1",
            "-l",
            str(pages),
            str(pdf),
            str(ARTIFACTS / name),
        ],
        check=True,
        timeout=120,
    )
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(
        next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:"))
    )


@needs_poppler
def test_manager_pack_pdf(demo, tmp_path):
    out = tmp_path / "manager-2026-10.pdf"
    write_report(demo, "manager", "2026-10", "pdf", out)
    text = scan.pdf_text(out)
    assert text.index("Exceptions") < text.index("The whole hub")
    assert "Page 1 of" in text  # pages are numbered
    assert len(pngs(out, "manager-2026-10")) == 3


@needs_poppler
def test_pcc_review_pdf(demo, tmp_path):
    out = tmp_path / "pcc-2026-27-Q2.pdf"
    write_report(demo, "pcc", "2026/27-Q2", "pdf", out)
    text = scan.pdf_text(out)
    for words in (
        "Scorecard",
        "projected",
        "Price base year",
        "Victims' Code",
        "Parameters and their sources",
    ):
        assert words in text, words
    assert len(pngs(out, "pcc-2026-27-Q2")) == 3


@needs_poppler
def test_public_report_pdf_and_tables(demo, tmp_path):
    out = tmp_path / "public-2026-27-Q2.pdf"
    written = write_report(demo, "public", "2026/27-Q2", "pdf", out)
    assert scan.scan_public_output([out, written.tables]) == []
    text = scan.pdf_text(out)
    for heading in (
        "Main points",
        "Who was referred",
        "The data tables",
        "Glossary",
        "How the data were measured",
        "Strengths and limitations",
        "Disclosure control and this release",
        "Parameters and their sources",
    ):
        assert heading in text, heading
    for path in written.files:
        with path.open(encoding="utf-8") as handle:
            for row in list(csv.reader(handle))[1:]:
                for cell in row:
                    if cell.isdigit():
                        assert int(cell) % 5 == 0 and int(cell) not in range(1, 8), path.name
    assert page_count(out) > 5
    assert len(pngs(out, "public-2026-27-Q2", pages=6)) == 6


def test_public_yearly_report_is_refused(demo, tmp_path):
    # The public release is published by quarter only (a year beside its quarters could
    # narrow hidden quarterly figures), and the public report prints the published
    # release: a year is refused, and nothing is written.
    out = tmp_path / "public-2025-26.html"
    with pytest.raises(PeriodError, match="published by financial quarter only"):
        write_report(demo, "public", "2025/26", "html", out)
    assert list(tmp_path.iterdir()) == []
