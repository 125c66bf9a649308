"""The release step (metrics.published) and the public audience's queries.

Small hubs built by the real models from hand-written rows: every victim is referred
once between January and March 2026 (financial quarter 2025/26-Q4), the extract is as of
30 April 2026, so that quarter is the only complete one. Expected figures are worked out
by hand in the comments: a published count r is its true count rounded to the nearest 5;
counts 1..7 (1..9 in a sensitive cut) are hidden as [c]; 0 stays 0.
"""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pandas as pd
import pytest

from metrics import queries as q
from metrics.catalogue import load_catalogue
from metrics.disclosure import ProtectedRelease, Release, publish
from metrics.disclosure.release import make_cells
from metrics.disclosure.rules import is_primary, round_count
from metrics.models import run_models
from metrics.published import ReleaseArchive, archive_path_for, write_public_release
from metrics.published import frames as release_frames
from metrics.reference_data import write_reference
from metrics.report import data as report_data
from tests.support import load_raw, referral, victim

AS_OF = "2026-04-30"
QUARTER = "2025/26-Q4"
Q4 = q.Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 1))

# The main hub: 45 people.
#   gender: female 30, male 12, non_binary 3
#   age band: 25-34 20 (women), 35-44 20 (10 women, 10 men), 0-17 5 (2 men, 3 non-binary)
#   crime type: theft 30 (the women), burglary_residential 15 (the men and non-binary)
#   enhanced rights: 9 of the women; everyone white, not disabled, not LGBT+.
MAIN = [
    (20, "female", "25-34", "theft", False),
    (9, "female", "35-44", "theft", True),
    (1, "female", "35-44", "theft", False),
    (10, "male", "35-44", "burglary_residential", False),
    (2, "male", "0-17", "burglary_residential", False),
    (3, "non_binary", "0-17", "burglary_residential", False),
]


# The comparison population (recorded victims) by gender: female 600, male 400, so their
# shares are 0.6 and 0.4.
POPULATION = [
    {"basis": "recorded_victims", "characteristic": "gender", "category": "female",
     "people": 600},
    {"basis": "recorded_victims", "characteristic": "gender", "category": "male",
     "people": 400},
]


def hub_rows(groups) -> dict[str, list[dict]]:
    """One victim and one referral per person; groups of (count, gender, age band, crime
    type, enhanced rights). Referral dates cycle through January to March 2026."""
    victims, referrals = [], []
    n = 0
    for count, gender, age_band, crime_type, enhanced in groups:
        for _ in range(count):
            n += 1
            vid = f"v{n:03d}"
            victims.append({**victim(vid), "gender": gender, "age_band": age_band})
            date = f"2026-{1 + n % 3:02d}-{1 + n % 27:02d}"
            referrals.append(
                referral(f"r{n:03d}", vid, date, crime_type=crime_type, enhanced_rights=enhanced)
            )
    return {"victims": victims, "referrals": referrals, "population": POPULATION}


def build_warehouse(path, groups) -> duckdb.DuckDBPyConnection:
    """A warehouse file with every SQL model, open read-write (as the build has it)."""
    con = duckdb.connect(str(path))
    load_raw(con, hub_rows(groups), AS_OF)
    write_reference(con, dt.date.fromisoformat(AS_OF))
    load_catalogue(con)
    run_models(con)
    return con


def displays(con, table: str) -> dict[str, str]:
    rows = con.execute(
        "select category, display from published.tables where table_name = ? and period = ?",
        [table, QUARTER],
    ).fetchall()
    return dict(rows)


@pytest.fixture(scope="module")
def main_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("published") / "warehouse.duckdb"
    con = build_warehouse(path, MAIN)
    result = write_public_release(con, archive=archive_path_for(path))
    con.execute("checkpoint")
    con.close()
    return path, result


@pytest.fixture()
def public(main_db):
    con = q.connect(main_db[0])
    yield con
    con.close()


def run(con, name, filters=Q4, audience="public", **kwargs):
    return q.QUERIES[name].function(con, audience, filters, **kwargs)


# --- what is published --------------------------------------------------------------------


