"""The public-output scanner on hand-written HTML, CSV and PDF, and the report charts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from metrics.report import charts, scan


def page(tmp_path: Path, body: str, name: str = "p.html") -> Path:
    path = tmp_path / name
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    return path


def rules(findings) -> list[tuple[str, str]]:
    return sorted((f.rule, f.value) for f in findings)


def test_a_small_or_unrounded_count_is_found(tmp_path):
    path = page(tmp_path, "<p>3 people were referred.</p><td>1,234</td><td>8</td>")
    assert rules(scan.scan_public_output([path])) == [
        ("count_not_rounded", "1,234"),
        ("count_not_rounded", "8"),
        ("count_small", "3"),
    ]


def test_safe_figures_pass(tmp_path):
    body = (
        "<p>About 1,235 people were referred in July to September 2026 (2026/27 Q2).</p>"
        "<p>74% were contacted within 2 working days; 0 were assessed; [c] said no.</p>"
        "<p>Projected value £56,200 (£1.45m to £5.59m); £8.58 per £1 of funding.</p>"
        "<p>As-of date 31 October 2026. Build id 3861b5ae19cb. Page 3 of 12.</p>"
        "<p>Counts of fewer than 8 are hidden, rounded to the nearest 5; at least 30 people."
        " Ages 18-24 and 75 and over; follow-ups 3 to 12 months after support.</p>"
        "<svg><text>45%</text><text>1,230</text></svg>"
    )
    assert scan.scan_public_output([page(tmp_path, body)]) == []


def test_record_level_fields_are_found(tmp_path):
    body = (
        "<td>R000000123</td><th>victim_id</th><p>seen on 14 July 2026</p>"
        "<p>closed 2026-07-14</p><p>fewer than 3 people</p>"
    )
    found = rules(scan.scan_public_output([page(tmp_path, body)]))
    assert ("record_id", "R000000123") in found
    assert ("record_id", "victim_id") in found
    assert ("event_date", "14 July 2026") in found
    assert ("event_date", "2026-07-14") in found
    # Only "fewer than 8" and "fewer than 10" are the rules' own phrases.
    assert ("count_small", "3") in found


def test_money_must_be_three_significant_figures(tmp_path):
    path = page(tmp_path, "<td>£56,183</td><td>£56,200</td>")
    assert rules(scan.scan_public_output([path])) == [("money_precision", "£56,183")]


def test_csv_whole_number_cells_are_counts(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "Group,People,Share\nA,3,10%\nB,25,90%\nC,[c],[c]\nAll,2026,\n", encoding="utf-8"
    )
    # In a CSV a whole-number cell is a count, even one that looks like a year.
    assert rules(scan.scan_public_output([path])) == [
        ("count_not_rounded", "2026"),
        ("count_small", "3"),
    ]


def test_register_sources_are_read_as_citations(tmp_path):
    sources = tmp_path / "parameters_and_sources.csv"
    sources.write_text(
        'Parameter,Low,Source\nx,5%,"Report 99, ch. 2 (31 evaluations)"\n', encoding="utf-8"
    )
    path = page(tmp_path, "<td>Report 99, ch. 2 (31 evaluations)</td><td>7 people</td>")
    assert rules(scan.scan_public_output([path, sources])) == [("count_small", "7")]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_a_pdf_is_read_as_text(tmp_path):
    from metrics.report.pdf import write_pdf

    path = tmp_path / "p.pdf"
    write_pdf("<html><body><p>There were 3 people.</p><p>Page 1 of 1</p></body></html>", path)
    assert rules(scan.scan_public_output([path])) == [("count_small", "3")]


def test_the_summary_names_rules_not_values(tmp_path):
    findings = scan.scan_public_output([page(tmp_path, "<p>3 people</p>")])
    text = scan.summary(findings)
    assert "count_small" in text and "3 people" not in text


# --- charts ---------------------------------------------------------------------------------


def test_a_bar_without_a_value_is_a_labelled_gap_not_zero():
    svg = str(
        charts.bar_chart(
            [
                charts.Bar("Measured", 0.4, "40%"),
                charts.Bar("Later", None, "Not yet measurable"),
                charts.Bar("Nobody", 0.0, "0%"),
            ],
            "rate",
            "t",
            "d",
        )
    )
    assert svg.count("url(#") == 1  # one hatched gap
    assert "Not yet measurable" in svg and ">0%<" in svg


def test_chart_text_is_escaped():
    svg = str(
        charts.bar_chart([charts.Bar("<script>x</script>", 0.5, "50%")], "rate", "a <b>", "d & e")
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "a &lt;b&gt;" in svg and "d &amp; e" in svg
