"""The data-access layer: read-only connection, bound filters, pooling over a period,
audience policy and disclosure control, on the hand-made warehouse of app_support."""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import pytest

from metrics import queries as q
from tests.app_support import CURRENT, MONTHS, write_mart_fixture

JAN, JUN = dt.date(2026, 1, 1), dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    # no public release: the public must get nothing from the marts
    return write_mart_fixture(tmp_path_factory.mktemp("marts") / "warehouse.duckdb",
                              release=False)


@pytest.fixture()
def con(db):
    connection = q.connect(db)
    yield connection
    connection.close()


def run(con, name, audience="manager", filters=None, **kwargs):
    return q.QUERIES[name].function(con, audience, filters or q.Filters(JAN, JUN), **kwargs)


def row(frame, **match):
    hit = frame
    for column, value in match.items():
        hit = hit[hit[column] == value]
    assert len(hit) == 1, f"expected one row for {match}, got {len(hit)}"
    return hit.iloc[0]


# --- connection -------------------------------------------------------------------------


def test_missing_warehouse_raises_warehouse_missing(tmp_path):
    with pytest.raises(q.WarehouseMissing):
        q.connect(tmp_path / "nothing.duckdb")


def test_connection_is_read_only_without_external_access(con, tmp_path):
    cur = q.cursor(con)
    with pytest.raises(duckdb.Error):
        cur.execute("create table meta.x (a int)")
    outside = tmp_path / "outside.csv"
    outside.write_text("a\n1\n")
    for statement in (
        f"select * from read_csv('{outside}')",
        f"copy meta.build to '{tmp_path / 'out.csv'}'",
        f"attach '{tmp_path / 'other.duckdb'}' as other",
        "set enable_external_access = true",
        "set threads = 8",
        "load httpfs",
        "detach warehouse",
    ):
        with pytest.raises(duckdb.Error):
            cur.execute(statement)
    assert not (tmp_path / "out.csv").exists()


def test_a_connection_opened_after_a_rebuild_reads_the_new_file(db, tmp_path):
    live = tmp_path / "live.duckdb"
    live.write_bytes(db.read_bytes())
    old = q.connect(live)
    fresh = tmp_path / "fresh.duckdb"
    fresh.write_bytes(db.read_bytes())
    writer = duckdb.connect(str(fresh))
    writer.execute("update meta.build set build_id = 'rebuilt'")
    writer.close()
    fresh.replace(live)  # the atomic swap a build does
    new = q.connect(live)
    try:
        assert run(new, "build_info")["build_id"].iloc[0] == "rebuilt"
        # the connection opened before keeps reading the file it opened
        assert run(old, "build_info")["build_id"].iloc[0] == "fixture0001"
    finally:
        old.close()
        new.close()


def test_stamp_changes_when_the_file_is_replaced(db, tmp_path):
    copy = tmp_path / "w.duckdb"
    copy.write_bytes(db.read_bytes())
    before = q.stamp(copy)
    replacement = tmp_path / "new.duckdb"
    replacement.write_bytes(db.read_bytes())
    replacement.replace(copy)  # what a rebuild does (os.replace)
    assert q.stamp(copy) is not None and q.stamp(copy) != before
    assert q.stamp(tmp_path / "absent.duckdb") is None


# --- pooling over a period ------------------------------------------------------------------


def test_rate_pools_numerators_and_denominators_of_measurable_months(con):
    summary = run(con, "indicator_summary")
    current = row(summary, indicator_id="coped_better_at_exit", bucket="current")
    # Jan-Jun 2026: five ok months of 8/10, March empty: 40 / 50 = 0.8
    assert current["status"] == "ok"
    assert (current["numerator"], current["denominator"]) == (40, 50)
    assert current["value"] == pytest.approx(0.8)
    assert (current["months"], current["months_ok"], current["months_empty_base"]) == (6, 5, 1)
    previous = row(summary, indicator_id="coped_better_at_exit", bucket="previous")
    # Jul-Dec 2025: six months of 6/10: 36 / 60 = 0.6
    assert previous["value"] == pytest.approx(0.6)