def test_the_quarter_is_published_with_hand_computed_cells(main_db):
    path, result = main_db
    con = duckdb.connect(str(path), read_only=True)
    try:
        # female 30 -> 30; male 12 -> 10; non_binary 3 is a sensitive cut (1..9) -> [c];
        # nobody 'other' or unknown -> 0; all 45 -> 45. non_binary = all - female - male
        # lies in 43-32-12 = -1 .. 47-28-8 = 11, which holds 1..9: no complement needed.
        assert displays(con, "referred_by_gender") == {
            "female": "30", "male": "10", "non_binary": "[c]", "other": "0",
            "unknown": "0", "all": "45",
        }
        # 0-17 (5, sensitive) -> [c]; 25-34 20 -> 20; 35-44 20 -> 20; the others 0.
        ages = displays(con, "referred_by_age_band")
        assert (ages["0-17"], ages["25-34"], ages["35-44"], ages["all"]) == ("[c]", "20", "20", "45")
        assert ages["18-24"] == ages["75+"] == ages["unknown"] == "0"
        crimes = displays(con, "referred_by_crime_type")
        assert (crimes["theft"], crimes["burglary_residential"], crimes["all"]) == ("30", "15", "45")
        assert crimes["sexual_offence"] == "0"
        # enhanced rights: base everyone 45 -> 45, met 9 -> 10
        assert displays(con, "enhanced_rights_share_base") == {"all": "45"}
        assert displays(con, "enhanced_rights_share_met") == {"all": "10"}
        # everyone white, not disabled, not LGBT+: rule 6 leaves those tables out
        left_out = con.execute(
            "select count(*) from published.tables where table_name in "
            "('referred_by_ethnic_group', 'referred_by_disability', 'referred_by_lgbt')"
        ).fetchone()[0]
        assert left_out == 0
        release = con.execute("select * from published.release").df().iloc[0]
        build_id = con.execute("select build_id from meta.build").fetchone()[0]
    finally:
        con.close()
    assert release["build_id"] == build_id and release["status"] == "published"
    assert list(release["quarters"]) == [QUARTER] and release["audit"] == "passed"
    assert "nearest 5" in release["rules"] and release["methods"]
    # tables: gender, age band, crime type, stages, enhanced rights base and met = 6;
    # cells: gender 5 + total, age 9 bands + total, crime 12 types + total, 5 stages, 1, 1
    # = 6 + 10 + 13 + 5 + 1 + 1 = 36; hidden: non_binary and 0-17 = 2
    assert (result.tables, result.cells, result.hidden) == (6, 36, 2)
    assert result.passed


def test_indicator_rows_are_worked_out_from_the_published_counts(public):
    summary = run(public, "indicator_summary")
    current = summary[summary["bucket"] == "current"].set_index("indicator_id")
    rights = current.loc["enhanced_rights_share"]
    # 10 / 45 from the rounded counts (the true share is 9 / 45 = 0.2)
    assert rights["status"] == "ok"
    assert (rights["numerator"], rights["denominator"]) == (10, 45)
    assert rights["value"] == pytest.approx(10 / 45)
    # a referral count the release does not hold is not published, not 0
    received = current.loc["referrals_received"]
    assert received["status"] == "not_published" and pd.isna(received["value"])
    assert set(summary["bucket"]) == {"current"}  # nothing published before 2025/26-Q4
    trend = run(public, "indicator_trend")
    rows = trend[trend["indicator_id"] == "enhanced_rights_share"]
    assert [d.date() for d in rows["period_start"]] == [dt.date(2026, 1, 1)]


def test_public_reach_uses_the_published_counts_only(public):
    reach = run(public, "equity_reach").set_index("category")
    # The comparison population has gender only. Recorded gender: all 45 - unknown 0 = 45
    # (published figures); female 30 / 45 / 0.6 = 1.111; male 10 (rounded from 12) / 45
    # / 0.4 = 0.556 (the true 12 / 45 / 0.4 would be 0.667).
    assert set(reach["characteristic"]) == {"gender"}
    assert reach.loc["female", "victims_referred"] == 30
    assert reach.loc["female", "reach_ratio"] == pytest.approx(30 / 45 / 0.6)
    assert reach.loc["male", "reach_ratio"] == pytest.approx(10 / 45 / 0.4)
    assert (reach["month"] == pd.Timestamp("2026-03-01")).all()


def test_public_months_periods_and_filters(public):
    options = run(public, "filter_options", q.Filters())
    assert list(options["value"]) == ["2026-01", "2026-02", "2026-03"]
    assert set(options["kind"]) == {"month"}
    for bad in (
        q.Filters(dt.date(2026, 1, 1), dt.date(2026, 2, 1)),  # two months
        q.Filters(dt.date(2025, 4, 1), dt.date(2026, 3, 1)),  # a financial year
        q.Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 1), "lgbt"),  # an agency
        q.Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 1), "all", "theft"),  # a crime type
    ):
        with pytest.raises(q.NotPermitted):
            run(public, "indicator_summary", bad)
    # a quarter the release does not hold: every figure is `not_published`, never 0
    later = run(public, "indicator_summary", q.Filters(dt.date(2026, 4, 1), dt.date(2026, 6, 1)))
    assert set(later.loc[later["bucket"] == "current", "status"]) == {"not_published"}
    assert run(public, "methods_notes").empty


