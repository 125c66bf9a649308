"""The people frames of the public release (metrics.published.frames).

The frames are read from a hand-written `marts.fct_referrals` in an in-memory DuckDB (and
marts.person_outcomes built from it by its model), so each group of people can be counted
by hand (the comments show the counting).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from metrics.catalogue import load_catalogue
from metrics.models import SQL_DIR
from metrics.published import frames

Q4 = dt.date(2026, 1, 1)  # financial quarter 2025/26-Q4: January to March 2026
Q1 = dt.date(2026, 4, 1)
Q3 = dt.date(2025, 10, 1)


# --- a hand-written fct_referrals ---------------------------------------------------------

REFERRAL_COLUMNS = [
    "victim_id", "referral_month", "referral_date", "gender", "age_band", "ethnic_group",
    "disability", "lgbt", "crime_type", "is_contacted", "is_assessed", "is_supported",
    "is_completed", "not_revictimised_12m_base", "not_revictimised_12m_success",
    "is_first_contact_in_base", "is_first_contact_on_time", "is_police_referral_in_base",
    "is_police_referral_on_time", "enhanced_rights",
    "closed_month", "wellbeing_gain_at_exit_base", "wellbeing_gain_at_exit_success",
    "target_hardening_month", "homes_made_safer", "area",
]


def referral(victim, date, gender="female", crime="theft", **flags):
    day = dt.date.fromisoformat(date)
    row = dict.fromkeys(REFERRAL_COLUMNS)
    row.update(
        victim_id=victim, referral_month=day.replace(day=1), referral_date=day,
        gender=gender, age_band="25-34", ethnic_group="white", disability="no", lgbt="no",
        crime_type=crime,
    )
    row.update(flags)
    return row


def warehouse(rows) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema marts")
    frame = pd.DataFrame(rows, columns=REFERRAL_COLUMNS)
    types = {c: "boolean" for c in REFERRAL_COLUMNS[9:]}
    types.update(
        referral_month="date", referral_date="date", closed_month="date",
        target_hardening_month="date", area="varchar",
    )
    casts = ", ".join(
        f"cast({c} as {types.get(c, 'varchar')}) as {c}" for c in REFERRAL_COLUMNS
    )
    con.register("rows", frame)
    con.execute(
        f"create table marts.fct_referrals as select 'r' || row_number() over () as referral_id, "
        f"{casts} from rows"
    )
    con.unregister("rows")
    con.execute("alter table marts.fct_referrals add column involves_victim_support boolean "
                "default true")
    con.execute(
        "create table marts.agency_referrals (agency_referral_id varchar, victim_id varchar, "
        "agency varchar, sent_month date, is_acceptance_in_base boolean, "
        "is_accepted_on_time boolean)"
    )
    load_catalogue(con)  # the person-level outcomes and their flags
    for name in ("person_outcome_agencies", "person_outcomes"):
        model = (SQL_DIR / "marts" / f"{name}.sql").read_text(encoding="utf-8")
        con.execute(f"create table marts.{name} as {model}")
    return con


# v1: two referrals in the quarter; the later one has no gender recorded (the latest
#     recorded gender, female, is used), and reached assessment; crime types theft and
#     burglary. v2 and v3: men referred once for theft, nothing else -> one group of 2.
# v4: referred in the previous quarter only. v5: nothing recorded: gender unknown, no
#     crime type, enhanced rights.
REFERRALS = [
    referral("v1", "2026-01-10", is_contacted=True, is_first_contact_in_base=True,
             is_first_contact_on_time=True),
    referral("v1", "2026-02-20", gender=None, crime="burglary_residential", is_assessed=True),
    referral("v2", "2026-03-01", gender="male"),
    referral("v3", "2026-03-05", gender="male", is_first_contact_in_base=True),
    referral("v4", "2025-12-15"),
    referral("v5", "2026-01-15", gender=None, crime=None, enhanced_rights=True),
]


def test_referred_frame_counts_people_by_hand():
    con = warehouse(REFERRALS)
    frame = frames.referred_frame(con, [Q4])
    assert list(frame.columns) == [
        frames.PERIOD_START, "gender", "age_band", "ethnic_group", "disability", "lgbt",
        "area", "stage", "crime_type",
        *[f"{i}_{k}" for i in frames.REFERRED_OUTCOMES for k in ("base", "met")], "count",
    ]
    got = {
        (r.gender, r.stage, r.crime_type, r.first_contact_2wd_base, r.first_contact_2wd_met,
         r.enhanced_rights_share_met): r.count
        for r in frame.itertuples(index=False)
    }
    # v1: female, referred + contacted + assessed, both crime types, first contact in base
    #     and on time; v2 and v3: male, referred, theft (v3 in the first-contact base, not
    #     met; v2 not in it) -> two groups of one; v5: unknown, referred, no crime type,
    #     enhanced rights (base is everyone, met for v5). v4 is not in the quarter.
    assert got == {
        ("female", ("referred", "contacted", "assessed"), ("burglary_residential", "theft"),
         True, True, False): 1,
        ("male", ("referred",), ("theft",), False, False, False): 1,
        ("male", ("referred",), ("theft",), True, False, False): 1,
        ("unknown", ("referred",), (), False, False, True): 1,
    }
    assert frame[frames.PERIOD_START].tolist() == [Q4] * 4
    assert frame["enhanced_rights_share_base"].all()  # its base is everyone referred
    assert int(frame["count"].sum()) == 4  # v1, v2, v3, v5


def test_referred_frame_groups_people_with_the_same_values():
    # v2 and v3 differ only in the first-contact base: without it they are one group of 2
    rows = [r for r in REFERRALS if r["victim_id"] in ("v2", "v3")]
    rows[1] = {**rows[1], "is_first_contact_in_base": None}
    frame = frames.referred_frame(warehouse(rows), [Q4])
    assert frame["count"].tolist() == [2]
    assert frame["gender"].tolist() == ["male"]


@pytest.mark.parametrize("with_missing_gender", [False, True])
def test_referred_frame_takes_the_latest_referrals_demographics(with_missing_gender):
    # v6 was recorded as female in January and as male in February: the latest, male,
    # counts. With a referral without a gender in the quarter (v7) each demographic is
    # read on its own (the latest recorded); without one, all of them together: either
    # way v6 is male.
    rows = [
        referral("v6", "2026-01-05", gender="female"),
        referral("v6", "2026-02-05", gender="male"),
    ]
    if with_missing_gender:
        rows.append(referral("v7", "2026-03-05", gender=None))
    frame = frames.referred_frame(warehouse(rows), [Q4])
    got = dict(zip(frame["gender"], frame["count"], strict=True))
    assert got == ({"male": 1, "unknown": 1} if with_missing_gender else {"male": 1})
    assert frame["age_band"].tolist() == ["25-34"] * len(got)


def test_referred_frame_for_two_quarters_in_quarter_order():
    con = warehouse(REFERRALS)
    frame = frames.referred_frame(con, [Q4, Q3])
    # Q3 (October to December 2025): v4 only; Q4: the four people above
    by_quarter = frame.groupby(frames.PERIOD_START)["count"].sum().to_dict()
    assert by_quarter == {Q3: 1, Q4: 4}
    assert frame[frames.PERIOD_START].tolist() == sorted(frame[frames.PERIOD_START])
    assert frames.referred_frame(con, [Q1]).empty  # nobody referred in April 2026


def test_split_by_quarter_takes_each_quarters_rows():
    frame = pd.DataFrame(
        {frames.PERIOD_START: [Q4, Q3, Q4], "count": [1, 2, 3]}
    )
    parts = frames.split_by_quarter(frame, [Q3, Q4, Q1])
    assert parts[Q3]["count"].tolist() == [2]
    assert parts[Q4]["count"].tolist() == [1, 3]
    assert parts[Q1].empty and list(parts[Q1].columns) == [frames.PERIOD_START, "count"]


def test_outcome_frames_count_people_in_each_base_by_hand():
    rows = [
        # w1: two closures in January and February; met on one of them -> met
        referral("w1", "2025-11-01", closed_month=dt.date(2026, 1, 1),
                 wellbeing_gain_at_exit_base=True, wellbeing_gain_at_exit_success=True),
        referral("w1", "2025-12-01", closed_month=dt.date(2026, 2, 1),
                 wellbeing_gain_at_exit_base=True, wellbeing_gain_at_exit_success=False),
        # w2: in the base, not met; w3: closed in April (next quarter), met;
        # w4: success recorded but not in the base -> not counted
        referral("w2", "2025-12-01", closed_month=dt.date(2026, 2, 1),
                 wellbeing_gain_at_exit_base=True, wellbeing_gain_at_exit_success=False),
        referral("w3", "2026-01-01", closed_month=dt.date(2026, 4, 1),
                 wellbeing_gain_at_exit_base=True, wellbeing_gain_at_exit_success=True),
        referral("w4", "2026-01-01", closed_month=dt.date(2026, 1, 1),
                 wellbeing_gain_at_exit_base=False, wellbeing_gain_at_exit_success=True),
        # w5: home made safer in March
        referral("w5", "2026-01-01", target_hardening_month=dt.date(2026, 3, 1),
                 homes_made_safer=True),
    ]
    out = frames.outcome_frames(
        warehouse(rows), [Q4, Q1], ["wellbeing_gain_at_exit", "homes_made_safer"]
    )
    assert list(out.columns) == ["indicator", frames.PERIOD_START, "met", "count"]
    # sorted by indicator, quarter, met: homes_made_safer Q4 (w5);
    # wellbeing Q4 not met (w2), met (w1); wellbeing Q1 met (w3)
    assert list(out.itertuples(index=False, name=None)) == [
        ("homes_made_safer", Q4, True, 1),
        ("wellbeing_gain_at_exit", Q4, False, 1),
        ("wellbeing_gain_at_exit", Q4, True, 1),
        ("wellbeing_gain_at_exit", Q1, True, 1),
    ]
    assert out["met"].dtype == bool and out["count"].dtype == np.int64
    empty = frames.outcome_frames(warehouse(rows), [Q4], [])
    assert empty.empty and list(empty.columns) == list(out.columns)
    with pytest.raises(ValueError, match="not a person-level outcome"):
        frames.outcome_frames(warehouse(rows), [Q4], ["referrals_received"])
