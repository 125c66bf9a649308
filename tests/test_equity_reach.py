"""marts.equity_reach: reach ratios with a 95 % Wilson interval, hand-computed.

Wilson interval for x of n, z = 1.959964:
    centre = (p + z^2 / 2n) / (1 + z^2 / n)
    half   = z * sqrt(p (1 - p) / n + z^2 / 4n^2) / (1 + z^2 / n)
The comparison share q is taken as fixed: reach_ratio = p / q, ci = bounds / q.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from metrics.catalogue import load_catalogue
from metrics.models import run_models
from metrics.reference_data import write_reference
from tests.support import load_raw


def build(tables: dict, as_of: str, coverage: dict | None = None) -> duckdb.DuckDBPyConnection:
    """A warehouse from hand-written rows, with the indicator catalogue loaded."""
    con = duckdb.connect()
    load_raw(con, tables, as_of, coverage)
    write_reference(con, dt.date.fromisoformat(as_of))
    load_catalogue(con)
    run_models(con)
    return con


def person(victim_id: str, gender: str, ethnic_group: str) -> dict:
    return {
        "victim_id": victim_id,
        "age_band": "25-34",
        "gender": gender,
        "ethnic_group": ethnic_group,
        "disability": "no",
        "lgbt": "no",
    }


def referral(referral_id: str, victim_id: str, referral_date: str) -> dict:
    return {
        "referral_id": referral_id,
        "victim_id": victim_id,
        "crime_type": "theft",
        "hate_crime": False,
        "domestic_abuse": False,
        "enhanced_rights": False,
        "source": "self",
        "referral_date": referral_date,
    }


VICTIMS = [
    person("e0", "female", "white"),  # referred in January 2026 only
    person("e1", "female", "white"),  # referred in December 2026 and January 2027
    person("e2", "female", "white"),
    person("e3", "female", "white"),
    person("e4", "male", "white"),
    person("e5", "male", "white"),
    person("e6", "male", "white"),
    person("e7", "male", "black"),
    person("e8", "male", "black"),
    person("e9", "male", "asian"),
    person("e10", "male", "unknown"),
    person("e11", "unknown", "white"),
]
REFERRALS = [
    referral("q0", "e0", "2026-01-15"),
    referral("q1a", "e1", "2026-12-05"),
    *[referral(f"q{i}", f"e{i}", "2027-01-10") for i in range(1, 12)],
]
POPULATION = [
    # gender: police-recorded victims are supplied, so they are the comparison
    # (known categories: 400 + 600 = 1,000; unknown left out).
    {"basis": "recorded_victims", "characteristic": "gender", "category": "female", "people": 400},
    {"basis": "recorded_victims", "characteristic": "gender", "category": "male", "people": 600},
    {"basis": "recorded_victims", "characteristic": "gender", "category": "unknown", "people": 50},
    {"basis": "residents", "characteristic": "gender", "category": "female", "people": 510},
    {"basis": "residents", "characteristic": "gender", "category": "male", "people": 490},
    # ethnic group: residents only (800 + 150 + 50 = 1,000).
    {"basis": "residents", "characteristic": "ethnic_group", "category": "white", "people": 800},
    {"basis": "residents", "characteristic": "ethnic_group", "category": "black", "people": 150},
    {"basis": "residents", "characteristic": "ethnic_group", "category": "asian", "people": 50},
]


@pytest.fixture(scope="module")
def reach_con():
    tables = {"victims": VICTIMS, "referrals": REFERRALS, "population": POPULATION}
    return build(tables, "2027-01-31")


def reach(con, month: str, characteristic: str, category: str) -> dict:
    result = con.execute(
        "select * from marts.equity_reach where month = ? and characteristic = ? and category = ?",
        [dt.date.fromisoformat(month), characteristic, category],
    )
    names = [d[0] for d in result.description]
    rows = result.fetchall()
    assert len(rows) == 1, (month, characteristic, category, len(rows))
    return dict(zip(names, rows[0], strict=True))


def test_reach_ratio_against_recorded_victims(reach_con):
    # January 2027: the 12 months Feb 2026 - Jan 2027 hold e1..e11 (e0 was referred in
    # January 2026; e1's two referrals count once). Known gender: e1..e10 = 10.
    # Female: e1, e2, e3 -> p = 3 / 10 = 0.3; q = 400 / 1,000 = 0.4; ratio 0.75.
    # Wilson(3, 10) = [0.107791, 0.603222] -> ci = [0.269478, 1.508055].
    row = reach(reach_con, "2027-01-01", "gender", "female")
    assert row["basis"] == "recorded_victims"
    assert row["basis_label"] == "relative to police-recorded victims"
    assert (row["victims_referred"], row["victims_known"], row["comparison_people"]) == (
        3,
        10,
        400,
    )
    assert row["reach_ratio"] == pytest.approx(0.75)
    assert row["ci_low"] == pytest.approx(0.269478, abs=1e-6)
    assert row["ci_high"] == pytest.approx(1.508055, abs=1e-6)
    # Male: 7 / 10 over q = 0.6 -> 1.166667; Wilson(7, 10) = [0.396778, 0.892209]
    # -> ci = [0.661297, 1.487015].
    row = reach(reach_con, "2027-01-01", "gender", "male")
    assert row["reach_ratio"] == pytest.approx(7 / 6)
    assert row["ci_low"] == pytest.approx(0.661297, abs=1e-6)
    assert row["ci_high"] == pytest.approx(1.487015, abs=1e-6)


def test_reach_ratio_against_residents_is_labelled(reach_con):
    # Ethnic group: residents only. Known: e1..e9, e11 = 10 (e10 unknown).
    # Black: e7, e8 -> p = 0.2; q = 150 / 1,000 = 0.15; ratio 1.333333;
    # Wilson(2, 10) = [0.056682, 0.509838] -> ci = [0.377881, 3.398917].
    row = reach(reach_con, "2027-01-01", "ethnic_group", "black")
    assert row["basis"] == "residents"
    assert row["basis_label"] == "relative to residents, not victims"
    assert row["reach_ratio"] == pytest.approx(0.2 / 0.15)
    assert row["ci_low"] == pytest.approx(0.377881, abs=1e-6)
    assert row["ci_high"] == pytest.approx(3.398917, abs=1e-6)
    # White: e1..e6, e11 -> 7 / 10 over 0.8 = 0.875.
    assert reach(reach_con, "2027-01-01", "ethnic_group", "white")["reach_ratio"] == (
        pytest.approx(0.875)
    )


def test_twelve_month_window(reach_con):
    # December 2026: Jan 2026 - Dec 2026 holds e0 (Jan 2026) and e1 (Dec 2026): both female.
    # Male: 0 of 2 -> ratio 0; Wilson(0, 2) = [0, 0.657620] -> ci = [0, 1.096033].
    row = reach(reach_con, "2026-12-01", "gender", "male")
    assert (row["victims_referred"], row["victims_known"]) == (0, 2)
    assert row["reach_ratio"] == 0.0
    assert row["ci_low"] == 0.0
    assert row["ci_high"] == pytest.approx(1.096033, abs=1e-6)
    # Female: 2 of 2 -> 1.0 / 0.4 = 2.5; the upper bound is capped at a share of 1.
    row = reach(reach_con, "2026-12-01", "gender", "female")
    assert row["reach_ratio"] == pytest.approx(2.5)
    assert row["ci_high"] == pytest.approx(2.5)


def test_rows_only_for_characteristics_with_a_comparison(reach_con):
    # One row per month (13: Jan 2026 - Jan 2027) and category with a comparison
    # population: gender 2 + ethnic group 3 = 5 -> 65 rows; never `unknown`.
    rows = reach_con.execute(
        "select count(*), count(distinct (month, basis, characteristic, category)), "
        "count(*) filter (where category = 'unknown') from marts.equity_reach"
    ).fetchone()
    assert rows == (65, 65, 0)


def test_no_population_no_rows():
    con = build({"victims": VICTIMS, "referrals": REFERRALS}, "2027-01-31")
    assert con.execute("select count(*) from marts.equity_reach").fetchone()[0] == 0
