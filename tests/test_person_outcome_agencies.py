"""The agencies of marts.person_outcomes as bits: marts.person_outcome_agencies gives each
agency a bit (1, 2, 4, ... in the order of the names), a (victim, outcome, month) row
carries the bits of the agencies involved in its records merged (a bitwise or: an agency
in two records counts once), and the people_groups named query turns the bits of
`agency_for`'s records back into sorted names (a list, or JSON text when coded).

The models run on hand-written `marts.fct_referrals` and `marts.agency_referrals` (only
the columns they read by name) and the query on hand-written marts, in an in-memory
DuckDB with the real catalogue, so every expected value below is worked out by hand.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from metrics.catalogue import (
    CATALOGUE_PATH,
    PLACE_COLUMNS,
    TOGETHER,
    CatalogueError,
    load_catalogue,
    read_catalogue,
)
from metrics.models import SQL_DIR
from metrics.report import data

DEC, JAN, FEB = dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)
RIGHTS = "enhanced_rights_share"  # base: every referral; met: enhanced rights
ACCEPTED = "agency_accepted_5wd"  # base: agency referrals accepted; met: within 5 days

# referral_id, victim_id, referral_month, enhanced rights, involves lgbt, involves hate
# crime (every referral involves victim_support)
REFERRALS = [
    ("r1", "v1", JAN, True, True, False),
    ("r2", "v1", JAN, False, False, True),
    ("r3", "v2", FEB, False, False, False),
]

# agency_referral_id, victim_id, agency, sent_month, in acceptance base, on time
AGENCY_REFERRALS = [
    ("a1", "v1", "witness_care", JAN, True, True),
    ("a2", "v1", "young_people", JAN, True, False),
    ("a3", "v2", "lgbt", FEB, True, False),
]


def _model(con, name):
    sql = (SQL_DIR / "marts" / f"{name}.sql").read_text(encoding="utf-8")
    con.execute(f"create table marts.{name} as {sql}")


@pytest.fixture(scope="module")
def models():
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_referrals (referral_id varchar, victim_id varchar, "
        "referral_month date, enhanced_rights boolean, involves_lgbt boolean, "
        "involves_hate_crime boolean, involves_victim_support boolean default true)"
    )
    con.executemany(
        "insert into marts.fct_referrals (referral_id, victim_id, referral_month, "
        "enhanced_rights, involves_lgbt, involves_hate_crime) values (?, ?, ?, ?, ?, ?)",
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
    _model(con, "person_outcome_agencies")
    _model(con, "person_outcomes")
    yield con
    con.close()


def test_each_agency_has_a_bit_in_the_order_of_the_names(models):
    # the involves_ flags give hate_crime, lgbt and victim_support; the agency referrals
    # witness_care, young_people and lgbt again
    assert models.execute(
        "select agency, agency_bit from marts.person_outcome_agencies order by agency"
    ).fetchall() == [
        ("hate_crime", 1), ("lgbt", 2), ("victim_support", 4), ("witness_care", 8),
        ("young_people", 16),
    ]


def test_a_row_merges_its_records_agencies_once_each(models):
    rows = models.execute(
        "select victim_id, indicator_id, month, is_met, agency_bits "
        "from marts.person_outcomes order by all"
    ).fetchall()
    assert rows == [
        # a1 (on time) and a2: witness_care 8 + young_people 16
        ("v1", ACCEPTED, JAN, True, 24),
        # r1 (lgbt 2, victim_support 4) and r2 (hate_crime 1, victim_support 4): 7, not
        # the sum of the records' bits (11 would read hate_crime, lgbt, witness_care)
        ("v1", RIGHTS, JAN, True, 7),
        # a3: lgbt
        ("v2", ACCEPTED, FEB, False, 2),
        # r3: victim_support alone
        ("v2", RIGHTS, FEB, False, 4),
    ]


# --- the named query: the bits made names -------------------------------------------------


def _with_referral_marts() -> duckdb.DuckDBPyConnection:
    """An in-memory database with an empty marts.fct_referrals of the columns people_groups
    reads."""
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_referrals (victim_id varchar, referral_date date, "
        "referral_month date, crime_type varchar, is_contacted boolean, "
        "is_assessed boolean, is_supported boolean, is_completed boolean, "
        "gender varchar, age_band varchar, ethnic_group varchar, disability varchar, "
        "lgbt varchar, area varchar)"
    )
    return con


@pytest.fixture(scope="module")
def warehouse():
    """Hand-written marts for people_groups: v1 and v2 referred in January and February
    2026, v3 in December 2025 with an agency referral in its acceptance base in January."""
    con = _with_referral_marts()
    for victim, day in (("v1", "2026-01-05"), ("v2", "2026-02-10"), ("v3", "2025-12-03")):
        con.execute(
            "insert into marts.fct_referrals values (?, ?::date, date_trunc('month', "
            "?::date), 'theft', false, false, false, false, 'female', '25-34', "
            "'white', 'no', 'no', 'A1')", [victim, day, day])
    con.execute(
        "create table marts.person_outcome_agencies as select * from (values "
        "('hate_crime', 1::bigint), ('lgbt', 2), ('victim_support', 4), "
        "('witness_care', 8), ('young_people', 16)) t(agency, agency_bit)"
    )
    con.execute(
        "create table marts.person_outcomes (victim_id varchar, indicator_id varchar, "
        "month date, is_met boolean, agency_bits bigint)"
    )
    con.executemany("insert into marts.person_outcomes values (?, ?, ?, ?, ?)", [
        ("v1", RIGHTS, JAN, True, 7),
        ("v1", ACCEPTED, JAN, True, 24),
        ("v2", RIGHTS, FEB, False, 4),
        ("v2", ACCEPTED, FEB, False, 2),
        ("v3", RIGHTS, DEC, False, 4),
        ("v3", ACCEPTED, JAN, False, 16),
    ])
    yield con
    con.close()


def _groups(con, *, coded):
    """(in base, met, agency, count) of each group: lists as tuples, or coded."""
    rows = data.people_groups(con, [JAN], 3, [RIGHTS, ACCEPTED], demographics=False,
                              referred=False, agency_for=RIGHTS, coded=coded)
    if coded:
        return [(r["in_base_bits"], r["met_bits"], r["agency_json"], r["count"])
                for r in rows.to_dict("records")]
    return [(tuple(r["in_base"]), tuple(r["met"]), tuple(r["agency"]), r["count"])
            for r in rows.to_dict("records")]


def test_people_groups_names_the_agencies_of_agency_for_sorted(warehouse):
    # January to March 2026: v1 in both bases, both met, enhanced rights' agencies bits 7;
    # v2 in both, neither met, bits 4; v3 in the acceptance base only (its enhanced
    # rights row is December's): no agencies of enhanced rights, though its agency
    # referral involved young_people
    assert sorted(_groups(warehouse, coded=False)) == sorted([
        ((ACCEPTED, RIGHTS), (ACCEPTED, RIGHTS), ("hate_crime", "lgbt", "victim_support"), 1),
        ((ACCEPTED, RIGHTS), (), ("victim_support",), 1),
        ((ACCEPTED,), (), (), 1),
    ])


def test_people_groups_coded_gives_the_agencies_as_json(warehouse):
    # the outcomes' bits: agency_accepted_5wd 1, enhanced_rights_share 2 (sorted)
    assert sorted(_groups(warehouse, coded=True)) == sorted([
        (3, 3, '["hate_crime","lgbt","victim_support"]', 1),
        (3, 0, '["victim_support"]', 1),
        (1, 0, "[]", 1),
    ])


# --- the named query: demographics from the period's referrals, else looked up ---------


@pytest.fixture(scope="module")
def demographics_warehouse():
    """Hand-written marts: v1 referred in December 2025 (female) and January 2026 (gender
    not recorded); v2 in November 2025 (female) and February 2026 (male); v3 in December
    2025 (female) with an agency referral in January; v4 in an outcome's base in January
    with a first referral only in April 2026; v5 referred three times in the quarter,
    for a theft, a burglary and a crime of no recorded type. Each referral's crime type
    is given."""
    con = _with_referral_marts()
    for victim, day, gender, crime in (
        ("v1", "2025-12-02", "female", "theft"), ("v1", "2026-01-20", None, "robbery"),
        ("v2", "2025-11-04", "female", "robbery"), ("v2", "2026-02-11", "male", "theft"),
        ("v3", "2025-12-09", "female", "theft"), ("v4", "2026-04-01", "male", "theft"),
        ("v5", "2026-01-07", "male", "theft"), ("v5", "2026-02-02", "male", "burglary"),
        ("v5", "2026-03-03", "male", None),
    ):
        con.execute(
            "insert into marts.fct_referrals values (?, ?::date, date_trunc('month', "
            "?::date), ?, false, false, false, false, ?, '25-34', 'white', 'no', "
            "'no', 'A1')", [victim, day, day, crime, gender])
    con.execute("create table marts.person_outcome_agencies (agency varchar, "
                "agency_bit bigint)")
    con.execute(
        "create table marts.person_outcomes (victim_id varchar, indicator_id varchar, "
        "month date, is_met boolean, agency_bits bigint)"
    )
    con.executemany("insert into marts.person_outcomes values (?, ?, ?, ?, 0)", [
        ("v1", RIGHTS, DEC, False), ("v1", RIGHTS, JAN, False),
        ("v2", RIGHTS, dt.date(2025, 11, 1), False), ("v2", RIGHTS, FEB, False),
        ("v3", RIGHTS, DEC, False), ("v3", ACCEPTED, JAN, True),
        ("v4", ACCEPTED, JAN, True),
        ("v5", RIGHTS, JAN, False), ("v5", RIGHTS, FEB, False),
        ("v5", RIGHTS, dt.date(2026, 3, 1), False),
    ])
    yield con
    con.close()


def test_people_groups_demographics_are_the_latest_recorded_by_the_period_end(
    demographics_warehouse,
):
    rows = data.people_groups(demographics_warehouse, [JAN], 3, [RIGHTS, ACCEPTED],
                              demographics=True, referred=True, agency_for=None)
    got = sorted((r["gender"], tuple(r["stage"]), tuple(r["crime_type"]),
                  tuple(r["in_base"]), tuple(r["met"]), r["count"])
                 for r in rows.to_dict("records"))
    assert got == sorted([
        # v1: January's referral has no gender; December's (before the quarter) says
        # female; the crime type is January's only
        ("female", ("referred",), ("robbery",), (RIGHTS,), (), 1),
        # v2: February's referral, the latest, says male (November's female)
        ("male", ("referred",), ("theft",), (RIGHTS,), (), 1),
        # v3: not referred in the quarter, in the acceptance base (met): December's
        # referral says female; no crime types
        ("female", (), (), (ACCEPTED,), (ACCEPTED,), 1),
        # v4: no referral by the end of March, so not counted
        # v5: the quarter's crime types sorted, the one not recorded left out
        ("male", ("referred",), ("burglary", "theft"), (RIGHTS,), (), 1),
    ])


# --- the catalogue: the flags kept as bits --------------------------------------------


def _catalogue_with_flags(tmp_path, count):
    """The real catalogue with copies of one per-record outcome added, each naming a new
    success flag, until base_flag and success_flag name `count` flags in all."""
    frame = pd.read_csv(CATALOGUE_PATH, dtype=str, keep_default_na=False)
    named = {f for c in ("base_flag", "success_flag") for f in frame[c] if f and f != "true"}
    template = frame[frame["record_table"] != ""].iloc[0].copy()
    for column in (*PLACE_COLUMNS, *(c for pair in TOGETHER for c in pair),
                   "value_component", "coverage_indicator"):
        template[column] = ""
    extra = []
    for k in range(count - len(named)):
        row = template.copy()
        row["indicator_id"] = f"extra_outcome_{k}"
        row["success_flag"] = f"is_extra_{k}"
        extra.append(row)
    path = tmp_path / f"catalogue_{count}.csv"
    pd.concat([frame, pd.DataFrame(extra)], ignore_index=True).to_csv(path, index=False)
    return path


def test_the_catalogue_names_at_most_63_flags(tmp_path):
    # the mart keeps a record's flags as the bits 0 to 62 of a 64-bit integer
    assert len(read_catalogue(_catalogue_with_flags(tmp_path, 63))) > 0
    with pytest.raises(CatalogueError, match=r"^catalogue_64\.csv: base_flag and "
                       r"success_flag name 64 flags; at most 63 "):
        read_catalogue(_catalogue_with_flags(tmp_path, 64))