def test_counts_sum_money_sums_with_scenarios_and_stocks_take_the_last_month(con):
    summary = run(con, "indicator_summary")
    # homes made safer Jan-Jun: 1+2+3+4+5+6 = 21; Jul-Dec: 6 x 2 = 12
    assert row(summary, indicator_id="homes_made_safer", bucket="current")["value"] == 21
    assert row(summary, indicator_id="homes_made_safer", bucket="previous")["value"] == 12
    money = row(summary, indicator_id="wellbeing_social_value_gbp", bucket="current")
    # 6 x 1234.5 = 7407; low 6 x 617.25 = 3703.5; high 6 x 2469 = 14814
    assert money["value"] == pytest.approx(7407.0)
    assert money["value_low"] == pytest.approx(3703.5)
    assert money["value_high"] == pytest.approx(14814.0)
    # open cases are a month-end stock: June 2026 is month 11 -> 10 + 11 = 21, Dec 2025 -> 15
    assert row(summary, indicator_id="open_cases", bucket="current")["value"] == 21
    assert row(summary, indicator_id="open_cases", bucket="previous")["value"] == 15


def test_median_over_a_period_is_recomputed_from_the_agency_referrals(con):
    summary = run(con, "indicator_summary")
    # sent Jan-Jun 2026 with an assessment: 1, 2, 3, 10 working days -> median 2.5
    assert row(summary, indicator_id="assessment_to_agency_days", bucket="current")[
        "value"
    ] == pytest.approx(2.5)
    # Jul-Dec 2025: one agency referral, 4 days
    assert row(summary, indicator_id="assessment_to_agency_days", bucket="previous")[
        "value"
    ] == pytest.approx(4.0)


def test_statuses_stay_distinct_from_zero(con):
    summary = run(con, "indicator_summary")
    assert row(summary, indicator_id="family_benefited", bucket="current")["status"] == "no_data"
    nym = row(summary, indicator_id="wellbeing_sustained_3_12m", bucket="current")
    assert nym["status"] == "not_yet_measurable"
    assert math.isnan(nym["value"])
    lgbt = run(con, "indicator_summary", filters=q.Filters(JAN, JUN, "lgbt"))
    # a count month with nobody: ok and 0, not missing
    zero = row(lgbt, indicator_id="homes_made_safer", bucket="current")
    assert (zero["status"], zero["value"]) == ("ok", 0)


def test_agency_filter_is_a_bound_parameter(con):
    # a value that would break a query built by string concatenation finds nothing
    odd = run(con, "indicator_summary", filters=q.Filters(JAN, JUN, "x' or '1'='1"))
    assert set(odd["status"]) == {"no_data"} or odd.empty


def test_trend_has_one_row_per_month_up_to_the_period_end(con):
    trend = run(con, "indicator_trend", filters=q.Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 1)))
    rows = trend[trend["indicator_id"] == "coped_better_at_exit"]
    # July 2025 to March 2026: 9 months
    assert len(rows) == 9
    assert rows["period_start"].max().date() == dt.date(2026, 3, 1)


def test_by_agency_pools_each_agency(con):
    frame = run(con, "indicator_by_agency")
    lgbt = row(frame, indicator_id="coped_better_at_exit", agency="lgbt")
    # six months of 3/5: 18 / 30
    assert (lgbt["numerator"], lgbt["denominator"]) == (18, 30)


# --- audiences -------------------------------------------------------------------------------


def test_unknown_audience_is_refused(con):
    with pytest.raises(q.NotPermitted):
        run(con, "catalogue", audience="admin")


