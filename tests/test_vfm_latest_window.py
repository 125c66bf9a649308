"""Value for money never stops at "Not yet measurable" when an earlier 12-month window is
measurable (evidence.md, section 2): the page shows the latest window in which every part
of the value is measurable, says which months it counts, and draws its charts there.

The expected window is read independently from marts.indicator_monthly: the latest run of
12 consecutive months of the total, ending no later than the period, all `ok`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")
MONTHS = {1: "Jan", 2: "Feb", 3: "Mar", 4: "Apr", 5: "May", 6: "Jun", 7: "Jul", 8: "Aug",
          9: "Sep", 10: "Oct", 11: "Nov", 12: "Dec"}


def expected_window(db: Path, last: dt.date, length: int = 12) -> tuple[dt.date, dt.date]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select month, status from marts.indicator_monthly "
            "where indicator_id = 'public_value_total_gbp' and agency = 'all' "
            "and month <= ? order by month", [last]).fetchall()
    finally:
        con.close()
    status = {m: s for m, s in rows}
    months = sorted(status)
    for end in reversed(months):
        window = [m for m in months if m <= end][-length:]
        if len(window) == length and all(status[m] == "ok" for m in window):
            # consecutive: the first is length - 1 months before the end
            gap = (end.year - window[0].year) * 12 + end.month - window[0].month
            if gap == length - 1:
                return window[0], end
    raise AssertionError("no measurable window in the demo")


def plain(text: str) -> str:
    """Markdown as read: no emphasis marks, no escapes."""
    return text.replace("**", "").replace("\\", "")


def words(first: dt.date, last: dt.date) -> str:
    return f"{MONTHS[first.month]} {first.year} to {MONTHS[last.month]} {last.year}"


def test_value_for_money_shows_the_latest_measurable_window(monkeypatch, demo_warehouse):
    monkeypatch.setenv("HUBVALUE_DB", str(demo_warehouse))
    monkeypatch.setenv("HUBVALUE_AUDIENCE", "manager")
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("views/value_for_money.py").run()
    assert not at.exception
    page = plain("\n".join(str(e.value) for e in (*at.markdown, *at.caption, *at.info)))
    # the demo's default view (the 12 months to its last month) is not yet measurable
    assert "Projected total public value (GBP): Not yet measurable" in page
    first, last = expected_window(demo_warehouse, dt.date(2026, 10, 1))
    [info] = [i for i in at.info if "Shown below instead" in str(i.value)]
    assert (f"the latest 12 months in which every part of the value is measurable, "
            f"{words(first, last)}") in plain(str(info.value))
    # the figures count that window, all 12 of its months
    assert "12 of 12 months" in page
    assert "This part of the page could not be drawn" not in "\n".join(
        str(e.value) for e in at.error)


def test_the_pcc_reviews_value_section_counts_the_latest_measurable_quarter_length(
        demo_warehouse, tmp_path):
    import html
    import re
    import subprocess
    import sys

    out = tmp_path / "pcc.html"
    subprocess.run([sys.executable, "-m", "metrics.cli", "report", "--db", str(demo_warehouse),
                    "--audience", "pcc", "--period", "2026/27-Q2", "--format", "html",
                    "--out", str(out)], check=True, capture_output=True, cwd=ROOT)
    text = html.unescape(re.sub(r"<[^>]+>", " ", out.read_text()))
    text = re.sub(r"\s+", " ", text)
    first, last = expected_window(demo_warehouse, dt.date(2026, 9, 1), length=3)
    assert ("this section counts instead the latest 3 months in which every part of the "
            f"value is measurable, {words(first, last)}") in text
    # no scenario shows £0 for months that were never measured
    assert "Counts 3 of the period's 3 months" in text
    # the key point gives the same window's central total as the section's table
    key = re.search(r"Projected total public value \(GBP\): Not yet measurable; latest "
                    r"measurable 3 months \(([^)]*)\): (£[0-9.,]+[km]?)", text)
    assert key is not None and key.group(1) == words(first, last)
    table = re.search(r"Total public value (£[0-9.,]+[km]?) (£[0-9.,]+[km]?)", text)
    assert table is not None and table.group(2) == key.group(2)
