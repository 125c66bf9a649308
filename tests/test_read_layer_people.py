"""People counted through the read layer: marts.person_outcomes (one row per victim,
person-level outcome and cohort month in its base) and the named query people_groups that
the reports' and the release's people frames read, on a hand-written extract.

Extract (as of 30 June 2025):
* v1: r1 (Thu 3 April 2025, enhanced rights) and r2 (Mon 5 May 2025, none); the
  older_people agency supports r1; agency referrals a1 (r1 to hate_crime, sent Thu
  3 April, accepted Fri 4 April: within 5 working days) and a2 (r2 to lgbt, sent Mon
  5 May, accepted Mon 2 June: 19 working days later, late).
* v2: r3 (Tue 8 April 2025, enhanced rights), no partner.
"""

from __future__ import annotations

import datetime as dt

import pytest

from metrics import read
from metrics.report import data
from tests.support import accepted_agency_referral, referral, victim, warehouse_from_rows

AS_OF = "2025-06-30"
APRIL, MAY, JUNE = dt.date(2025, 4, 1), dt.date(2025, 5, 1), dt.date(2025, 6, 1)
RIGHTS = "enhanced_rights_share"  # base: every referral; met: enhanced rights
ACCEPTED = "agency_accepted_5wd"  # base: agency referrals accepted; met: within 5 days


@pytest.fixture(scope="module")
def con():
    rows = {
        "victims": [victim("v1"), victim("v2")],
        "referrals": [
            referral("r1", "v1", "2025-04-03", enhanced_rights=True),
            referral("r2", "v1", "2025-05-05"),
            referral("r3", "v2", "2025-04-08", enhanced_rights=True),
        ],
        "services": [
            {"service_id": "s1", "referral_id": "r1", "agency": "older_people",
             "service_type": "emotional_support", "start_date": "2025-04-03"},
        ],
        "agency_referrals": [
            accepted_agency_referral("a1", "r1", "hate_crime", "2025-04-03", "2025-04-04"),
            accepted_agency_referral("a2", "r2", "lgbt", "2025-05-05", "2025-06-02"),
        ],
    }
    connection = warehouse_from_rows(rows, AS_OF)
    yield connection
    connection.close()


def _mart(con, indicator):
    # the agencies of a row's bits (marts.person_outcome_agencies), in the bits' order
    bits = con.execute(
        "select agency, agency_bit from marts.person_outcome_agencies order by agency_bit"
    ).fetchall()
    return {
        (victim_id, month): (is_met, tuple(a for a, bit in bits if agency_bits & bit))
        for victim_id, month, is_met, agency_bits in con.execute(
            "select victim_id, month, is_met, agency_bits from marts.person_outcomes "
            "where indicator_id = ? order by all", [indicator]).fetchall()
    }


def test_the_mart_has_a_row_per_victim_outcome_and_cohort_month_in_the_base(con):
    # enhanced rights: every referral in its referral month; met where recorded.
    # r1 involves victim_support, older_people (a service) and hate_crime (accepted)
    assert _mart(con, RIGHTS) == {
        ("v1", APRIL): (True, ("hate_crime", "older_people", "victim_support")),
        ("v1", MAY): (False, ("lgbt", "victim_support")),
        ("v2", APRIL): (True, ("victim_support",)),
    }
    # accepted within 5 working days: the agency referrals, in their month sent, with the
    # receiving agency
    assert _mart(con, ACCEPTED) == {
        ("v1", APRIL): (True, ("hate_crime",)),
        ("v1", MAY): (False, ("lgbt",)),
    }


def test_people_groups_counts_each_victim_once_per_period(con):
    # April to June 2025: v1 and v2 referred (v1's r1 supported: the older_people
    # service); both in the enhanced-rights base and both met it (v1 in April); v1 alone
    # in the acceptance base, met in April
    grouped = data.people_groups(con, [APRIL], 3, [RIGHTS, ACCEPTED], demographics=False,
                                 referred=True, agency_for=ACCEPTED)
    rows = {
        (tuple(r.stage), tuple(r.in_base), tuple(r.met), tuple(r.agency)): r.count
        for r in grouped.itertuples(index=False)
    }
    assert rows == {
        (("referred", "supported"), (ACCEPTED, RIGHTS), (ACCEPTED, RIGHTS),
         ("hate_crime", "lgbt")): 1,
        (("referred",), (RIGHTS,), (RIGHTS,), ()): 1,
    }
    # by month: May has v1 only, in both bases, meeting neither
    may = data.people_groups(con, [APRIL, MAY], 1, [RIGHTS, ACCEPTED], demographics=False,
                             referred=False, agency_for=None)
    by_month = {(r.period_start.date(), tuple(r.in_base), tuple(r.met)): r.count
                for r in may.itertuples(index=False)}
    assert by_month == {
        (APRIL, (ACCEPTED, RIGHTS), (ACCEPTED, RIGHTS)): 1,
        (APRIL, (RIGHTS,), (RIGHTS,)): 1,
        (MAY, (ACCEPTED, RIGHTS), ()): 1,
    }


def test_the_report_people_frame_reads_the_named_query(con):
    frame = data.people_frame(con, APRIL, JUNE, [ACCEPTED], demographics=False,
                              referred=False, agency_for=ACCEPTED)
    assert frame.to_dict("records") == [
        {f"{ACCEPTED}_base": True, f"{ACCEPTED}_met": True,
         "agency": ("hate_crime", "lgbt"), "count": 1},
    ]


def test_people_groups_is_for_the_manager_reader_only(con):
    with pytest.raises(read.NotPermitted):
        read.run(con, "people_groups", "public", firsts=[APRIL], months=3, outcomes=[],
                 agency_for="", referred=True, demographics=True)