@pytest.mark.parametrize(
    "name", ["exceptions", "indicator_by_agency", "load_report", "valuation_inputs"]
)
def test_public_cannot_run_record_level_or_per_agency_queries(con, name):
    with pytest.raises(q.NotPermitted):
        run(con, name, audience="public")


def test_exception_lists_are_manager_only(con):
    with pytest.raises(q.NotPermitted):
        run(con, "exceptions", audience="pcc")


def test_public_refuses_months_years_and_filters_before_reading_anything(con):
    for filters in (
        q.Filters(dt.date(2026, 2, 1), dt.date(2026, 4, 1)),  # not a financial quarter
        q.Filters(dt.date(2025, 4, 1), dt.date(2026, 3, 1)),  # a year: quarters only
        q.Filters(dt.date(2026, 4, 1), dt.date(2026, 6, 1), "lgbt"),  # an agency
    ):
        for name in ("indicator_summary", "indicator_trend", "equity_reach"):
            with pytest.raises(q.NotPermitted):
                run(con, name, audience="public", filters=filters)


def test_public_reads_only_the_published_release(con):
    # This warehouse has marts but no published release: the public gets nothing from
    # the marts (the release step writes what the public may see; tests/test_published.py)
    quarter = q.Filters(dt.date(2026, 4, 1), dt.date(2026, 6, 1))
    for name in ("build_info", "catalogue", "parameters", "filter_options",
                 "indicator_summary", "indicator_trend", "equity_reach"):
        with pytest.raises(q.NotInWarehouse):
            run(con, name, audience="public", filters=quarter)
    assert run(con, "methods_notes", audience="public").empty
    with pytest.raises(q.NotPermitted):
        q.read.run(con, "filter_options", "public")  # a marts read, refused


def test_pcc_cuts_by_a_sensitive_agency_are_controlled(con):
    lgbt = run(con, "indicator_summary", audience="pcc", filters=q.Filters(JAN, JUN, "lgbt"))
    coped = row(lgbt, indicator_id="coped_better_at_exit", bucket="current")
    # 18 / 30 in a sensitive cut: 18 -> 20, 30 -> 30; 20 / 30
    assert (coped["numerator"], coped["denominator"]) == (20, 30)
    monthly = run(con, "indicator_trend", audience="pcc", filters=q.Filters(JAN, JUN, "lgbt"))
    june = row(monthly, indicator_id="coped_better_at_exit", period_start=dt.datetime(2026, 6, 1))
    # 3 / 5 in one month: 3 is fewer than 10 -> suppressed
    assert june["status"] == "suppressed" and june["suppressed"] == "fewer than 10"
    # a cut by a non-sensitive agency is shown as it is
    vs = run(con, "indicator_trend", audience="pcc", filters=q.Filters(JAN, JUN, "victim_support"))
    assert (
        row(vs, indicator_id="coped_better_at_exit", period_start=dt.datetime(2026, 6, 1))[
            "numerator"
        ]
        == 8
    )


def test_pcc_equity_counts_are_controlled_and_ratios_recomputed(con):
    reach = run(con, "equity_reach", audience="pcc")
    asian = row(reach, characteristic="ethnic_group", category="asian")
    assert asian["status"] == "suppressed" and math.isnan(asian["reach_ratio"])
    white = row(reach, characteristic="ethnic_group", category="white")
    # known total 4 + 12 + 46 = 62 -> 60; white 46 -> 45; comparison share 8000 / 10000
    # reach = (45 / 60) / 0.8 = 0.9375
    assert white["victims_referred"] == 45
    assert white["reach_ratio"] == pytest.approx(0.9375)
    manager = run(con, "equity_reach", audience="manager")
    assert row(manager, characteristic="ethnic_group", category="white")["victims_referred"] == 46


def test_equity_reads_the_last_month_of_the_period(con):
    may = run(con, "equity_reach", filters=q.Filters(dt.date(2026, 3, 1), dt.date(2026, 5, 1)))
    assert list(may["victims_referred"]) == [99]


