"""Issue 12 case 5: every count of people the public can download has been through the
disclosure rules, whatever its source.

The public dashboard is opened under Streamlit's AppTest on a built 30-referral hub,
every page of its navigation and every tab of every page (the tab groups are found by
recording `st.tabs` as the pages call it); every download button's file is recorded as
the page offers it (by recording `st.download_button`), and every data table behind a
chart is opened. In every file and table, every column that counts people holds only
hidden or missing values or multiples of 5 outside 1..9. The equity page's comparison
population (people by sensitive group: age 75+, disabled, ...) was published unrounded
before the fix.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.app import PAGES
from metrics.build import build
from metrics.generate import generate
from metrics.published.comparison import protect_comparisons

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
# columns that count people, in any public download or table
PEOPLE_COLUMNS = {"victims_referred", "comparison_people", "numerator", "denominator",
                  "base", "persons", "people", "count"}
MONEY_UNITS = {"gbp", "ratio", "money"}


@pytest.fixture(scope="module")
def tiny_hub(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    generate(folder / "extract", referrals=30, seed=3, end="2026-11", months=36, quiet=True)
    db = folder / "w.duckdb"
    build(folder / "extract", db)
    return db


class Recorder:
    """Records what the pages offer: download files and tab groups."""

    def __init__(self, monkeypatch) -> None:
        self.files: dict[str, bytes] = {}
        self.tab_groups: dict[str, list[str]] = {}
        download, tabs = st.download_button, st.tabs

        def download_spy(label, data=None, *args, **kwargs):
            content = data() if callable(data) else data
            self.files[kwargs.get("file_name") or label] = (
                content.encode() if isinstance(content, str) else content)
            return download(label, data, *args, **kwargs)

        def tabs_spy(labels, *args, **kwargs):
            if kwargs.get("key"):
                self.tab_groups[kwargs["key"]] = list(labels)
            return tabs(labels, *args, **kwargs)

        monkeypatch.setattr(st, "download_button", download_spy)
        monkeypatch.setattr(st, "tabs", tabs_spy)


def _open(monkeypatch, db: Path, page: str, params: dict) -> AppTest:
    monkeypatch.setenv("HUBVALUE_DB", str(db))
    monkeypatch.setenv("HUBVALUE_AUDIENCE", "public")
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "scorecard":
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, (page, params)
    return at


def _frames(recorder: Recorder, at: AppTest) -> list[tuple[str, pd.DataFrame]]:
    """The downloads recorded so far and the data tables of the page, opened."""
    out = []
    for name, content in recorder.files.items():
        if name.endswith(".csv"):
            out.append((name, pd.read_csv(io.BytesIO(content))))
        elif name.endswith(".xlsx"):
            out.append((name, pd.read_excel(io.BytesIO(content))))
        else:
            raise AssertionError(f"a public download of an unknown kind: {name}")
    for name in recorder.files:
        at.session_state["table_" + name.rsplit(".", 1)[0]] = True
    at.run()
    out += [(f"table {i}", d.value) for i, d in enumerate(at.dataframe)]
    out += [(f"static table {i}", t.value) for i, t in enumerate(at.table)]
    return out


def unsafe_people_counts(frame: pd.DataFrame) -> list[tuple[str, object]]:
    """(column, value) of every count of people that is not hidden, missing, or a
    multiple of 5 outside 1..9."""
    found = []
    units = None
    for column in ("unit", "kind"):
        if column in frame.columns:
            units = frame[column].astype(str)
    for column in frame.columns:
        if str(column).lower() not in PEOPLE_COLUMNS:
            continue
        for i, value in frame[column].items():
            if units is not None and units.loc[i] in MONEY_UNITS:
                continue  # money, not a count of people (rule 7)
            if value is None or (isinstance(value, float) and pd.isna(value)):
                continue
            if isinstance(value, str) and value.strip() in ("", "[c]", "–"):
                continue
            number = float(str(value).replace(",", ""))
            if not number.is_integer() or number % 5 or 1 <= number <= 9:
                found.append((column, value))
    return found


def test_the_checker_finds_an_unrounded_count():
    frame = pd.DataFrame({"category": ["75+", "yes", "no"], "comparison_people": [2, 6, 40],
                          "reach_ratio": [1.23, 0.5, 1.0]})
    assert unsafe_people_counts(frame) == [("comparison_people", 2), ("comparison_people", 6)]
    money = pd.DataFrame({"unit": ["gbp", "rate"], "numerator": [56200.0, 12.0]})
    assert unsafe_people_counts(money) == [("numerator", 12.0)]


def test_every_public_download_has_its_counts_of_people_protected(monkeypatch, tiny_hub):
    pages = [p for p, (_, _, audiences) in PAGES.items() if "public" in audiences]
    checked: set[str] = set()
    problems = []
    for page in pages:
        recorder = Recorder(monkeypatch)
        at = _open(monkeypatch, tiny_hub, page, {})
        views = [{}] + [{key: label} for key, labels in recorder.tab_groups.items()
                        for label in labels[1:]]
        for params in views:
            if params:
                recorder.files.clear()
                at = _open(monkeypatch, tiny_hub, page, params)
            for name, frame in _frames(recorder, at):
                checked.add(f"{page}/{name}")
                problems += [(page, params, name, c, v) for c, v in unsafe_people_counts(frame)]
    assert problems == []
    # the pages offered downloads, the equity page's reach among them, on every tab
    assert any("equity_gender" in n for n in checked)
    assert any("equity_age_band" in n for n in checked)
    assert any(n.startswith("scorecard/") for n in checked)


def test_the_comparison_population_is_protected_by_hand():
    # Recorded victims by disability: yes 6, no 94 (sensitive: 1..9 hidden), total of
    # those recorded 100. Yes is hidden; no 95 (93..97) and the total 100 (98..102) put
    # yes at 1..9, no narrower than the marker, so nothing else is hidden. The shares
    # come from the rounded counts: no 95 / 100 = 0.95 (not 0.94), yes withheld (a
    # share from the unrounded counts, 6 / 100, would give the 6 away).
    rows = pd.DataFrame({
        "month": ["2026-11-01"] * 3, "basis": ["recorded_victims"] * 3,
        "basis_label": ["police-recorded victims"] * 3,
        "characteristic": ["disability"] * 3, "category": ["yes", "no", "unknown"],
        "comparison_people": [6.0, 94.0, 3.0], "comparison_share": [0.06, 0.94, None],
    })
    out = protect_comparisons(rows).set_index("category")
    assert "unknown" not in out.index
    assert pd.isna(out.loc["yes", "comparison_people"])
    assert out.loc["no", "comparison_people"] == 95
    assert out.loc["no", "comparison_share"] == pytest.approx(0.95)
    assert pd.isna(out.loc["yes", "comparison_share"]) and out.loc["yes", "comparison_hidden"]
    # age band: 75+ 2 of 300 people: 75+ hidden, 65-74 (smaller of the two) as its
    # complement; 18-24 198 -> 200, share 200 / 300 (the total rounded separately)
    ages = rows.assign(characteristic="age_band", category=["75+", "65-74", "18-24"],
                       comparison_people=[2.0, 100.0, 198.0])
    out = protect_comparisons(ages).set_index("category")
    assert pd.isna(out.loc["75+", "comparison_people"])
    assert pd.isna(out.loc["65-74", "comparison_people"])
    assert out.loc["18-24", "comparison_people"] == 200
    assert out.loc["18-24", "comparison_share"] == pytest.approx(200 / 300)