def test_public_queries_read_the_published_schema_only(main_db, tmp_path):
    path, _ = main_db
    full = q.connect(path)
    try:
        expected = q.run_all(full, "public", Q4)
    finally:
        full.close()
    copy = tmp_path / "published_only.duckdb"
    shutil.copy(path, copy)
    con = duckdb.connect(str(copy))
    for schema in ("raw", "staging", "intermediate", "marts", "meta", "ref"):
        con.execute(f"drop schema if exists {schema} cascade")
    left = {r[0] for r in con.execute(
        "select distinct schema_name from duckdb_tables() where database_name = current_database()"
    ).fetchall()}
    con.close()
    assert left == {"published"}
    only = q.connect(copy)
    try:
        got = q.run_all(only, "public", Q4)
        with pytest.raises(q.NotPermitted):
            q.read.run(only, "filter_crime_types", "public")  # a marts read, refused
    finally:
        only.close()
    public_queries = {n for n, e in q.QUERIES.items() if "public" in e.audiences}
    assert set(got) == set(expected) == public_queries
    for name in got:
        pd.testing.assert_frame_equal(got[name], expected[name])


def test_a_warehouse_without_a_release_gives_the_public_nothing(tmp_path):
    path = tmp_path / "unreleased.duckdb"
    build_warehouse(path, MAIN).close()
    con = q.connect(path)
    try:
        with pytest.raises(q.NotInWarehouse):
            run(con, "indicator_summary")
        with pytest.raises(q.NotInWarehouse):
            run(con, "catalogue")
        # the manager's view reads the marts as before
        assert not run(con, "indicator_summary", audience="manager").empty
    finally:
        con.close()


def test_people_frame_matches_the_reports_definition(main_db):
    path, _ = main_db
    con = q.connect(path)
    try:
        mine = release_frames.referred_frame(con, [dt.date(2026, 1, 1)])
        outcomes = list(release_frames.REFERRED_OUTCOMES)
        theirs = report_data.people_frame(con, dt.date(2026, 1, 1), dt.date(2026, 3, 1), outcomes)
    finally:
        con.close()
    columns = [*report_data.DEMOGRAPHICS, "stage", "crime_type",
               *[f"{i}_{k}" for i in outcomes for k in ("base", "met")]]
    left = mine.groupby(columns)["count"].sum().sort_index()
    right = theirs.groupby(columns)["count"].sum().sort_index()
    pd.testing.assert_series_equal(left, right, check_dtype=False)
    assert int(left.sum()) == 45


# --- a release that fails its audit is not written ------------------------------------------

# gender: female 40, male 2 (and nobody else): male is hidden; with only primary suppression
# and rounding, female 40 (38..42) and the total 42 -> 40 (38..42) give male <= 42 - 38 = 4.
SMALL = [(40, "female", "25-34", "theft", False), (2, "male", "35-44", "theft", False)]


def primary_only(release: Release, audience: str = "public") -> ProtectedRelease:
    """An under-protecting protector: primary suppression and rounding, nothing more."""
    rows = []
    for table in release.tables:
        info = table.info
        for labels, count, atoms in zip(
            table.labels(), table.cells["count"], table.cells["atoms"], strict=True
        ):
            hidden = is_primary(int(count), info.threshold(labels))
            value = None if hidden else round_count(int(count))
            rows.append((table.name, labels, atoms, hidden, value,
                         "primary" if hidden else "", 0))
    return ProtectedRelease(tuple(t.info for t in release.tables), make_cells(rows),
                            release.earlier, None, audience, release.links)


def test_a_release_that_fails_its_audit_is_not_written(tmp_path):
    path = tmp_path / "small.duckdb"
    con = build_warehouse(path, SMALL)
    result = write_public_release(con, protector=primary_only)
    assert not result.passed
    [refused] = result.refused
    assert refused.period.label == QUARTER and refused.status == "refused"
    assert "referred_by_gender" in refused.message
    assert "upper bound below 7" in refused.message
    assert "4.0" not in refused.message and "40" not in refused.message  # no values
    assert any("not written" in line for line in result.lines())
    assert con.execute("select count(*) from published.tables").fetchone()[0] == 0
    assert con.execute("select count(*) from published.indicator_quarter").fetchone()[0] == 0
    periods = con.execute("select period, status from published.periods").fetchall()
    assert periods == [(QUARTER, "refused")]
    assert con.execute("select status from published.release").fetchone()[0] == "refused"
    # the marts are untouched: the manager's figures are still there
    assert con.execute("select count(*) from marts.fct_referrals").fetchone()[0] == 42
    # with the real protector the same quarter is published: male [c] and female [c]
    # (female, 40, is the smaller of the two published cells that bind male's bound)
    ok = write_public_release(con)
    assert ok.passed
    assert displays(con, "referred_by_gender")["male"] == "[c]"
    assert displays(con, "referred_by_gender")["female"] == "[c]"
    assert displays(con, "referred_by_gender")["all"] == "40"
    con.close()


