"""A hub's own register reaches the public (issue 14): the published release carries the
overrides (published.overrides, the values used in published.parameters, the file's
name and SHA-256 in published.build); the public bulletin lists each override beside the
shipped value, or says the shipped register was used; the public dashboard's Methods
page shows the same listing from the published release.

One small generated extract (600 referrals, seed 3, 24 months, as of 30 November 2026)
is built twice: with the example override file `generate --example-assumptions` writes,
and without one. The expected texts are worked out from that file and the shipped
register (data/assumptions.csv):

* deadweight_wellbeing: shipped 0.5 / 0.3 / 0.1 (low, central, high), hub 0.5 / 0.4 / 0.3,
  no source given, so a local assumption;
* crime_cost_response_burglary_residential: shipped 1180 in 2019/20 prices for every
  setting, hub 1300 / 1500 / 1800 in 2024/25 prices, unverified, with the force's source.
"""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from metrics.cli import main

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
QUARTER = "2026/27-Q2"
NO_OVERRIDES = "No overrides: the shipped register was used."
DEADWEIGHT_ROW = ["Deadweight (wellbeing)", "share", "30% (low 50%, high 10%)",
                  "40% (low 50%, high 30%)", "Local assumption",
                  "hub's own register (no source given); example: a hub that expects more "
                  "natural recovery than the shipped central"]
BURGLARY_ROW = ["Crime cost: response burglary residential", "GBP per crime",
                "£1.18k per crime (low £1.18k per crime, high £1.18k per crime), "
                "2019/20 prices",
                "£1.50k per crime (low £1.30k per crime, high £1.80k per crime), "
                "2024/25 prices",
                "Unverified",
                "Example force's own police and criminal justice unit cost (illustrative, "
                "not a real figure); example: a force's own unit cost"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("puboverrides")
    extract, hub_file = root / "extract", root / "hub.csv"
    assert main(["generate", "--out", str(extract), "--referrals", "600", "--seed", "3",
                 "--months", "24", "--example-assumptions", str(hub_file), "--quiet"]) == 0
    out = {"root": root, "hub_file": hub_file}
    for name, extra in (("hub", ["--assumptions", str(hub_file)]), ("shipped", [])):
        db = root / f"{name}.duckdb"
        assert main(["build", "--input", str(extract), "--db", str(db), "--threads", "1",
                     "--quiet", *extra]) == 0
        out[name] = db
    return out


def bulletin_text(db: Path, out: Path) -> str:
    assert main(["report", "--db", str(db), "--audience", "public", "--period", QUARTER,
                 "--format", "html", "--out", str(out)]) == 0
    page = html.unescape(out.read_text(encoding="utf-8")).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", page)


def bulletin_rows(page: str) -> list[list[str]]:
    """The rows of the bulletin's override table, as texts."""
    start = page.index("<caption>The hub's own register beside the shipped one</caption>")
    table = page[start:page.index("</table>", start)]
    rows = re.findall(r"<tr>(.*?)</tr>", table)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>",
                                                                     r)]
            for r in rows]


def test_the_release_carries_the_register_in_force(built):
    con = duckdb.connect(str(built["hub"]), read_only=True)
    try:
        listed = con.execute(
            "select name, shipped_low, shipped_central, shipped_high, shipped_price_year, "
            "low, central, high, price_year, status from published.overrides "
            "order by name").fetchall()
        central = dict(con.execute("select name, central from published.parameters "
                                   "where name in ('deadweight_wellbeing', "
                                   "'crime_cost_response_burglary_residential')").fetchall())
        factor = con.execute("select uprate_factor from published.parameters where name = "
                             "'crime_cost_response_burglary_residential'").fetchone()[0]
        facts = con.execute("select assumptions_file, assumptions_sha256 "
                            "from published.build").fetchone()
    finally:
        con.close()
    assert listed == [
        ("crime_cost_response_burglary_residential", 1180.0, 1180.0, 1180.0, "2019/20",
         1300.0, 1500.0, 1800.0, "2024/25", "unverified"),
        ("deadweight_wellbeing", 0.5, 0.3, 0.1, "", 0.5, 0.4, 0.3, "", "local_assumption"),
    ]
    # the register the public sees holds the values used: the hub's, uprated like any row
    assert central["deadweight_wellbeing"] == 0.4
    assert central["crime_cost_response_burglary_residential"] == pytest.approx(1500 * factor)
    assert facts == ("hub.csv", hashlib.sha256(built["hub_file"].read_bytes()).hexdigest())
    con = duckdb.connect(str(built["shipped"]), read_only=True)
    try:
        assert con.execute("select count(*) from published.overrides").fetchone()[0] == 0
    finally:
        con.close()


def test_the_bulletin_lists_each_override_beside_the_shipped_value(built):
    page = bulletin_text(built["hub"], built["root"] / "hub.html")
    digest = hashlib.sha256(built["hub_file"].read_bytes()).hexdigest()
    assert (f"This build uses the hub's own register (hub.csv, SHA-256 {digest}). Each "
            "parameter it overrides is listed below beside the shipped value") in page
    rows = bulletin_rows(page)
    assert rows[0] == ["Parameter", "Unit", "Shipped value", "Hub's value", "Status",
                       "Source and reason given"]
    assert rows[1:] == [BURGLARY_ROW, DEADWEIGHT_ROW]
    assert NO_OVERRIDES not in page
    csv = (built["root"] / "hub.tables" / "register_overrides.csv").read_text(encoding="utf-8")
    assert "40% (low 50%, high 30%)" in csv


def test_the_bulletin_says_when_the_shipped_register_was_used(built):
    page = bulletin_text(built["shipped"], built["root"] / "shipped.html")
    assert NO_OVERRIDES in page
    assert "The hub's own register beside the shipped one" not in page


def methods_page(monkeypatch, db: Path) -> AppTest:
    monkeypatch.setenv("HUBVALUE_DB", str(db))
    monkeypatch.setenv("HUBVALUE_AUDIENCE", "public")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("views/methods.py").run()
    assert not at.exception
    return at


def page_texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.warning)]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def test_the_public_methods_page_lists_the_overrides(monkeypatch, built):
    at = methods_page(monkeypatch, built["hub"])
    assert "The hub's own register" in [s.value for s in at.subheader]
    assert "This build uses the hub's own register (hub.csv, SHA-256 " in page_texts(at)
    frames = [f.value for f in at.dataframe if "Hub's value" in f.value.columns]
    assert len(frames) == 1
    shown = [[str(c).replace("\u00a0", " ") for c in row] for row in frames[0].values.tolist()]
    assert shown == [BURGLARY_ROW, DEADWEIGHT_ROW]


def test_the_public_methods_page_says_when_there_are_none(monkeypatch, built):
    at = methods_page(monkeypatch, built["shipped"])
    assert NO_OVERRIDES in page_texts(at)
    assert not [f for f in at.dataframe if "Hub's value" in f.value.columns]