# --- operations and data quality -------------------------------------------------------------


def test_exception_list_first_contact(con):
    listed = run(con, "exceptions", kind="first_contact")
    # not contacted, not closed, deadline before Tuesday 30 June 2026, in working days
    # after the deadline: r1 (Tue 6 Jan: 126 weekdays less 5 bank holidays, 121),
    # r2 (Wed 3 Jun: 19), r3 (Mon 29 Jun: 1)
    assert list(listed["referral_id"]) == ["r1", "r2", "r3"]
    assert list(listed["working_days_past_deadline"]) == [121, 19, 1]
    assert set(listed.columns) == {
        "referral_id",
        "responsible_agency",
        "start_date",
        "deadline_date",
        "working_days_past_deadline",
    }
    lgbt = run(con, "exceptions", filters=q.Filters(JAN, JUN, "lgbt"), kind="first_contact")
    assert list(lgbt["referral_id"]) == ["r3"]
    theft = run(
        con, "exceptions", filters=q.Filters(JAN, JUN, "all", "theft"), kind="first_contact"
    )
    assert list(theft["referral_id"]) == ["r2", "r3"]


def test_exception_lists_for_agency_referrals(con):
    pending = run(con, "exceptions", kind="agency_acceptance")
    # a2 pending, deadline Thu 9 April: 15 working days left in April, 19 in May
    # (two bank holidays), 22 in June = 56 working days
    assert list(pending["agency_referral_id"]) == ["a2"]
    assert list(pending["working_days_past_deadline"]) == [56]
    unseen = run(con, "exceptions", kind="mental_health_contact")
    # a4 to NHS mental health, not seen, deadline Mon 15 June: 11 working days
    assert list(unseen["agency_referral_id"]) == ["a4"]
    assert list(unseen["working_days_past_deadline"]) == [11]
    with pytest.raises(ValueError):
        run(con, "exceptions", kind="everything")


def test_completeness_counts_values_per_contract_column(con):
    complete = run(con, "completeness")
    crime_date = row(complete, table_name="referrals", column_name="crime_date")
    # 2 of the 4 loaded referrals have a crime date
    assert (crime_date["rows_loaded"], crime_date["rows_with_value"]) == (4, 2)
    assert crime_date["share_with_value"] == pytest.approx(0.5)


def test_missing_table_says_not_in_warehouse(con):
    with pytest.raises(q.NotInWarehouse):
        run(con, "valuation_inputs")


def test_every_registered_query_runs_for_each_audience_it_allows(con):
    # the public audience, which reads the published release, in tests/test_published.py
    filters = q.Filters(dt.date(2026, 4, 1), dt.date(2026, 6, 1))
    for audience in ("manager", "pcc"):
        results = q.run_all(con, audience, filters)
        allowed = {name for name, entry in q.QUERIES.items() if audience in entry.audiences}
        ran = {key.split("[")[0] for key in results}
        assert ran <= allowed
        assert "catalogue" in ran and "indicator_summary" in ran


def test_time_queries_reports_each_query(db):
    timings = q.time_queries(db, repeats=2)
    assert timings["indicator_summary"] and len(timings["indicator_summary"]) == 2
    assert all(v >= 0 for values in timings.values() for v in values)


def test_default_period_is_twelve_months_to_the_as_of_month(con):
    filters = q.typical_filters(con)
    assert (filters.first, filters.last) == (MONTHS[0], CURRENT[-1])


# --- on a warehouse built by the real models -------------------------------------------------


@pytest.fixture(scope="module")
def model_con(tmp_path_factory):
    from tests.app_support import write_model_fixture

    db = write_model_fixture(tmp_path_factory.mktemp("model") / "warehouse.duckdb")
    connection = q.connect(db)
    yield connection
    connection.close()


FEB = q.Filters(dt.date(2026, 2, 1), dt.date(2026, 2, 1))


