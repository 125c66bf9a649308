"""The people frames from the coded rows of people_groups (issue 16, item 5: a faster
first public release): the sets come as bits and JSON text and are decoded with numpy,
each distinct value once (`metrics.report.coded_groups`), into the same columns, values
and row order as the lists gave.

Extract (as of 30 June 2025), the quarter April to June 2025:
* v1: r1 (Thu 3 April, burglary, enhanced rights) and r2 (Mon 5 May, theft); agency
  referrals a1 (r1 to hate_crime, sent 3 April, accepted Fri 4 April: within 5 working
  days) and a2 (r2 to lgbt, sent 5 May, accepted Mon 2 June: late);
* v2: r3 (Tue 8 April, theft, enhanced rights);
* v3: r4 (Wed 9 April, robbery, no enhanced rights).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from metrics.report import coded_groups, data
from tests.support import accepted_agency_referral, referral, victim, warehouse_from_rows

APRIL, JUNE = dt.date(2025, 4, 1), dt.date(2025, 6, 1)
RIGHTS = "enhanced_rights_share"  # base: every referral; met: enhanced rights
ACCEPTED = "agency_accepted_5wd"  # base: agency referrals accepted; met: within 5 days


@pytest.fixture(scope="module")
def con():
    rows = {
        "victims": [victim("v1"), victim("v2"), victim("v3")],
        "referrals": [
            referral("r1", "v1", "2025-04-03", crime_type="burglary_residential",
                     enhanced_rights=True),
            referral("r2", "v1", "2025-05-05"),
            referral("r3", "v2", "2025-04-08", enhanced_rights=True),
            referral("r4", "v3", "2025-04-09", crime_type="robbery"),
        ],
        "agency_referrals": [
            accepted_agency_referral("a1", "r1", "hate_crime", "2025-04-03", "2025-04-04"),
            accepted_agency_referral("a2", "r2", "lgbt", "2025-05-05", "2025-06-02"),
        ],
    }
    connection = warehouse_from_rows(rows, "2025-06-30")
    yield connection
    connection.close()


# --- the decoding, by hand ------------------------------------------------------------


def test_stage_bits_are_the_stages_sorted_by_name():
    assert coded_groups.stage_names(8) == ("referred",)
    assert coded_groups.stage_names(1 + 8 + 16) == ("assessed", "referred", "supported")
    assert coded_groups.stage_names(0) == ()


def test_an_outcome_bit_is_its_place_among_the_sorted_outcomes():
    bits = np.array([0b01, 0b10, 0b11, 0], dtype=np.int64)
    flags = coded_groups.outcome_flags(bits, ["b_outcome", "a_outcome"])
    assert flags["a_outcome"].tolist() == [True, False, True, False]
    assert flags["b_outcome"].tolist() == [False, True, True, False]
    codes, sets = coded_groups.outcome_lists(bits, ["b_outcome", "a_outcome"])
    assert [sets[c] for c in codes] == [
        ("a_outcome",), ("b_outcome",), ("a_outcome", "b_outcome"), (),
    ]


def test_the_highest_outcome_bit_is_read():
    outcomes = [f"outcome_{k:02d}" for k in range(data.MAX_OUTCOMES)]
    bits = np.array([1 << 62, 1], dtype=np.int64)
    flags = coded_groups.outcome_flags(bits, outcomes)
    assert flags["outcome_62"].tolist() == [True, False]
    assert flags["outcome_00"].tolist() == [False, True]


def test_lists_rank_as_duckdb_orders_them():
    lists = [("b",), ("a", "b"), ("a",), (), ("a", "c"), ("B",)]
    ranked = coded_groups.ranks(lists)
    in_duckdb = [
        tuple(row[0]) for row in duckdb.sql(
            "select l from (values (['b']), (['a', 'b']), (['a']), ([]::varchar[]), "
            "(['a', 'c']), (['B'])) as t (l) order by l").fetchall()
    ]
    assert [lists[k] for k in np.argsort(ranked)] == in_duckdb
    # by hand: () < ('B',) < ('a',) < ('a', 'b') < ('a', 'c') < ('b',)
    assert ranked.tolist() == [5, 3, 2, 0, 4, 1]


def _coded(rows):
    columns = ["period_start", "gender", "age_band", "ethnic_group", "disability", "lgbt",
               "area", "stage_bits", "crime_type_json", "in_base_bits", "met_bits",
               "agency_json", "count"]
    return pd.DataFrame(rows, columns=columns)


def test_people_columns_decode_and_order_rows_as_the_lists_did():
    april, july = pd.Timestamp("2025-04-01"), pd.Timestamp("2025-07-01")
    demographics = ["female", "25-34", "white", "no", "no"]
    # sorted by period and classifiers (as the query sorts coded rows), in any order within
    grouped = _coded([
        [april, *demographics, "north", 8, '["theft"]', 0b11, 0b01, '["lgbt"]', 4],
        [april, *demographics, "north", 8 + 4, '["robbery"]', 0b01, 0, "[]", 2],
        [april, *demographics, "north", 8 + 4, '["burglary_residential","theft"]', 0b01,
         0b01, "[]", 3],
        [april, *demographics, "south", 8, '["theft"]', 0, 0, "[]", 1],
        [july, *demographics, "north", 8 + 16, "[]", 0b10, 0b10, '["hate_crime"]', 5],
    ])
    out = data.people_columns(grouped, ["b_out", "a_out"], demographics=True, referred=True,
                              agency_for="b_out", stage_order=data.STAGES, area=True)
    assert list(out.columns) == [
        *data.DEMOGRAPHICS, "area", "stage", "crime_type", "b_out_base", "b_out_met",
        "a_out_base", "a_out_met", "agency", "count",
    ]
    # within (April, north): by the stage list, ('contacted', 'referred') before
    # ('referred',), then by the crime types ('burglary_residential', 'theft') before
    # ('robbery',)
    assert out["count"].tolist() == [3, 2, 4, 1, 5]
    assert out["area"].tolist() == ["north", "north", "north", "south", "north"]
    assert out["stage"].tolist() == [
        ("referred", "contacted"), ("referred", "contacted"), ("referred",), ("referred",),
        ("referred", "supported"),
    ]
    assert out["crime_type"].tolist() == [
        ("burglary_residential", "theft"), ("robbery",), ("theft",), ("theft",), (),
    ]
    assert out["a_out_base"].tolist() == [True, True, True, False, False]
    assert out["a_out_met"].tolist() == [True, False, True, False, False]
    assert out["b_out_base"].tolist() == [False, False, True, False, True]
    assert out["b_out_met"].tolist() == [False, False, False, False, True]
    assert out["agency"].tolist() == [(), (), ("lgbt",), (), ("hate_crime",)]
    assert out["count"].dtype == np.int64
    assert out["a_out_base"].dtype == bool and out["stage"].dtype == object


def test_no_rows_give_the_columns_with_no_rows():
    out = data.people_columns(_coded([]), ["a_out"], demographics=False, referred=True,
                              agency_for=None)
    assert list(out.columns) == ["stage", "crime_type", "a_out_base", "a_out_met", "count"]
    assert len(out) == 0


# --- through the warehouse ------------------------------------------------------------


def test_people_frame_on_the_extract(con):
    frame = data.people_frame(con, APRIL, JUNE, [RIGHTS, ACCEPTED], demographics=False,
                              agency_for=ACCEPTED)
    rows = {
        (row.crime_type, row[f"{RIGHTS}_base"], row[f"{RIGHTS}_met"],
         row[f"{ACCEPTED}_base"], row[f"{ACCEPTED}_met"], row.agency): row["count"]
        for _, row in frame.iterrows()
    }
    assert rows == {
        # v1: enhanced rights on r1; a1 accepted in time, a2 late; both agencies
        (("burglary_residential", "theft"), True, True, True, True,
         ("hate_crime", "lgbt")): 1,
        (("theft",), True, True, False, False, ()): 1,  # v2
        (("robbery",), True, False, False, False, ()): 1,  # v3
    }
    assert all("referred" in stages for stages in frame["stage"])


def test_people_frame_is_the_query_rows_without_codes_in_their_order(con):
    outcomes = [RIGHTS, ACCEPTED]
    lists = data.people_groups(con, [APRIL], 3, outcomes, demographics=True, referred=True,
                               agency_for=ACCEPTED)
    frame = data.people_frame(con, APRIL, JUNE, outcomes, agency_for=ACCEPTED)
    expected = [
        (*(row[d] for d in data.DEMOGRAPHICS), tuple(row["stage"]), tuple(row["crime_type"]),
         *[flag for o in outcomes for flag in (o in row["in_base"], o in row["met"])],
         tuple(row["agency"]), row["count"])
        for _, row in lists.iterrows()
    ]
    assert [tuple(row) for row in frame.itertuples(index=False)] == expected
    assert len(expected) == 3
