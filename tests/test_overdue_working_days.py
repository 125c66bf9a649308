"""The overdue lists count working days against the working-day standards, name the
agency whose standard is missed and show dates as dates (issue 13, item 4).

As-of date Tuesday 7 April 2026, just after Easter: Good Friday 3 April and Easter
Monday 6 April are bank holidays, 4 and 5 April a weekend. The standards: first
contact within 2 working days, agency acceptance within 5, NHS mental health contact
within 10 (the shipped register)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard import overdue
from metrics import read
from metrics.report import manager
from tests.support import referral, victim, warehouse_from_rows

AS_OF = "2026-04-07"


@pytest.fixture(scope="module")
def con():
    rows = {
        "victims": [victim(v) for v in ("v1", "v2", "v3", "v4")],
        "referrals": [
            # referred Tue 31 Mar, deadline Thu 2 Apr; after it: Fri 3 (bank holiday),
            # Sat, Sun, Mon 6 (bank holiday), Tue 7 = 1 working day (5 calendar days)
            referral("r1", "v1", "2026-03-31"),
            # referred Wed 25 Mar, deadline Fri 27 Mar; after it: Mon 30, Tue 31, Wed 1,
            # Thu 2, Tue 7 = 5 working days (11 calendar days)
            referral("r2", "v2", "2026-03-25"),
            # contacted: not overdue for first contact
            referral("r3", "v3", "2026-03-16", first_contact_date="2026-03-17"),
            referral("r4", "v4", "2026-03-16", first_contact_date="2026-03-17"),
        ],
        "agency_referrals": [
            # to the LGBT+ service, sent Thu 26 Mar, still pending; 5 working days: Fri 27,
            # Mon 30, Tue 31, Wed 1, Thu 2 = deadline Thu 2 Apr; 1 working day past (Tue 7)
            {"agency_referral_id": "a1", "referral_id": "r3", "agency": "lgbt",
             "sent_date": "2026-03-26", "outcome": "pending"},
            # to NHS mental health, sent Wed 18 Mar, accepted, not seen; 10 working days:
            # Thu 19, Fri 20, 23-27 Mar, Mon 30, Tue 31, Wed 1 = deadline Wed 1 Apr;
            # past it: Thu 2, Tue 7 = 2 working days
            {"agency_referral_id": "a2", "referral_id": "r4", "agency": "nhs_mental_health",
             "sent_date": "2026-03-18", "outcome": "accepted", "outcome_date": "2026-03-19"},
        ],
    }
    connection = warehouse_from_rows(rows, AS_OF)
    yield connection
    connection.close()


def test_first_contact_overdue_in_working_days_across_a_bank_holiday_weekend(con):
    listed = read.run(con, "exceptions_first_contact", "manager", agency="all",
                      crime_type="all")
    assert list(listed["referral_id"]) == ["r2", "r1"]
    assert list(listed["working_days_past_deadline"]) == [5, 1]
    assert [d.date() for d in listed["deadline_date"]] == [dt.date(2026, 3, 27),
                                                           dt.date(2026, 4, 2)]
    # the lead agency makes the first contact
    assert list(listed["responsible_agency"]) == ["victim_support", "victim_support"]


def test_agency_referrals_overdue_name_the_receiving_agency(con):
    pending = read.run(con, "exceptions_agency_referrals", "manager",
                       kind="agency_acceptance", agency="all", crime_type="all")
    assert pending[["agency_referral_id", "responsible_agency",
                    "working_days_past_deadline"]].to_dict("records") == [
        {"agency_referral_id": "a1", "responsible_agency": "lgbt",
         "working_days_past_deadline": 1}]
    assert pending["deadline_date"].iloc[0].date() == dt.date(2026, 4, 2)
    unseen = read.run(con, "exceptions_agency_referrals", "manager",
                      kind="mental_health_contact", agency="all", crime_type="all")
    assert unseen[["agency_referral_id", "responsible_agency",
                   "working_days_past_deadline"]].to_dict("records") == [
        {"agency_referral_id": "a2", "responsible_agency": "nhs_mental_health",
         "working_days_past_deadline": 2}]
    assert unseen["deadline_date"].iloc[0].date() == dt.date(2026, 4, 1)


def test_the_dashboard_list_shows_dates_as_dates_and_the_agency_in_words(con):
    listed = read.run(con, "exceptions_agency_referrals", "manager",
                      kind="agency_acceptance", agency="all", crime_type="all")
    shown = overdue.shown(listed)
    assert shown["deadline_date"].iloc[0] == dt.date(2026, 4, 2)  # a date, no time of day
    assert shown["start_date"].iloc[0] == dt.date(2026, 3, 26)
    assert shown["responsible_agency"].iloc[0] == "LGBT+ service"
    config = overdue.column_config()
    assert config["working_days_past_deadline"]["label"] == "Working days past the deadline"
    assert config["deadline_date"]["type_config"]["type"] == "date"


def test_the_manager_pack_lists_working_days_deadlines_and_the_responsible_agency(con):
    listed = read.run(con, "overdue", "manager")

    class Build:
        as_of = dt.date(2026, 4, 7)

    class Ctx:
        build = Build()

    blocks = manager._overdue_section(listed, Ctx())
    summary = blocks[0]
    assert [[c.text for c in row] for row in summary.rows] == [
        ["First contact overdue", "2", "5 working days"],
        ["Agency acceptance overdue", "1", "1 working day"],
        ["NHS mental health contact overdue", "1", "2 working days"],
    ]
    first = next(b for b in blocks if getattr(b, "key", "") == "overdue_list_first_contact")
    assert first.headers == ["Case id", "Responsible agency", "Agencies involved", "Deadline",
                             "Working days past the deadline"]
    assert [[c.text for c in row] for row in first.rows] == [
        ["r2", "Victim Support (lead agency)", "Victim Support (lead agency)", "27 Mar 2026",
         "5"],
        ["r1", "Victim Support (lead agency)", "Victim Support (lead agency)", "2 Apr 2026",
         "1"],
    ]
    assert isinstance(pd.Timestamp(listed["deadline_date"].iloc[0]), pd.Timestamp)
