"""Warehouses for the query and dashboard tests (no tests in this module).

`write_mart_fixture(path)` writes a small warehouse whose mart rows are written by hand,
so every figure the dashboard shows can be worked out on paper (the arithmetic is in the
tests). It has exactly the tables and columns the queries read (docs/architecture.md).

Months July 2025 to June 2026, as-of 2026-06-30.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from metrics.calendar import calendar_frame
from metrics.models import SQL_DIR

AS_OF = dt.date(2026, 6, 30)
MONTHS = [dt.date(2025 + (6 + i) // 12, (6 + i) % 12 + 1, 1) for i in range(12)]
CURRENT = MONTHS[6:]  # January to June 2026
PREVIOUS = MONTHS[:6]  # July to December 2025

CATALOGUE = [
    # indicator_id, title, theme, horizon, dimension, unit, direction, kind, agency rows
    (
        "coped_better_at_exit",
        "People who cope better by the end of support",
        "wellbeing",
        "short",
        "public_values",
        "rate",
        "higher_is_better",
        "rate",
        True,
    ),
    (
        "family_benefited",
        "Families who benefited from the support",
        "wellbeing",
        "short",
        "public_sphere",
        "rate",
        "higher_is_better",
        "rate",
        True,
    ),
    (
        "wellbeing_sustained_3_12m",
        "People whose wellbeing gain lasted 3 to 12 months after support",
        "wellbeing",
        "medium",
        "public_values",
        "rate",
        "higher_is_better",
        "rate",
        True,
    ),
    (
        "wellbeing_social_value_gbp",
        "Projected social value of wellbeing gained (GBP)",
        "wellbeing",
        "long",
        "public_sphere",
        "gbp",
        "higher_is_better",
        "money",
        False,
    ),
    (
        "homes_made_safer",
        "Homes made safer (target hardening)",
        "prevention",
        "short",
        "public_sphere",
        "count",
        "higher_is_better",
        "count",
        True,
    ),
    (
        "open_cases",
        "Cases open at the end of the month",
        "operations",
        "",
        "",
        "count",
        "neutral",
        "count",
        True,
    ),
    (
        "assessment_to_agency_days",
        "Working days from needs assessment to agency referral (median)",
        "operations",
        "",
        "",
        "median_working_days",
        "lower_is_better",
        "median",
        True,
    ),
    (
        "follow_up_coverage_3_12m",
        "Completed cases followed up 3 to 12 months after support",
        "operations",
        "",
        "",
        "rate",
        "higher_is_better",
        "rate",
        True,
    ),
]


def _monthly_rows() -> list[dict]:
    rows = []

    def add(
        indicator,
        month,
        agency="all",
        status="ok",
        numerator=None,
        denominator=None,
        value=None,
        low=None,
        high=None,
        persons=0,
    ):
        rows.append(
            {
                "indicator_id": indicator,
                "month": month,
                "agency": agency,
                "status": status,
                "numerator": numerator,
                "denominator": denominator,
                "value": value,
                "value_low": low,
                "value_high": high,
                "persons": persons,
            }
        )

    for month in PREVIOUS:
        add("coped_better_at_exit", month, numerator=6.0, denominator=10.0, value=0.6, persons=10)
        add(
            "coped_better_at_exit",
            month,
            "victim_support",
            numerator=6.0,
            denominator=10.0,
            value=0.6,
            persons=10,
        )
        add(
            "coped_better_at_exit",
            month,
            "lgbt",
            numerator=2.0,
            denominator=4.0,
            value=0.5,
            persons=4,
        )
    for month in CURRENT:
        if month == dt.date(2026, 3, 1):
            add("coped_better_at_exit", month, status="empty_base")
        else:
            add(
                "coped_better_at_exit",
                month,
                numerator=8.0,
                denominator=10.0,
                value=0.8,
                persons=10,
            )
        add(
            "coped_better_at_exit",
            month,
            "victim_support",
            numerator=8.0,
            denominator=10.0,
            value=0.8,
            persons=10,
        )
        add(
            "coped_better_at_exit",
            month,
            "lgbt",
            numerator=3.0,
            denominator=5.0,
            value=0.6,
            persons=5,
        )
    hardened = {
        **{m: 2.0 for m in PREVIOUS},
        **dict(zip(CURRENT, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], strict=True)),
    }
    for i, month in enumerate(MONTHS):
        for agency in ("all", "victim_support", "lgbt"):
            add("family_benefited", month, agency, status="no_data")
            add("wellbeing_sustained_3_12m", month, agency, status="not_yet_measurable")
            add("follow_up_coverage_3_12m", month, agency, status="not_yet_measurable")
        add(
            "wellbeing_social_value_gbp",
            month,
            numerator=1234.5,
            value=1234.5,
            low=617.25,
            high=2469.0,
            persons=3,
        )
        add(
            "homes_made_safer",
            month,
            numerator=hardened[month],
            value=hardened[month],
            persons=int(hardened[month]),
        )
        add(
            "homes_made_safer",
            month,
            "victim_support",
            numerator=hardened[month],
            value=hardened[month],
            persons=int(hardened[month]),
        )
        add("homes_made_safer", month, "lgbt", numerator=0.0, value=0.0, persons=0)
        add("open_cases", month, numerator=10.0 + i, value=10.0 + i, persons=10 + i)
        add(
            "open_cases",
            month,
            "victim_support",
            numerator=10.0 + i,
            value=10.0 + i,
            persons=10 + i,
        )
        add("open_cases", month, "lgbt", numerator=1.0, value=1.0, persons=1)
    for month, median, n in (
        (dt.date(2025, 8, 1), 4.0, 1.0),
        (dt.date(2026, 2, 1), 1.0, 1.0),
        (dt.date(2026, 4, 1), 2.0, 1.0),
        (dt.date(2026, 5, 1), 3.0, 1.0),
        (dt.date(2026, 6, 1), 10.0, 1.0),
    ):
        add(
            "assessment_to_agency_days",
            month,
            numerator=median,
            denominator=n,
            value=median,
            persons=1,
        )
    listed = {(r["indicator_id"], r["month"], r["agency"]) for r in rows}
    for month in MONTHS:
        for agency in ("all", "victim_support", "lgbt"):
            if ("assessment_to_agency_days", month, agency) not in listed:
                add("assessment_to_agency_days", month, agency, status="empty_base")
    return rows


def _fct_referrals_columns() -> list[tuple[str, str]]:
    """(name, type) of every column of marts.fct_referrals, from the real model."""
    from tests.support import warehouse_from_rows

    empty = warehouse_from_rows({}, "2026-12-31")
    try:
        return [(r[0], r[1]) for r in empty.execute("describe marts.fct_referrals").fetchall()]
    finally:
        empty.close()


def write_mart_fixture(path: Path, release: bool = True) -> Path:
    """Write the hand-made warehouse to `path` and return it; with `release`, an (empty)
    public release as a build writes one."""
    con = duckdb.connect(str(path))
    try:
        for schema in ("meta", "marts", "ref", "raw", "intermediate", "staging"):
            con.execute(f"create schema if not exists {schema}")
        con.execute(
            """
            create table meta.build as select
                'fixture0001'::varchar as build_id, date '2026-06-30' as as_of,
                'command line'::varchar as as_of_source, '2026-06'::varchar as period,
                'hand-made'::varchar as source_system,
                null::date as coverage_repeat_crimes, null::date as coverage_health_use,
                '2026/27'::varchar as price_base_year, '0.1.0'::varchar as hubvalue_version,
                timestamp '2026-07-01 09:00:00' as built_at
            """
        )
        catalogue = pd.DataFrame(
            [
                {
                    "indicator_id": c[0],
                    "title": c[1],
                    "theme": c[2],
                    "horizon": c[3],
                    "dimension": c[4],
                    "unit": c[5],
                    "direction": c[6],
                    "definition": f"Definition of {c[0]}.",
                    "source": "indicators.md",
                    "family": "fixture",
                    "has_agency_rows": c[8],
                    "kind": c[7],
                    "uses_parameters": c[7] == "money",
                }
                for c in CATALOGUE
            ]
        )
        monthly = pd.DataFrame(_monthly_rows())
        monthly["month"] = pd.to_datetime(monthly["month"]).dt.date
        for name, frame in (("indicator_catalogue", catalogue), ("indicator_monthly", monthly)):
            con.register("_frame", frame)
            con.execute(f"create table marts.{name} as select * from _frame")
            con.unregister("_frame")
        con.execute(
            """
            create or replace table marts.indicator_monthly as select
                indicator_id, cast(month as date) as month, agency, status,
                cast(numerator as double) as numerator,
                cast(denominator as double) as denominator, cast(value as double) as value,
                cast(value_low as double) as value_low, cast(value_high as double) as value_high,
                cast(persons as bigint) as persons
            from marts.indicator_monthly
            """
        )
        con.execute(
            """
            create table marts.equity_reach as
            select * from (values
                (date '2026-06-01', 'residents', 'ethnic_group', 'asian', 4, 1000,
                 0.6451612903, 0.25, 1.6, 'relative to residents, not victims'),
                (date '2026-06-01', 'residents', 'ethnic_group', 'black', 12, 1000,
                 1.935483871, 1.1, 3.2, 'relative to residents, not victims'),
                (date '2026-06-01', 'residents', 'ethnic_group', 'white', 46, 8000,
                 0.9274193548, 0.8, 1.0, 'relative to residents, not victims'),
                (date '2026-06-01', 'residents', 'gender', 'female', 30, 5000,
                 0.9677419355, 0.75, 1.2, 'relative to residents, not victims'),
                (date '2026-06-01', 'residents', 'gender', 'male', 32, 5000,
                 1.0322580645, 0.8, 1.25, 'relative to residents, not victims'),
                (date '2026-05-01', 'residents', 'gender', 'female', 99, 5000,
                 1.5, 1.2, 1.8, 'relative to residents, not victims')
            ) as t(month, basis, characteristic, category, victims_referred,
                   comparison_people, reach_ratio, ci_low, ci_high, basis_label)
            """
        )
        # working days (the overdue lists count them), over the fixture's years
        calendar = calendar_frame(dt.date(2025, 1, 1), dt.date(2027, 12, 31))
        con.register("_calendar", calendar)
        con.execute("create table ref.calendar as select * from _calendar")
        con.unregister("_calendar")
        con.execute(
            """
            create table ref.parameters as select * from (values
                ('benchmark_helped_cope', 0.6, 0.6, 0.6, 'share', '2018-19', '', 1.0,
                 'verified', 'MoJ victims statistics', ''),
                ('wellby_value_gbp', 10000.0, 13000.0, 16000.0, 'GBP per WELLBY', '2019',
                 '2026/27', 1.0, 'verified', 'HM Treasury wellbeing guidance', '')
            ) as t(name, low, central, high, unit, price_year, base_year, uprate_factor,
                   status, source, note)
            """
        )
        con.execute(
            """
            create table meta.load_report as select * from (values
                ('referrals', 'referrals.csv', 'utf-8', 120, 117, 3),
                ('victims', 'victims.csv', 'utf-8', 100, 100, 0)
            ) as t(table_name, file_name, encoding, rows_read, rows_loaded, rows_quarantined)
            """
        )
        con.execute(
            """
            create table meta.load_issues as select * from (values
                ('referrals', 'referrals.csv', 'quarantined', 'bad_date', 'referral_date', 2),
                ('referrals', 'referrals.csv', 'quarantined', 'orphan', null, 1),
                ('victims', 'victims.csv', 'code_unmapped', 'code_unmapped', 'ethnic_group', 4)
            ) as t(table_name, file_name, kind, rule, column_name, rows)
            """
        )
        con.execute(
            """
            create table marts.column_completeness as select
                table_name, column_name, rows_loaded::bigint as rows_loaded,
                rows_with_value::bigint as rows_with_value
            from (values
                ('referrals', 'referral_id', 4, 4),
                ('referrals', 'referral_date', 4, 4),
                ('referrals', 'crime_date', 4, 2)
            ) as t(table_name, column_name, rows_loaded, rows_with_value)
            """
        )
        con.execute(
            """
            create table meta.source_columns as select * from (values
                ('referrals', 'referral_id', true, true),
                ('referrals', 'referral_date', true, true),
                ('referrals', 'crime_date', true, true)
            ) as t(table_name, column_name, in_file, has_values)
            """
        )
        con.execute(
            """
            create table marts.agency_referrals as select * from (values
                ('a1', 'r1', 'victim_support', date '2026-02-02', date '2026-02-01', 1,
                 'accepted', date '2026-02-09', date '2026-02-16', null::date, null::date),
                ('a2', 'r2', 'victim_support', date '2026-04-02', date '2026-04-01', 2,
                 'pending', date '2026-04-09', date '2026-04-16', null::date, null::date),
                ('a3', 'r3', 'lgbt', date '2026-05-04', date '2026-05-01', 3, 'accepted',
                 date '2026-05-11', date '2026-05-18', null::date, null::date),
                ('a4', 'r4', 'nhs_mental_health', date '2026-06-01', date '2026-05-11', 10,
                 'accepted', date '2026-06-08', date '2026-06-15', null::date, null::date),
                ('a5', 'r1', 'victim_support', date '2025-08-04', date '2025-07-29', 4,
                 'accepted', date '2025-08-11', date '2025-08-18', date '2025-08-05',
                 null::date)
            ) as t(agency_referral_id, referral_id, agency, sent_date, assessment_date,
                   working_days_from_assessment, outcome, acceptance_deadline,
                   mh_contact_deadline, first_contact_date, ended_date)
            """
        )
        con.execute(
            """
            alter table marts.agency_referrals
            add column sent_month date
            """
        )
        con.execute(
            "update marts.agency_referrals "
            "set sent_month = date_trunc('month', sent_date)"
        )
        con.execute("alter table marts.agency_referrals add column victim_id varchar")
        con.execute("update marts.agency_referrals set victim_id = 'v' || substr(referral_id, 2)")
        # the working-together columns of the mart (no flow figures in this fixture)
        con.execute(
            "alter table marts.agency_referrals add column from_agency varchar "
            "default 'victim_support'"
        )
        for column, kind in (("area", "varchar"), ("outcome_date", "date"),
                             ("working_days_to_acceptance", "integer"),
                             ("working_days_to_first_contact", "integer"),
                             ("redirect_month", "date"), ("is_redirect_in_base", "boolean"),
                             ("is_redirect_resolved", "boolean")):
            con.execute(f"alter table marts.agency_referrals add column {column} {kind}")
        if release:
            from metrics.published import write_public_release

            # released before the referral facts below exist: an empty release, so the
            # public view opens
            write_public_release(con)
        con.execute(
            """
            create table _few_referrals as select * from (values
                ('r1', 'v1', 'burglary_residential', false, date '2026-01-02', null::date,
                 null::date, date '2026-01-06'),
                ('r2', 'v2', 'theft', true, date '2026-06-01', null::date, null::date,
                 date '2026-06-03'),
                ('r3', 'v3', 'theft', false, date '2026-06-25', null::date, null::date,
                 date '2026-06-29'),
                ('r4', 'v4', 'fraud', false, date '2026-04-05', date '2026-04-06',
                 null::date, date '2026-04-08')
            ) as t(referral_id, victim_id, crime_type, domestic_abuse, referral_date,
                   first_contact_date, closed_date, first_contact_deadline)
            """
        )
        # The real table's every column: the eight above, the agencies involved (every
        # referral involves victim_support; r3 also lgbt), the others NULL (what the
        # overdue-case lists read is all these marts give of referrals).
        given = {"referral_id", "victim_id", "crime_type", "domestic_abuse", "referral_date",
                 "first_contact_date", "closed_date", "first_contact_deadline"}
        involved = {"involves_victim_support": "true",
                    "involves_lgbt": "referral_id = 'r3'"}
        columns = ", ".join(
            name if name in given
            else f"{involved[name]} as {name}" if name in involved
            else f"false as {name}" if name.startswith("involves_")
            else f"null::{kind} as {name}"
            for name, kind in _fct_referrals_columns()
        )
        con.execute(f"create table marts.fct_referrals as select {columns} from _few_referrals")
        con.execute("drop table _few_referrals")
        # the overdue cases, as the build works them out from the marts above
        exceptions = (SQL_DIR / "marts" / "exceptions.sql").read_text(encoding="utf-8")
        con.execute(f"create table marts.exceptions as {exceptions}")
    finally:
        con.close()
    return path


# --- a warehouse built by the real models from hand-written rows --------------------------

MODEL_AS_OF = "2026-12-31"


def _victim(victim_id: str, **fields) -> dict:
    row = {
        "victim_id": victim_id,
        "age_band": "25-34",
        "gender": "female",
        "ethnic_group": "white",
        "disability": "no",
        "lgbt": "no",
    }
    return {**row, **fields}


def _referral(
    referral_id: str,
    victim_id: str,
    crime_type: str,
    referral_date: str,
    closed_date: str | None,
    enhanced_rights: bool = False,
) -> dict:
    return {
        "referral_id": referral_id,
        "victim_id": victim_id,
        "crime_type": crime_type,
        "hate_crime": False,
        "domestic_abuse": False,
        "enhanced_rights": enhanced_rights,
        "source": "self",
        "referral_date": referral_date,
        "first_contact_date": referral_date,
        "assessment_date": referral_date,
        "closed_date": closed_date,
        "closure_reason": "support_completed" if closed_date else None,
    }


def _scores(
    referral_id: str,
    exit_date: str,
    coping: tuple[int, int],
    life_satisfaction: tuple[int, int] | None = None,
) -> list[dict]:
    intake = {"coping": coping[0]}
    later = {"coping": coping[1]}
    if life_satisfaction is not None:
        intake["life_satisfaction"], later["life_satisfaction"] = life_satisfaction
    return [
        {
            "assessment_id": f"{referral_id}_in",
            "referral_id": referral_id,
            "stage": "intake",
            "assessment_date": "2026-01-20",
            **intake,
        },
        {
            "assessment_id": f"{referral_id}_ex",
            "referral_id": referral_id,
            "stage": "exit",
            "assessment_date": exit_date,
            **later,
        },
    ]


MODEL_TABLES = {
    "victims": [_victim("v1"), _victim("v2"), _victim("v3"), _victim("v4")],
    "referrals": [
        # closed February 2026: the coped-better cohort of February
        _referral("r1", "v1", "burglary_residential", "2026-01-05", "2026-02-10"),
        _referral("r2", "v2", "theft", "2026-01-12", "2026-02-20", enhanced_rights=True),
        _referral("r3", "v3", "theft", "2026-01-19", "2026-02-25"),
        # closed April 2026: the April cohort, one person
        _referral("r4", "v4", "fraud", "2026-02-02", "2026-04-15"),
    ],
    "assessments": [
        # coping: r1 rose (better), r2 same but not 5 (not better), r3 stayed at 5
        # (better), r4 fell (not better); life satisfaction: +3, 0, -1 (February: +2)
        *_scores("r1", "2026-02-10", (2, 4), (4, 7)),
        *_scores("r2", "2026-02-20", (3, 3), (5, 5)),
        *_scores("r3", "2026-02-25", (5, 5), (6, 5)),
        *_scores("r4", "2026-04-15", (4, 2)),
    ],
    "services": [
        {
            "service_id": "s1",
            "referral_id": "r1",
            "agency": "hate_crime",
            "service_type": "target_hardening",
            "start_date": "2026-02-05",
        },
        {
            "service_id": "s2",
            "referral_id": "r2",
            "agency": "victim_support",
            "service_type": "emotional_support",
            "start_date": "2026-01-15",
        },
    ],
    "health_use": [
        # r1: 4 GP appointments in the 6 months before, 1 in the 6 months after closure;
        # no 12-month record, so the first-year change is extrapolated: 2 x (4 - 1) = 6
        {"referral_id": "r1", "window": "pre_6m", "gp_appointments": 4, "source": "self_report"},
        {"referral_id": "r1", "window": "post_6m", "gp_appointments": 1, "source": "self_report"},
    ],
    "funding": [
        {"month": "2026-02", "agency": "victim_support", "amount_gbp": 1000.0},
    ],
}


def write_model_fixture(path: Path) -> Path:
    """Build a warehouse file at `path` with every SQL model, from MODEL_TABLES.

    Coped better at exit, whole hub (victim_support is in every referral too):
      February 2026: r1 (2 -> 4) and r3 (5 -> 5) of r1, r2, r3: 2 of 3;
      April 2026: r4 fell (4 -> 2): 0 of 1.
      hate_crime delivered a service to r1 only: February 1 of 1.
    Homes made safer: r1, target hardening started February 2026: 1.
    Value for money, February 2026: life satisfaction change +3 + 0 - 1 = +2; GP
    appointments first-year change 6 (r1); crime avoided for r1 (burglary); funding 1,000.
    """
    from metrics.catalogue import load_catalogue
    from metrics.models import run_models
    from metrics.published import write_public_release
    from metrics.reference_data import write_reference
    from tests.support import load_raw

    con = duckdb.connect(str(path))
    try:
        load_raw(con, MODEL_TABLES, MODEL_AS_OF)
        write_reference(con, dt.date.fromisoformat(MODEL_AS_OF))
        load_catalogue(con)
        run_models(con)
        write_public_release(con)  # the tables the public audience reads
        con.execute("checkpoint")
    finally:
        con.close()
    return path


APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


def open_page(monkeypatch, db: Path, page: str | None, audience: str = "manager",
              params: dict | None = None):
    """The dashboard on warehouse `db` for `audience`, run once with the query `params`,
    then switched to `views/<page>.py` unless `page` is None or the scorecard, the page it
    opens on (AppTest; Streamlit imported only when asked)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("HUBVALUE_DB", str(db))
    monkeypatch.setenv("HUBVALUE_AUDIENCE", audience)
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page and page != "scorecard":
        at.switch_page(f"views/{page}.py").run()
    return at
