"""marts.person_outcomes from hand-written records: a (victim, outcome, month) with one
record takes that record's agencies as they are; one with several records is one row,
met if any record met it, with the agencies merged and sorted (the mart's agency bits, read
here through marts.person_outcome_agencies); a victim's records in
other months, and of the other kind (referral or agency referral), are rows of their own.

The model runs on a hand-written `marts.fct_referrals` and `marts.agency_referrals` (only
the columns it reads by name) in an in-memory DuckDB, with the real catalogue, so every
expected row below is counted by hand.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from metrics.catalogue import load_catalogue
from metrics.models import SQL_DIR

JAN = dt.date(2026, 1, 1)
FEB = dt.date(2026, 2, 1)
MAR = dt.date(2026, 3, 1)

# referral_id, victim_id, referral_month, in police base, on time, enhanced rights,
# involves lgbt, involves hate crime (every referral involves victim_support)
REFERRALS = [
    ("r1", "v1", JAN, True, True, False, True, False),
    ("r2", "v1", JAN, True, False, True, False, True),
    ("r3", "v1", FEB, False, None, False, False, False),
    ("r4", "v2", JAN, True, False, False, True, False),
]

# agency_referral_id, victim_id, agency, sent_month, in acceptance base, accepted on time
AGENCY_REFERRALS = [
    ("a1", "v1", "witness_care", JAN, True, False),
    ("a2", "v3", "young_people", MAR, True, True),
    ("a3", "v3", "lgbt", MAR, True, False),
    ("a4", "v2", "older_people", JAN, False, None),
]


@pytest.fixture(scope="module")
def person_outcomes():
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_referrals (referral_id varchar, victim_id varchar, "
        "referral_month date, is_police_referral_in_base boolean, "
        "is_police_referral_on_time boolean, enhanced_rights boolean, "
        "involves_lgbt boolean, involves_hate_crime boolean, "
        "involves_victim_support boolean default true)"
    )
    con.executemany(
        "insert into marts.fct_referrals (referral_id, victim_id, referral_month, "
        "is_police_referral_in_base, is_police_referral_on_time, enhanced_rights, "
        "involves_lgbt, involves_hate_crime) values (?, ?, ?, ?, ?, ?, ?, ?)",
        REFERRALS,
    )
    con.execute(
        "create table marts.agency_referrals (agency_referral_id varchar, victim_id varchar, "
        "agency varchar, sent_month date, is_acceptance_in_base boolean, "
        "is_accepted_on_time boolean)"
    )
    con.executemany("insert into marts.agency_referrals values (?, ?, ?, ?, ?, ?)",
                    AGENCY_REFERRALS)
    load_catalogue(con)
    agencies = (SQL_DIR / "marts" / "person_outcome_agencies.sql").read_text(encoding="utf-8")
    con.execute(f"create table marts.person_outcome_agencies as {agencies}")
    bits = con.execute(
        "select agency, agency_bit from marts.person_outcome_agencies order by agency_bit"
    ).fetchall()
    model = (SQL_DIR / "marts" / "person_outcomes.sql").read_text(encoding="utf-8")
    rows = con.execute(f"select * from ({model}) order by all").fetchall()
    con.close()
    # the agencies of each row's bits, in the order of the bits (by name)
    return [(victim, indicator, month, met, [a for a, bit in bits if agency_bits & bit])
            for victim, indicator, month, met, agency_bits in rows]


def _rows_of(rows, outcome):
    return {(victim, month): (met, agencies)
            for victim, indicator, month, met, agencies in rows if indicator == outcome}


def test_police_referrals_of_one_month_are_one_row_per_victim(person_outcomes):
    # v1's r1 (on time; lgbt) and r2 (late; hate crime) are both in January's base: one
    # row, met (r1), with both referrals' agencies; r3 is not in the base. v2: r4 alone.
    assert _rows_of(person_outcomes, "police_referral_2wd") == {
        ("v1", JAN): (True, ["hate_crime", "lgbt", "victim_support"]),
        ("v2", JAN): (False, ["lgbt", "victim_support"]),
    }


def test_a_victim_with_several_referrals_has_a_row_per_month(person_outcomes):
    # every referral is in the enhanced-rights base: v1 has January (r1, r2: met by r2)
    # and February (r3 alone: its own agencies), v2 January (r4)
    assert _rows_of(person_outcomes, "enhanced_rights_share") == {
        ("v1", JAN): (True, ["hate_crime", "lgbt", "victim_support"]),
        ("v1", FEB): (False, ["victim_support"]),
        ("v2", JAN): (False, ["lgbt", "victim_support"]),
    }


def test_agency_referrals_count_per_victim_and_month(person_outcomes):
    # v1: a1 alone (one agency referral, though several referrals); v3: a2 (on time) and
    # a3 in March, agencies merged and sorted; v2's a4 is not in the base
    assert _rows_of(person_outcomes, "agency_accepted_5wd") == {
        ("v1", JAN): (False, ["witness_care"]),
        ("v3", MAR): (True, ["lgbt", "young_people"]),
    }


def test_only_the_outcomes_with_their_flags_present_have_rows(person_outcomes):
    assert {row[1] for row in person_outcomes} == {
        "police_referral_2wd", "enhanced_rights_share", "agency_accepted_5wd",
    }
    assert len(person_outcomes) == 7
