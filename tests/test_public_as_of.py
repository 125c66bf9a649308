"""Issue 12 case 1: no unfinished or uncovered quarter is published (and so frozen).

* `hubvalue build --as-of` later than the extract covers is refused (metrics/as_of.py);
* a quarter is published only when it has ended by the as-of date and the extract's
  period covers it, starting at the hub's first month, not at a stray early date
  (metrics/published/quarters.py).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import duckdb
import pytest

from metrics.catalogue import load_catalogue
from metrics.cli import main
from metrics.generate import generate
from metrics.models import run_models
from metrics.published import write_public_release
from metrics.published.quarters import cover_date, first_month, quarters_between
from metrics.reference_data import write_reference
from tests.support import load_raw, referral, victim


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    """A generated extract: referrals from December 2023 to November 2026, manifest as of
    2026-11-30, period 2026-11."""
    folder = tmp_path_factory.mktemp("extract") / "hub"
    generate(folder, referrals=150, seed=3, end="2026-11", months=36, quiet=True)
    return folder


def _copy(extract, tmp_path, **manifest_changes):
    folder = tmp_path / "hub"
    shutil.copytree(extract, folder)
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    for key, value in manifest_changes.items():
        if value is None:
            manifest.pop(key, None)
        else:
            manifest[key] = value
    path.write_text(json.dumps(manifest))
    return folder


def _periods(db) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [r[0] for r in con.execute(
            "select period from published.periods order by first_month").fetchall()]
    finally:
        con.close()


@pytest.mark.parametrize("as_of", ["2027-03-31", "2999-12-31"])
def test_an_as_of_after_the_extracts_period_is_refused(extract, tmp_path, capsys, as_of):
    db = tmp_path / "w.duckdb"
    code = main(["build", "--input", str(extract), "--db", str(db), "--as-of", as_of,
                 "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    # one line naming the argument, the rule and the extract's own period end
    assert f"--as-of: the as-of date {as_of} is" in err
    assert "after the end of the extract's period (2026-11-30, from manifest.json)" in err
    assert "as_of_allowance_days" in err
    assert not db.exists()


def test_an_as_of_after_the_extracts_own_as_of_is_refused(extract, tmp_path, capsys):
    # No period, but the manifest's own as-of date (2026-11-30) says how far it reaches.
    folder = _copy(extract, tmp_path, period=None)
    db = tmp_path / "w.duckdb"
    assert main(["build", "--input", str(folder), "--db", str(db), "--as-of", "2027-03-31",
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "121 days after the end of the extract's period (2026-11-30, from " \
        "manifest.json's as_of)" in err
    assert not db.exists()


def test_an_as_of_the_records_do_not_back_is_refused_when_nothing_is_declared(
        extract, tmp_path, capsys):
    # No period and no as-of in the manifest, a folder not named by period: the newest
    # date in the hub's records (November 2026) is what the as-of date must be near.
    folder = _copy(extract, tmp_path, period=None, as_of=None)
    db = tmp_path / "w.duckdb"
    assert main(["build", "--input", str(folder), "--db", str(db), "--as-of", "2027-03-31",
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "more than 31 days after the newest date in the hub's records" in err
    assert not db.exists()


def test_a_bad_allowance_in_the_manifest_is_refused(extract, tmp_path, capsys):
    folder = _copy(extract, tmp_path, as_of_allowance_days="lots")
    assert main(["build", "--input", str(folder), "--db", str(tmp_path / "w.duckdb"),
                 "--quiet"]) == 2
    assert "manifest.json: 'as_of_allowance_days' must be a whole number of days" in (
        capsys.readouterr().err)


def test_a_quarter_the_extract_does_not_cover_is_not_published(extract, tmp_path):
    # The manifest allows an as-of date up to 200 days after its period (November 2026),
    # so 31 March 2027 builds; but December 2026 to March 2027 are not in the extract, so
    # 2026/27-Q3 (October to December) and Q4 are not published: the last published
    # quarter is 2026/27-Q2 (July to September). The referrals start in December 2023,
    # so the first is January to March 2024 (2023/24-Q4), the first quarter starting on
    # or after the hub's first month.
    folder = _copy(extract, tmp_path, as_of_allowance_days=200)
    db = tmp_path / "w.duckdb"
    assert main(["build", "--input", str(folder), "--db", str(db), "--as-of", "2027-03-31",
                 "--quiet"]) == 0
    periods = _periods(db)
    assert periods[-1] == "2026/27-Q2"
    assert periods[0] == "2023/24-Q4"
    assert len(periods) == 11


# --- which quarters, by hand ------------------------------------------------------------------


def m(text: str) -> dt.date:
    return dt.date.fromisoformat(text + "-01")


def test_the_first_month_ignores_a_stray_early_date():
    busy = {m(f"2024-{i:02d}"): 50 for i in range(1, 13)}
    # a referral typed as 1900: more than 12 months before the rest, it starts nothing
    assert first_month({m("1900-01"): 1, **busy}) == m("2024-01")
    # a gap of 11 empty months keeps the run together
    assert first_month({m("2023-01"): 20, **busy}) == m("2023-01")
    # a stray date or two just before a busy hub opened: the median month is 50, so a
    # month needs min(8, ceil(50 / 4)) = 8 referrals to start the hub
    assert first_month({m("2023-11"): 2, **busy}) == m("2024-01")
    # a tiny hub (median month 1): its first referral starts it
    tiny = {m("2024-02"): 1, m("2024-05"): 2, m("2024-06"): 1}
    assert first_month(tiny) == m("2024-02")
    assert first_month({}) is None


def test_quarters_end_by_the_cover_date_from_the_first_month():
    # cover: the as-of date, or the end of the extract's period if earlier
    assert cover_date(dt.date(2027, 3, 31), "2026-11") == dt.date(2026, 11, 30)
    assert cover_date(dt.date(2026, 11, 15), "2026-11") == dt.date(2026, 11, 15)
    assert cover_date(dt.date(2026, 11, 30), None) == dt.date(2026, 11, 30)
    labels = [q.label for q in quarters_between(m("2025-11"), dt.date(2026, 9, 30))]
    # November 2025 -> the first quarter starting on or after it is January 2026
    assert labels == ["2025/26-Q4", "2026/27-Q1", "2026/27-Q2"]
    assert quarters_between(m("2025-11"), dt.date(2026, 9, 29))[-1].label == "2026/27-Q1"


def test_a_stray_referral_in_1900_publishes_no_quarter_of_its_own(tmp_path):
    # 30 people referred January to March 2026 (10 a month), as of 30 April 2026, and one
    # referral dated 15 January 1900: only 2025/26-Q4 is published.
    victims = [victim(f"v{i:02d}") for i in range(31)]
    referrals = [referral(f"r{i:02d}", f"v{i:02d}", f"2026-{1 + i % 3:02d}-{1 + i % 27:02d}")
                 for i in range(30)]
    referrals.append(referral("r30", "v30", "1900-01-15"))
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_raw(con, {"victims": victims, "referrals": referrals}, "2026-04-30")
    write_reference(con, dt.date(2026, 4, 30))
    load_catalogue(con)
    run_models(con)
    result = write_public_release(con)
    assert [q.period.label for q in result.quarters] == ["2025/26-Q4"]
    assert con.execute("select list(period) from published.periods").fetchone()[0] == [
        "2025/26-Q4"]
    con.close()