def test_breakdown_by_enhanced_rights_and_crime_type(model_con):
    rights = run(model_con, "referral_breakdown", filters=FEB,
                 indicator="coped_better_at_exit", dimension="enhanced_rights")
    # February cohort: r2 has enhanced rights and did not cope better (3 -> 3): 0 of 1;
    # r1 (2 -> 4) and r3 (5 -> 5) have standard rights and did: 2 of 2
    assert (row(rights, category="true")["numerator"],
            row(rights, category="true")["denominator"]) == (0, 1)
    assert (row(rights, category="false")["numerator"],
            row(rights, category="false")["denominator"]) == (2, 2)
    crime = run(model_con, "referral_breakdown", filters=FEB,
                indicator="coped_better_at_exit", dimension="crime_type")
    # theft: r2 (no) and r3 (yes) -> 1 of 2; burglary: r1 -> 1 of 1
    assert row(crime, category="theft")["value"] == pytest.approx(0.5)
    assert row(crime, category="burglary_residential")["value"] == pytest.approx(1.0)
    homes = run(model_con, "referral_breakdown", filters=FEB,
                indicator="homes_made_safer", dimension="crime_type")
    assert list(homes["category"]) == ["burglary_residential"]
    assert list(homes["value"]) == [1]
    with pytest.raises(ValueError):
        run(model_con, "referral_breakdown", filters=FEB, indicator="coped_better_at_exit",
            dimension="victim_id")


def test_breakdown_for_pcc_controls_sensitive_categories_only(model_con):
    crime = run(model_con, "referral_breakdown", audience="pcc", filters=FEB,
                indicator="coped_better_at_exit", dimension="crime_type")
    # theft is not a sensitive cut: shown as it is (1 of 2)
    assert row(crime, category="theft")["denominator"] == 2
    rights = run(model_con, "referral_breakdown", audience="pcc",
                 filters=q.Filters(FEB.first, FEB.last, "lgbt"),
                 indicator="coped_better_at_exit", dimension="enhanced_rights")
    # the LGBT+ service is a sensitive agency: nobody involved -> no rows at all
    assert rights.empty


def test_score_changes_at_exit(model_con):
    changes = run(model_con, "score_changes", filters=FEB, measure="coping")
    exits = changes[changes["stage"] == "exit"]
    # r1 2 -> 4 (+2), r2 3 -> 3 (0), r3 5 -> 5 (0)
    assert dict(zip(exits["change"], exits["people"], strict=True)) == {0: 2, 2: 1}
    # means: intake (2 + 3 + 5) / 3, exit (4 + 3 + 5) / 3 = 4; 3 paired people
    assert exits["intake_mean"].iloc[0] == pytest.approx(10 / 3)
    assert exits["later_mean"].iloc[0] == pytest.approx(4.0)
    assert exits["paired"].iloc[0] == 3
    pcc = run(model_con, "score_changes", audience="pcc", filters=FEB, measure="coping")
    # counts of 1 to 7 people are suppressed for pcc; the means too (fewer than 30)
    assert pcc["people"].isna().all() and pcc["intake_mean"].isna().all()


def test_valuation_inputs_per_month(model_con):
    frame = run(model_con, "valuation_inputs", filters=FEB)
    def amount(component, item):
        return row(frame, component=component, item=item)["amount"]
    # life satisfaction +3 + 0 - 1 = +2 over 3 referrals
    assert amount("wellbeing", "life_satisfaction") == 2
    assert row(frame, component="wellbeing", item="life_satisfaction")["referrals"] == 3
    # r1: GP 4 before, 1 after, extrapolated to a year: 2 x 3 = 6
    assert amount("nhs", "gp_appointments") == 6
    assert amount("prevention", "burglary_residential") == 1
    assert amount("funding", "all") == 1000
    statuses = frame[frame["component"] == "status"]
    assert set(statuses["status"]) == {"ok"}
