"""Hand-computed cases for the pandas reference (metrics/reference.py) on its own.

Bank holidays used below (England and Wales): 2026-04-03 Good Friday,
2026-04-06 Easter Monday, 2026-12-25 Christmas (Fri), 2026-12-28 Boxing Day
observed (Mon), 2027-01-01 New Year's Day (Fri).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from metrics.reference import (
    CORE_INDICATORS,
    compute_core,
    load_build_from_warehouse,
    load_tables_from_warehouse,
    nth_working_day_after,
)
from tests.support import load_raw

PARAMS = {"swemwbs_meaningful_change": 3.0}


def referral(referral_id: str, referral_date: str, **columns) -> dict:
    row = {
        "referral_id": referral_id,
        "victim_id": "v1",
        "crime_type": "theft",
        "hate_crime": False,
        "domestic_abuse": False,
        "enhanced_rights": False,
        "source": "self",
        "referral_date": referral_date,
    }
    row.update(columns)
    return row


def frames(tables: dict[str, list[dict]]) -> dict[str, pd.DataFrame]:
    return {name: pd.DataFrame(rows) for name, rows in tables.items()}


def core(tables, as_of, coverage=None) -> pd.DataFrame:
    result = compute_core(frames(tables), as_of, coverage=coverage, params=PARAMS)
    return result.set_index(["indicator_id", "month"])


def row(result: pd.DataFrame, indicator_id: str, month: str) -> dict:
    return result.loc[(indicator_id, pd.Timestamp(month))].to_dict()


def assert_row(result, indicator_id, month, status, numerator=None, denominator=None):
    got = row(result, indicator_id, month)
    assert got["status"] == status, (indicator_id, month, got)
    if numerator is None:
        assert pd.isna(got["numerator"]) and pd.isna(got["value"])
    else:
        assert got["numerator"] == pytest.approx(numerator)
    if denominator is None:
        assert pd.isna(got["denominator"])
        if numerator is not None:
            assert got["value"] == pytest.approx(numerator)
    else:
        assert got["denominator"] == pytest.approx(denominator)
        assert got["value"] == pytest.approx(numerator / denominator)


VICTIMS = [{"victim_id": "v1"}, {"victim_id": "v2"}, {"victim_id": "v3"}]


def test_nth_working_day_after_counts_days_strictly_after_and_skips_bank_holidays():
    dates = pd.Series(pd.to_datetime(["2026-12-24", "2026-12-26", "2026-04-02", "2026-12-30"]))
    got = nth_working_day_after(dates, 2).dt.date.tolist()
    assert got == [
        dt.date(2026, 12, 30),  # Thu 24: Fri 25 and Mon 28 holidays -> Tue 29 (1), Wed 30 (2)
        dt.date(2026, 12, 30),  # Sat 26: days strictly after -> Tue 29 (1), Wed 30 (2)
        dt.date(2026, 4, 8),  # Thu 2 Apr: Fri 3 and Mon 6 holidays -> Tue 7 (1), Wed 8 (2)
        dt.date(2027, 1, 4),  # Wed 30: Thu 31 (1), Fri 1 Jan holiday, Mon 4 Jan (2)
    ]


def test_first_contact_within_two_working_days_and_pending_deadlines():
    tables = {
        "victims": VICTIMS,
        "referrals": [
            # deadline Wed 30 Dec; contact on it -> within
            referral("r1", "2026-12-24", first_contact_date="2026-12-30"),
            # deadline Wed 30 Dec; contact a day later -> in base, late
            referral("r2", "2026-12-24", first_contact_date="2026-12-31"),
            # deadline Mon 4 Jan = as-of, not strictly before it -> not in base yet
            referral("r3", "2026-12-30", first_contact_date=None),
            # Tue 29: Wed 30 (1), Thu 31 (2); passed by the as-of, no contact -> in base, late
            referral("r4", "2026-12-29", first_contact_date=None),
            # January: only a pending referral -> nobody in the base
            referral("r5", "2027-01-04", first_contact_date=None),
        ],
    }
    result = core(tables, "2027-01-04")
    assert_row(result, "first_contact_2wd", "2026-12-01", "ok", 1, 3)  # r1 of r1, r2, r4
    assert_row(result, "first_contact_2wd", "2027-01-01", "empty_base")


def test_police_referral_clock_starts_at_the_later_of_report_and_consent():
    tables = {
        "victims": VICTIMS,
        "referrals": [
            # consent Thu 24 is later than report Tue 22: deadline Wed 30 -> within
            # (from the report alone the deadline would be Thu 24 and it would be late)
            referral(
                "p1",
                "2026-12-30",
                source="police",
                reported_date="2026-12-22",
                consent_date="2026-12-24",
            ),
            # report Thu 24, no consent: deadline Wed 30, referred Thu 31 -> late
            referral("p2", "2026-12-31", source="police", reported_date="2026-12-24"),
            referral("p3", "2026-12-31", source="self", reported_date="2026-12-24"),  # not police
            referral("p4", "2026-12-31", source="police"),  # no reported_date
        ],
    }
    result = core(tables, "2026-12-31")
    assert_row(result, "police_referral_2wd", "2026-12-01", "ok", 1, 2)


def test_funnel_counts_and_open_cases_at_month_end():
    tables = {
        "victims": VICTIMS,
        "referrals": [
            referral(
                "r1", "2026-01-10", closed_date="2026-02-15", closure_reason="support_completed"
            ),
            referral("r2", "2026-01-20"),
            referral("r3", "2026-02-28", closed_date="2026-02-28", closure_reason="declined"),
            referral(
                "r4", "2026-03-05", closed_date="2026-03-31", closure_reason="support_completed"
            ),
        ],
    }
    result = core(tables, "2026-04-02")
    # received by referral month: Jan r1 r2; Feb r3; Mar r4; Apr none
    months = ("2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01")
    for month, count in zip(months, (2, 1, 1, 0), strict=True):
        assert_row(result, "referrals_received", month, "ok", count)
    # completed, by referral month: Jan r1; Mar r4
    for month, count in zip(months, (1, 0, 1, 0), strict=True):
        assert_row(result, "referrals_completed", month, "ok", count)
    # open at 31 Jan: r1, r2; 28 Feb: r2 (r1 closed 15 Feb, r3 closed on the month end);
    # 31 Mar: r2 (r4 closed on the month end); 30 Apr: r2
    for month, count in zip(months, (2, 1, 1, 1), strict=True):
        assert_row(result, "open_cases", month, "ok", count)
    assert sorted(result.index.get_level_values("month").unique()) == list(
        pd.date_range("2026-01-01", "2026-04-01", freq="MS")
    )
    assert set(result.index.get_level_values("indicator_id")) == set(CORE_INDICATORS)


def test_enhanced_rights_and_satisfaction_shares():
    tables = {
        "victims": VICTIMS,
        "referrals": [
            referral("r1", "2026-01-05", enhanced_rights=True),
            referral("r2", "2026-01-06"),
            referral("r3", "2026-01-07"),
        ],
        "exit_surveys": [
            {"referral_id": "r1", "survey_date": "2026-02-10", "satisfaction": 5},
            {"referral_id": "r2", "survey_date": "2026-02-11", "satisfaction": 4},
            {"referral_id": "r3", "survey_date": "2026-02-12", "satisfaction": 3},
        ],
    }
    result = core(tables, "2026-02-28")
    assert_row(result, "enhanced_rights_share", "2026-01-01", "ok", 1, 3)  # r1 of 3
    assert_row(result, "enhanced_rights_share", "2026-02-01", "empty_base")
    assert_row(result, "satisfaction", "2026-02-01", "ok", 2, 3)  # 5 and 4 are >= 4; 3 is not
    assert_row(result, "satisfaction", "2026-01-01", "empty_base")


def test_satisfaction_base_is_surveys_that_answered_it():
    tables = {
        "victims": VICTIMS,
        "referrals": [referral("r1", "2026-01-05"), referral("r2", "2026-01-06")],
        "exit_surveys": [
            {"referral_id": "r1", "survey_date": "2026-01-10", "satisfaction": 4},
            {"referral_id": "r2", "survey_date": "2026-01-11", "satisfaction": None},
        ],
    }
    result = core(tables, "2026-01-31")
    assert_row(result, "satisfaction", "2026-01-01", "ok", 1, 1)


def assessment(aid, referral_id, stage, day, **scores):
    return {
        "assessment_id": aid,
        "referral_id": referral_id,
        "stage": stage,
        "assessment_date": day,
        **scores,
    }


def test_exit_indicators_use_completed_referrals_and_swemwbs_metric_scores():
    done = {"closed_date": "2026-03-20", "closure_reason": "support_completed"}
    tables = {
        "victims": VICTIMS,
        "referrals": [
            referral("a", "2026-01-05", **done),
            referral("b", "2026-01-06", **done),
            referral("c", "2026-01-07", **done),
            referral("d", "2026-01-08", closed_date="2026-03-20", closure_reason="declined"),
            referral("e", "2026-01-09", **done),
            referral("f", "2026-01-10", **done),
        ],
        "assessments": [
            # a: raw 10 -> 12.40, raw 13 -> 14.75: gain 2.35 < 3; coping 2 -> 3 better;
            #    safety 5 -> 5 (kept at best) better
            assessment("a1", "a", "intake", "2026-01-05", swemwbs=10, coping=2, safety=5),
            assessment("a2", "a", "exit", "2026-03-20", swemwbs=13, coping=3, safety=5),
            # b: raw 10 -> 12.40, raw 14 -> 15.32: gain 2.92 < 3 although the raw sum rose 4;
            #    coping 3 -> 3 not better; safety 4 -> 4 not better
            assessment("b1", "b", "intake", "2026-01-06", swemwbs=10, coping=3, safety=4),
            assessment("b2", "b", "exit", "2026-03-20", swemwbs=14, coping=3, safety=4),
            # c: stored metric 12.40, raw 15 -> 15.84: gain 3.44 >= 3; coping 3 -> 2 worse;
            #    safety 1 -> 2 better
            assessment("c1", "c", "intake", "2026-01-07", swemwbs_metric=12.40, coping=3, safety=1),
            assessment("c2", "c", "exit", "2026-03-19", swemwbs=15, coping=2, safety=2),
            # d: not completed -> out of every base
            assessment("d1", "d", "intake", "2026-01-08", swemwbs=7, coping=1, safety=1),
            assessment("d2", "d", "exit", "2026-03-20", swemwbs=35, coping=5, safety=5),
            # e: intake only -> out of every base; a review does not stand in for the exit
            assessment("e1", "e", "intake", "2026-01-09", swemwbs=7, coping=1, safety=1),
            assessment("e2", "e", "review", "2026-02-09", swemwbs=35, coping=5, safety=5),
            # f: the raw sum wins over a stored metric that disagrees with it: raw 10 -> 12.40
            #    (not the stored 7.00), raw 14 -> 15.32: gain 2.92 < 3 (8.32 with the stored
            #    value); no coping or safety scores
            assessment("f1", "f", "intake", "2026-01-10", swemwbs=10, swemwbs_metric=7.0),
            assessment("f2", "f", "exit", "2026-03-20", swemwbs=14),
        ],
    }
    result = core(tables, "2026-03-31")
    assert_row(result, "wellbeing_gain_at_exit", "2026-03-01", "ok", 1, 4)  # c of a, b, c, f
    assert_row(result, "coped_better_at_exit", "2026-03-01", "ok", 1, 3)  # a
    assert_row(result, "feel_safer_at_exit", "2026-03-01", "ok", 2, 3)  # a, c
    assert_row(result, "wellbeing_gain_at_exit", "2026-01-01", "empty_base")


def test_homes_made_safer_counts_referrals_once_in_their_first_hardening_month():
    tables = {
        "victims": VICTIMS,
        "referrals": [referral("x", "2026-01-05"), referral("y", "2026-01-06")],
        "services": [
            {
                "service_id": "s1",
                "referral_id": "x",
                "agency": "victim_support",
                "service_type": "target_hardening",
                "start_date": "2026-02-01",
            },
            {
                "service_id": "s2",
                "referral_id": "x",
                "agency": "victim_support",
                "service_type": "target_hardening",
                "start_date": "2026-01-31",
            },
            {
                "service_id": "s3",
                "referral_id": "y",
                "agency": "victim_support",
                "service_type": "emotional_support",
                "start_date": "2026-01-20",
            },
            {
                "service_id": "s4",
                "referral_id": "y",
                "agency": "victim_support",
                "service_type": "target_hardening",
                "start_date": "2026-02-10",
            },
        ],
    }
    result = core(tables, "2026-03-31")
    assert_row(result, "homes_made_safer", "2026-01-01", "ok", 1)  # x (first on 31 Jan)
    assert_row(result, "homes_made_safer", "2026-02-01", "ok", 1)  # y
    assert_row(result, "homes_made_safer", "2026-03-01", "ok", 0)
    del tables["services"]
    assert_row(core(tables, "2026-03-31"), "homes_made_safer", "2026-01-01", "no_data")


def revictimisation_tables():
    return {
        "victims": VICTIMS,
        "referrals": [
            referral("r1", "2026-01-10", victim_id="v1"),
            referral("r2", "2026-01-30", victim_id="v1"),
            referral("r3", "2026-01-20", victim_id="v2"),
            referral("r4", "2026-01-25", victim_id="v3"),
            referral("r5", "2026-02-10", victim_id="v2"),
        ],
        "repeat_crimes": [
            # same day as r1: not after the referral
            {
                "crime_ref": "c1",
                "victim_id": "v1",
                "crime_date": "2026-01-10",
                "crime_type": "theft",
            },
            # r1 + 365 days exactly (2027-01-10): a repeat for r1 and for r2
            {
                "crime_ref": "c2",
                "victim_id": "v1",
                "crime_date": "2027-01-10",
                "crime_type": "theft",
            },
            # r3 + 366 days: outside r3's window; inside r5's (2026-02-10 + 365 = 2027-02-10)
            {
                "crime_ref": "c3",
                "victim_id": "v2",
                "crime_date": "2027-01-21",
                "crime_type": "theft",
            },
            # the day before r4: not after the referral
            {
                "crime_ref": "c4",
                "victim_id": "v3",
                "crime_date": "2026-01-24",
                "crime_type": "theft",
            },
        ],
    }


def test_not_revictimised_12m_window_and_censoring_by_as_of_and_coverage():
    tables = revictimisation_tables()
    result = core(tables, "2027-03-31")
    # January: r3 and r4 spared, r1 and r2 repeated -> 2 / 4
    assert_row(result, "not_revictimised_12m", "2026-01-01", "ok", 2, 4)
    # February: 28 Feb + 365 = 2027-02-28 <= as-of; r5 repeated -> 0 / 1
    assert_row(result, "not_revictimised_12m", "2026-02-01", "ok", 0, 1)
    # March 2026: 31 Mar + 365 = 2027-03-31 <= as-of, nobody referred -> empty_base
    assert_row(result, "not_revictimised_12m", "2026-03-01", "empty_base")
    # April 2026: 30 Apr + 365 = 2027-04-30 > as-of
    assert_row(result, "not_revictimised_12m", "2026-04-01", "not_yet_measurable")

    covered = core(tables, "2027-03-31", coverage={"repeat_crimes": dt.date(2027, 2, 15)})
    # Jan: 2027-01-31 <= 2027-02-15 stays measurable; Feb: 2027-02-28 > coverage
    assert_row(covered, "not_revictimised_12m", "2026-01-01", "ok", 2, 4)
    assert_row(covered, "not_revictimised_12m", "2026-02-01", "not_yet_measurable")
    assert_row(covered, "not_revictimised_12m", "2026-03-01", "not_yet_measurable")

    del tables["repeat_crimes"]
    assert_row(core(tables, "2027-03-31"), "not_revictimised_12m", "2026-01-01", "no_data")


def health(referral_id, window, source="self_report", **contacts):
    row = {"referral_id": referral_id, "window": window, "source": source}
    row.update(
        {
            c: contacts.get(c)
            for c in (
                "gp_appointments",
                "ae_attendances",
                "mental_health_crisis_contacts",
                "ambulance_callouts",
                "nonelective_admissions",
            )
        }
    )
    return row


def nhs_tables():
    closed_may = {"closed_date": "2026-05-15", "closure_reason": "declined"}
    return {
        "victims": VICTIMS,
        "referrals": [
            referral(
                "n1", "2026-01-05", closed_date="2026-05-31", closure_reason="support_completed"
            ),
            referral("n2", "2026-01-06", **closed_may),
            referral("n3", "2026-01-07", **closed_may),
            referral("n4", "2026-01-08", **closed_may),
            referral("n5", "2026-01-09", **closed_may),
            referral(
                "n6", "2026-01-10", closed_date="2026-06-01", closure_reason="support_completed"
            ),
            referral(
                "n7", "2026-01-11", closed_date="2026-04-10", closure_reason="support_completed"
            ),
            referral("n8", "2026-01-12"),  # open: no cohort month
        ],
        "health_use": [
            # n1: crisis pre 2+1=3, post 0+1=1 -> in base, fewer.
            #     change gp 4-1 + ae 2-0 + mh 1-1 + amb 0-1 (+ nonel: post blank) = 4
            health(
                "n1",
                "pre_6m",
                gp_appointments=4,
                ae_attendances=2,
                mental_health_crisis_contacts=1,
                ambulance_callouts=0,
                nonelective_admissions=0,
            ),
            health(
                "n1",
                "post_6m",
                gp_appointments=1,
                ae_attendances=0,
                mental_health_crisis_contacts=1,
                ambulance_callouts=1,
            ),
            # n2: pre linked, post self-report -> not comparable, out of both
            health("n2", "pre_6m", "linked_record", ae_attendances=5, gp_appointments=2),
            health("n2", "post_6m", "self_report", ae_attendances=0, gp_appointments=0),
            # n3: crisis pre 0+0 = 0 -> not in the crisis base; change gp 5-2 + ae 0-1 + mh 0 = 2
            health(
                "n3",
                "pre_6m",
                "linked_record",
                gp_appointments=5,
                ae_attendances=0,
                mental_health_crisis_contacts=0,
            ),
            health(
                "n3",
                "post_6m",
                "linked_record",
                gp_appointments=2,
                ae_attendances=1,
                mental_health_crisis_contacts=0,
            ),
            # n4: only ae has both windows: pre 1, post 1 -> in base, not fewer; change 0
            health("n4", "pre_6m", ae_attendances=1),
            health("n4", "post_6m", ae_attendances=1, mental_health_crisis_contacts=3),
            # n5: no type valued in both windows -> in neither base
            health("n5", "pre_6m", mental_health_crisis_contacts=2),
            health("n5", "post_6m", ae_attendances=5),
            # n7: closed in April; no contact type valued in both windows -> nothing compared,
            #     not in either base
            health("n7", "pre_6m", gp_appointments=3),
            health("n7", "post_6m", ae_attendances=1),
            # n6: closed in June
            health("n6", "pre_6m", ae_attendances=1),
            health("n6", "post_6m", ae_attendances=0),
            # n8: open, post row ignored
            health("n8", "pre_6m", ae_attendances=3),
            health("n8", "post_6m", ae_attendances=0),
        ],
    }


def test_nhs_before_after_indicators_with_comparable_rows_and_null_rule():
    result = core(nhs_tables(), "2026-12-31", coverage={"health_use": dt.date(2026, 11, 30)})
    # May: 31 May + 6 months = 30 Nov <= coverage 30 Nov -> measurable
    assert_row(result, "fewer_crisis_contacts", "2026-05-01", "ok", 1, 2)  # n1 of n1, n4
    assert_row(result, "nhs_contacts_change", "2026-05-01", "ok", 6)  # n1 4 + n3 2 + n4 0
    # April: n7's rows compare nothing -> nobody in the base (not a change of 0)
    assert_row(result, "fewer_crisis_contacts", "2026-04-01", "empty_base")
    assert_row(result, "nhs_contacts_change", "2026-04-01", "empty_base")
    # June: 30 Jun + 6 months = 30 Dec > coverage 30 Nov -> not yet measurable
    assert_row(result, "fewer_crisis_contacts", "2026-06-01", "not_yet_measurable")
    assert_row(result, "nhs_contacts_change", "2026-06-01", "not_yet_measurable")

    # Without the coverage date June is measurable at 2026-12-31 (30 Dec <= 31 Dec):
    # n6 ae 1 -> 0: 1 / 1 fewer; change 1
    uncovered = core(nhs_tables(), "2026-12-31")
    assert_row(uncovered, "fewer_crisis_contacts", "2026-06-01", "ok", 1, 1)
    assert_row(uncovered, "nhs_contacts_change", "2026-06-01", "ok", 1)
    assert_row(uncovered, "nhs_contacts_change", "2026-07-01", "not_yet_measurable")


def test_no_data_takes_precedence_over_not_yet_measurable():
    tables = nhs_tables()
    del tables["health_use"]
    result = core(tables, "2026-12-31")
    for month in ("2026-05-01", "2026-12-01"):
        assert_row(result, "fewer_crisis_contacts", month, "no_data")
        assert_row(result, "nhs_contacts_change", month, "no_data")


def test_absent_optional_column_is_no_data_not_zero():
    tables = {"victims": VICTIMS, "referrals": [referral("r1", "2026-01-05")]}
    result = core(tables, "2026-01-31")
    assert_row(result, "first_contact_2wd", "2026-01-01", "no_data")
    assert_row(result, "referrals_received", "2026-01-01", "ok", 1)


def test_load_tables_from_warehouse_leaves_out_absent_tables_and_columns():
    con = duckdb.connect()
    tables = {
        "victims": VICTIMS,
        "referrals": [referral("r1", "2026-01-05", first_contact_date="2026-01-06")],
        "services": [],
    }
    load_raw(con, tables, "2026-01-31", coverage={"health_use": "2026-01-15"})
    loaded = load_tables_from_warehouse(con)
    assert set(loaded) == {"victims", "referrals", "services"}
    assert "first_contact_date" in loaded["referrals"].columns
    assert "closed_date" not in loaded["referrals"].columns  # no row mentions it
    assert len(loaded["services"]) == 0
    as_of, coverage = load_build_from_warehouse(con)
    assert as_of == dt.date(2026, 1, 31)
    assert coverage == {"health_use": dt.date(2026, 1, 15)}


def test_read_extract_parses_csv_text_the_contract_allows(tmp_path):
    from metrics.reference import read_extract
    from metrics.snapshot import locate

    (tmp_path / "victims.csv").write_text("\ufeffvictim_id,age_band\nv1,18-24\n", encoding="utf-8")
    (tmp_path / "referrals.csv").write_text(
        "referral_id,victim_id,crime_type,hate_crime,domestic_abuse,enhanced_rights,source,"
        "referral_date,first_contact_date,extra_column\r\n"
        "r1,v1,theft,no,N,TRUE,self,24/12/2026,2026-12-30 09:15:00,x\r\n"
        "r2,v1,theft,0,false,yes,self,2026-12-24,,y\r\n",
        encoding="utf-8",
    )
    tables = read_extract(locate(tmp_path, as_of="2026-12-31"))
    referrals = tables["referrals"]
    assert "extra_column" not in referrals.columns
    assert referrals["referral_date"].dt.date.tolist() == [dt.date(2026, 12, 24)] * 2
    assert referrals["first_contact_date"].iloc[0].date() == dt.date(2026, 12, 30)
    assert pd.isna(referrals["first_contact_date"].iloc[1])
    assert referrals["enhanced_rights"].tolist() == [True, True]
    assert referrals["hate_crime"].tolist() == [False, False]
    result = compute_core(tables, "2026-12-31", params=PARAMS).set_index(["indicator_id", "month"])
    # r1 contacted on its deadline (Wed 30 Dec); r2's deadline passed without contact -> 1 / 2
    assert_row(result, "first_contact_2wd", "2026-12-01", "ok", 1, 2)
    assert_row(result, "enhanced_rights_share", "2026-12-01", "ok", 2, 2)
