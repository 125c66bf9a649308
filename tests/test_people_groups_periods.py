"""The periods of the people_groups named query (issue 16, item 5): a month's period is
worked out arithmetically, as whole periods after the earliest first month, and kept only
if that period was asked for; so the first months must lie on one grid of periods, which
`metrics.report.data.people_groups` checks.

Extract (as of 30 November 2025), each victim referred for theft:
* v1: r1 Thu 3 April 2025 (quarter from April) and r2 Sun 10 August 2025 (July);
* v2: r3 Tue 15 July 2025 (July);
* v3: r4 Thu 20 March 2025 (before April) and r5 Sun 2 November 2025 (October).
"""

from __future__ import annotations

import datetime as dt

import pytest

from metrics.report import data
from tests.support import referral, victim, warehouse_from_rows

APRIL, JULY, OCTOBER = dt.date(2025, 4, 1), dt.date(2025, 7, 1), dt.date(2025, 10, 1)
RIGHTS = "enhanced_rights_share"  # base: every referral in its referral month


@pytest.fixture(scope="module")
def con():
    rows = {
        "victims": [victim("v1"), victim("v2"), victim("v3")],
        "referrals": [
            referral("r1", "v1", "2025-04-03"),
            referral("r2", "v1", "2025-08-10"),
            referral("r3", "v2", "2025-07-15"),
            referral("r4", "v3", "2025-03-20"),
            referral("r5", "v3", "2025-11-02"),
        ],
    }
    connection = warehouse_from_rows(rows, "2025-11-30")
    yield connection
    connection.close()


def _people(grouped):
    return {(r.period_start.date(), tuple(r.in_base)): r.count
            for r in grouped.itertuples(index=False)}


def test_only_the_quarters_asked_for_are_counted(con):
    # April: v1 (r1); October: v3 (r5). July is not asked for, so r2 and r3 are in no
    # period, and r4 is before the earliest: v2 is not counted at all.
    grouped = data.people_groups(con, [APRIL, OCTOBER], 3, [RIGHTS], demographics=False,
                                 referred=True, agency_for=None)
    assert _people(grouped) == {(APRIL, (RIGHTS,)): 1, (OCTOBER, (RIGHTS,)): 1}
    # all three quarters: July has v1 (r2) and v2 (r3)
    grouped = data.people_groups(con, [APRIL, JULY, OCTOBER], 3, [RIGHTS],
                                 demographics=False, referred=False, agency_for=None)
    assert _people(grouped) == {
        (APRIL, (RIGHTS,)): 1, (JULY, (RIGHTS,)): 2, (OCTOBER, (RIGHTS,)): 1,
    }


def test_one_long_period_counts_each_victim_once(con):
    # April to November 2025 (8 months): v1 (r1, r2), v2 (r3), v3 (r5): three people
    grouped = data.people_groups(con, [APRIL], 8, [RIGHTS], demographics=False,
                                 referred=True, agency_for=None)
    assert _people(grouped) == {(APRIL, (RIGHTS,)): 3}


@pytest.mark.parametrize(
    "firsts",
    [
        [APRIL, dt.date(2025, 5, 1)],  # periods of 3 months overlapping
        [APRIL, dt.date(2025, 8, 1)],  # 4 months apart: off the grid of quarters
        [dt.date(2025, 4, 2)],  # not the start of a month
    ],
)
def test_first_months_off_one_grid_of_periods_are_refused(con, firsts):
    with pytest.raises(ValueError, match="3 months apart"):
        data.people_groups(con, firsts, 3, [RIGHTS], demographics=False, referred=True,
                           agency_for=None)


def test_more_outcomes_than_bits_are_refused(con, monkeypatch):
    # the query gathers outcomes as bits of a 64-bit integer: a 64th would overflow
    monkeypatch.setattr(data, "PERSON_OUTCOMES", [f"outcome_{k}" for k in range(64)])
    with pytest.raises(ValueError, match="at most 63 outcomes"):
        data.people_groups(con, [APRIL], 3, [f"outcome_{k}" for k in range(64)],
                           demographics=False, referred=True, agency_for=None)