# --- earlier releases: kept, frozen, revised, audited together -------------------------------

# crime type: theft 3 (hidden), burglary_residential 9, fraud 8, everyone else 0, all 20.
# Release 1: theft <= 22 - 8 - 8 = 6 from burglary 10 (8..12), fraud 10 (8..12) and the
# total 20 (18..22), so a complement is hidden: fraud (8), the smallest binding cell.
# Release 2 adds one person referred for fraud (fraud 9, all 21). On its own it hides
# burglary instead (burglary 9 and fraud 9 tie; burglary comes first), which is safe by
# itself, but with release 1 in view: burglary 10 (8..12) from release 1, fraud 10 (8..12)
# from release 2, all 20 -> theft <= 22 - 8 - 8 = 6 again.
CRIMES_1 = [
    (3, "female", "25-34", "theft", False),
    (9, "female", "25-34", "burglary_residential", False),
    (8, "female", "25-34", "fraud", False),
]
CRIMES_2 = [*CRIMES_1, (1, "female", "25-34", "fraud", False)]


def ignores_earlier(release: Release, audience: str = "public") -> ProtectedRelease:
    """Protects the new tables as if nothing had been published before (and leaves the
    earlier releases attached, so the audit still sees them)."""
    alone = publish(Release(release.tables, (), None, release.links), audience=audience)
    return ProtectedRelease(alone.tables, alone.cells, release.earlier, None, audience,
                            release.links)


@pytest.fixture()
def two_builds(tmp_path):
    first = tmp_path / "first.duckdb"
    con = build_warehouse(first, CRIMES_1)
    archive = tmp_path / "hub.releases.duckdb"
    result = write_public_release(con, archive=archive)
    assert result.passed
    crimes = displays(con, "referred_by_crime_type")
    con.close()
    return tmp_path, archive, crimes


def test_the_archive_keeps_the_first_release_and_later_builds_keep_its_figures(two_builds):
    tmp_path, archive, crimes = two_builds
    assert (crimes["theft"], crimes["burglary_residential"], crimes["fraud"]) == (
        "[c]", "10", "[c]")
    kept = ReleaseArchive(archive).releases()
    assert list(kept) == [QUARTER] and [r.kind for r in kept[QUARTER]] == ["first"]
    # true counts are kept privately with the release, for later audits
    assert kept[QUARTER][0].counts[
        "referred_by_crime_type[period=2025/26-Q4, crime_type=fraud]"] == 8
    con = build_warehouse(tmp_path / "second.duckdb", CRIMES_2)
    result = write_public_release(con, archive=archive)
    # nothing new: the quarter's figures stay as first published (spec rule 4)
    assert [q.kind for q in result.quarters] == ["archived"]
    assert displays(con, "referred_by_crime_type") == crimes
    assert con.execute("select releases, last_kind from published.periods").fetchone() == (
        1, "first")
    con.close()
    assert len(ReleaseArchive(archive).releases()[QUARTER]) == 1


def test_a_revision_that_would_allow_differencing_is_refused(two_builds):
    tmp_path, archive, crimes = two_builds
    con = build_warehouse(tmp_path / "second.duckdb", CRIMES_2)
    result = write_public_release(con, archive=archive, revise=[QUARTER],
                                  protector=ignores_earlier)
    [refused] = result.refused
    assert refused.kind == "revision"
    assert "theft" in refused.message and "upper bound below 7" in refused.message
    # the earlier figures stay published; the archive holds the first release only
    assert displays(con, "referred_by_crime_type") == crimes
    assert [r.kind for r in ReleaseArchive(archive).releases()[QUARTER]] == ["first"]
    con.close()


def test_a_revision_protected_against_the_earlier_release_is_written(two_builds):
    tmp_path, archive, _ = two_builds
    con = build_warehouse(tmp_path / "second.duckdb", CRIMES_2)
    result = write_public_release(con, archive=archive, revise=[QUARTER])
    assert result.passed and [q.kind for q in result.quarters] == ["revision"]
    crimes = displays(con, "referred_by_crime_type")
    # theft stays hidden; burglary is hidden as on its own; with release 1 in view fraud
    # (published 10 in release 2, 8..12) must go too, or theft <= 6 again
    assert crimes["theft"] == crimes["burglary_residential"] == "[c]"
    assert crimes["fraud"] == "[c]" and crimes["all"] == "20"  # 21 -> 20
    assert con.execute("select releases, last_kind from published.periods").fetchone() == (
        2, "revision")
    con.close()
    assert [r.kind for r in ReleaseArchive(archive).releases()[QUARTER]] == [
        "first", "revision"]
