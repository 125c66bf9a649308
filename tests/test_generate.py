"""The synthetic hub generator: contract conformance, determinism, formats and realism.

Conformance is checked from the files alone, read as text with DuckDB, against the rules of
the written contract (codes from ``metrics.contract``), never against generator internals.
Realism bounds are deliberately tolerant: they catch a broken shape, not a tuned decimal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from metrics import calendar, contract
from metrics.generate import generate
from metrics.generator.period import ExtractSpan

END = "2026-10"
AS_OF = "2026-10-31"
REPEAT_COVERAGE = "2026-10-15"
HEALTH_COVERAGE = "2026-09-30"
REFERRALS = 3000
SEED = 7
CHUNK = 1000  # three chunks, so ids and victims must stay unique across chunks


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("extract")
    summary = generate(out, REFERRALS, seed=SEED, end=END, chunk_size=CHUNK, quiet=True)
    return out, summary


@pytest.fixture(scope="module")
def extract(generated) -> Path:
    return generated[0]


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        return handle.readline().rstrip("\n").split(",")


@pytest.fixture(scope="module")
def con(extract):
    """``text_<table>``: the CSV as text; ``<table>``: the same cast to contract types."""
    con = duckdb.connect()
    con.register("working_days", calendar.calendar_frame())
    for table in contract.TABLES:
        path = extract / f"{table.name}.csv"
        literal = str(path).replace("'", "''")
        con.execute(
            f"create table text_{table.name} as "
            f"select * from read_csv('{literal}', all_varchar = true, header = true)"
        )
        casts = ", ".join(
            f'try_cast("{name}" as {contract.DUCKDB_TYPES[table.column(name).type]}) as "{name}"'
            for name in _header(path)
        )
        con.execute(f"create table {table.name} as select {casts} from text_{table.name}")
    return con


def one(con, sql: str):
    return con.execute(sql).fetchone()[0]


def share(con, sql: str) -> float:
    """``sql`` selects one boolean per row; the share that is true."""
    return one(con, f"select avg(flag::int) from ({sql}) as t(flag)")


# ---- files -----------------------------------------------------------------------------------


def test_every_table_and_the_manifest_are_written(extract, generated):
    names = {p.name for p in extract.iterdir()}
    assert names == {f"{t}.csv" for t in contract.TABLE_NAMES} | {"manifest.json"}
    manifest = json.loads((extract / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == {
        "as_of": AS_OF,
        "period": END,
        "source_system": "hubvalue synthetic generator",
        "date_format": "iso",
        "coverage": {"repeat_crimes": REPEAT_COVERAGE, "health_use": HEALTH_COVERAGE},
    }
    summary = generated[1]
    assert summary.as_of == dt.date(2026, 10, 31)
    assert summary.period == END


def test_summary_counts_the_rows_in_each_file(extract, generated):
    summary = generated[1]
    for table in contract.TABLE_NAMES:
        lines = (extract / f"{table}.csv").read_bytes().count(b"\n")
        assert summary.rows[table] == lines - 1, table  # minus the header
    assert summary.rows["referrals"] == REFERRALS
    assert summary.bytes_written == sum(p.stat().st_size for p in extract.iterdir())
    assert any("referrals 3,000" in line for line in summary.lines())


def test_csv_files_are_utf8_with_lf_line_ends_and_no_quoting(extract):
    for table in contract.TABLE_NAMES:
        data = (extract / f"{table}.csv").read_bytes()
        data.decode("utf-8")
        assert b"\r" not in data, table
        assert b'"' not in data, table
        assert data.endswith(b"\n"), table


def test_headers_hold_every_required_column_in_contract_order(extract):
    for table in contract.TABLES:
        header = _header(extract / f"{table.name}.csv")
        assert set(table.header_columns) <= set(header), table.name
        order = [c for c in table.column_names if c in header]
        assert header == order, table.name


# ---- values ----------------------------------------------------------------------------------


def test_values_parse_as_their_contract_types(con, extract):
    for table in contract.TABLES:
        for name in _header(extract / f"{table.name}.csv"):
            kind = table.column(name).type
            where = f'"{name}" is not null'
            if kind == "date":
                where += f""" and not regexp_full_match("{name}", '\\d{{4}}-\\d{{2}}-\\d{{2}}')"""
            elif kind == "bool":
                where += f""" and "{name}" not in ('true', 'false')"""
            elif kind == "int":
                where += f""" and not regexp_full_match("{name}", '-?\\d+')"""
            elif kind == "month":
                where += f""" and not regexp_full_match("{name}", '\\d{{4}}-\\d{{2}}')"""
            else:
                duck = contract.DUCKDB_TYPES[kind]
                where += f""" and try_cast("{name}" as {duck}) is null"""
            bad = one(con, f"select count(*) from text_{table.name} where {where}")
            assert bad == 0, f"{table.name}.{name}"
        # and nothing failed the typed cast either
        for name in _header(extract / f"{table.name}.csv"):
            lost = one(
                con,
                f"select count(*) from text_{table.name} as t "
                f'positional join {table.name} as c where t."{name}" is not null '
                f'and c."{name}" is null',
            )
            assert lost == 0, f"{table.name}.{name}"


def test_codes_come_from_the_contract_lists(con, extract):
    checked = 0
    for table in contract.TABLES:
        for name in _header(extract / f"{table.name}.csv"):
            codes = table.column(name).codes
            if codes is None:
                continue
            found = {
                row[0]
                for row in con.execute(f'select distinct "{name}" from {table.name}').fetchall()
            }
            assert found - {None} <= set(codes), f"{table.name}.{name}"
            checked += 1
    assert checked >= 20


def test_required_values_are_present(con, extract):
    for table in contract.TABLES:
        for column in table.columns:
            if column.required:
                missing = one(
                    con, f'select count(*) from {table.name} where "{column.name}" is null'
                )
                assert missing == 0, f"{table.name}.{column.name}"


def test_keys_are_unique(con):
    for table in contract.TABLES:
        key = ", ".join(f'"{c}"' for c in table.key)
        duplicated = one(
            con,
            f"select count(*) from (select {key} from {table.name} "
            "group by all having count(*) > 1)",
        )
        assert duplicated == 0, table.name


def test_every_parent_row_exists(con):
    for table in contract.TABLES:
        for column, parent, parent_column in table.parents:
            orphans = one(
                con,
                f"select count(*) from {table.name} as c anti join {parent} as p "
                f'on c."{column}" = p."{parent_column}"',
            )
            assert orphans == 0, f"{table.name}.{column}"


def test_no_date_is_after_the_as_of_date(con, extract):
    checked = 0
    for table in contract.TABLES:
        for name in _header(extract / f"{table.name}.csv"):
            if table.column(name).type == "date":
                late = one(
                    con, f"select count(*) from {table.name} where \"{name}\" > date '{AS_OF}'"
                )
                assert late == 0, f"{table.name}.{name}"
                checked += 1
    # referrals 7, agency_referrals 4, services 2, assessments, repeat_crimes, exit_surveys 1
    assert checked == 16
    assert one(con, "select max(month) from funding") == END


def test_repeat_crimes_stop_at_the_police_coverage_date(con):
    assert one(con, "select max(crime_date) from repeat_crimes") <= dt.date(2026, 10, 15)


def test_dates_follow_the_contract_order(con, extract):
    pairs = [
        (table.name, column.name, column.not_before)
        for table in contract.TABLES
        for column in table.columns
        if column.not_before
    ]
    assert len(pairs) >= 8
    for table, later, earlier in pairs:
        wrong = one(con, f'select count(*) from {table} where "{later}" < "{earlier}"')
        assert wrong == 0, f"{table}.{later} before {earlier}"
    # rules the contract states in words
    sent_early = one(
        con,
        "select count(*) from agency_referrals a join referrals r using (referral_id) "
        "where a.sent_date < r.referral_date",
    )
    assert sent_early == 0


def test_closure_reason_is_present_if_and_only_if_closed_date_is(con):
    mismatched = one(
        con,
        "select count(*) from referrals where (closed_date is null) <> (closure_reason is null)",
    )
    assert mismatched == 0
    assert one(con, "select count(*) from referrals where closed_date is null") > 0


def test_outcome_date_is_missing_only_for_pending_agency_referrals(con):
    wrong = one(
        con,
        "select count(*) from agency_referrals "
        "where (outcome = 'pending') <> (outcome_date is null)",
    )
    assert wrong == 0


def test_numbers_stay_in_their_contract_ranges(con, extract):
    checked = 0
    for table in contract.TABLES:
        header = _header(extract / f"{table.name}.csv")
        for column in table.columns:
            if column.name not in header:
                continue
            for bound, op in ((column.minimum, "<"), (column.maximum, ">")):
                if bound is not None:
                    wrong = one(
                        con, f'select count(*) from {table.name} where "{column.name}" {op} {bound}'
                    )
                    assert wrong == 0, f"{table.name}.{column.name}"
                    checked += 1
    assert checked >= 20
    assert one(con, "select count(*) from exit_surveys where goals_achieved > goals_set") == 0


def test_at_most_one_intake_and_one_exit_per_referral(con):
    repeated = one(
        con,
        "select count(*) from (select referral_id, stage from assessments "
        "where stage in ('intake', 'exit') group by all having count(*) > 1)",
    )
    assert repeated == 0


def test_nothing_after_closure_exists_for_open_cases(con):
    exits_of_open = one(
        con,
        "select count(*) from assessments a join referrals r using (referral_id) "
        "where a.stage in ('exit', 'follow_up') and r.closed_date is null",
    )
    surveys_of_open = one(
        con,
        "select count(*) from exit_surveys join referrals using (referral_id) "
        "where closed_date is null",
    )
    follow_up_early = one(
        con,
        "select count(*) from assessments a join referrals r using (referral_id) "
        "where a.stage = 'follow_up' and a.assessment_date <= r.closed_date",
    )
    assert (exits_of_open, surveys_of_open, follow_up_early) == (0, 0, 0)


def test_population_covers_every_known_category_on_both_bases(con):
    rows = set(con.execute("select basis, characteristic, category from population").fetchall())
    expected = {
        (basis, characteristic, category)
        for basis in contract.POPULATION_BASES
        for characteristic, codes in contract.CHARACTERISTICS.items()
        for category in codes
        if category != "unknown"
    }
    # 2 bases x (8 age bands + 4 genders + 5 ethnic groups + 2 + 2) = 2 x 21 = 42 rows
    assert len(expected) == 42
    assert rows == expected
    assert one(con, "select min(people) from population") > 0


def test_funding_has_every_month_and_agency_at_a_plausible_level(con):
    # 24 months (2024-11 .. 2026-10) x 7 agencies = 168 rows
    assert one(con, "select count(*) from funding") == 168
    assert one(con, "select min(month) from funding") == "2024-11"
    # about 55 GBP per referral, each year's grant 0.95..1.08 of that, some March top-ups
    per_referral = one(con, "select sum(amount_gbp) from funding") / REFERRALS
    assert 45 < per_referral < 70


# ---- the shape of a real hub -----------------------------------------------------------------


def test_crime_mix_and_flags_look_like_a_hub(con):
    violence = share(
        con,
        "select crime_type in ('violence_with_injury', 'violence_without_injury') from referrals",
    )
    assert 0.25 < violence < 0.45
    assert share(con, "select domestic_abuse from referrals") == pytest.approx(0.22, abs=0.05)
    assert share(con, "select hate_crime from referrals") == pytest.approx(0.05, abs=0.025)
    assert share(con, "select enhanced_rights from referrals") == pytest.approx(0.30, abs=0.08)
    assert share(con, "select source = 'police' from referrals") > 0.65
    types = one(con, "select count(distinct crime_type) from referrals")
    assert types == len(contract.CRIME_TYPES)


def test_closure_reasons_are_mostly_completed(con):
    closed = (
        "select closure_reason = 'support_completed' from referrals where closed_date is not null"
    )
    assert 0.5 < share(con, closed) < 0.72
    reasons = {
        r[0] for r in con.execute("select distinct closure_reason from referrals").fetchall()
    }
    assert set(contract.CLOSURE_REASONS) <= reasons


def test_some_victims_are_referred_more_than_once(con):
    repeat = share(con, "select count(*) > 1 from referrals group by victim_id")
    assert 0.04 < repeat < 0.2


def test_monthly_volume_is_roughly_flat(con):
    counts = [
        r[0]
        for r in con.execute(
            "select count(*) from referrals group by date_trunc('month', referral_date)"
        ).fetchall()
    ]
    mean = REFERRALS / 24  # 125 a month
    assert len(counts) == 24
    assert min(counts) > 0.6 * mean and max(counts) < 1.4 * mean


def test_open_cases_are_the_recent_ones(con):
    early_open = share(
        con, "select closed_date is null from referrals where referral_date < date '2025-11-01'"
    )
    last_month_open = share(
        con, "select closed_date is null from referrals where referral_date >= date '2026-10-01'"
    )
    assert early_open < 0.02
    assert last_month_open > 0.5


def test_partner_agencies_take_their_own_caseloads(con):
    def outside(agency: str, condition: str) -> int:
        return one(
            con,
            "select count(*) from agency_referrals a join referrals r using (referral_id) "
            f"join victims v using (victim_id) where a.agency = '{agency}' and not ({condition})",
        )

    assert outside("hate_crime", "r.hate_crime") == 0
    assert outside("older_people", "v.age_band in ('65-74', '75+')") == 0
    assert outside("young_people", "v.age_band in ('0-17', '18-24')") == 0
    assert outside("lgbt", "v.lgbt = 'yes'") == 0
    assert outside("witness_care", "r.reported_date is not null") == 0
    assert one(con, "select count(*) from agency_referrals where agency = 'victim_support'") == 0
    mental_health = share(
        con,
        "select referral_id in (select referral_id from agency_referrals "
        "where agency = 'nhs_mental_health') from referrals",
    )
    assert 0.005 < mental_health < 0.15
    agencies = {
        r[0] for r in con.execute("select distinct agency from agency_referrals").fetchall()
    }
    assert agencies == set(contract.AGENCIES) - {"victim_support"}


def test_police_referrals_sometimes_miss_two_working_days(con):
    # deadline: the 2nd working day after the later of reported and consent dates
    on_time = share(
        con,
        """
        select r.referral_date <= deadline.calendar_date
        from referrals as r
        join working_days as start
            on start.calendar_date = greatest(
                r.reported_date, coalesce(r.consent_date, r.reported_date)
            )
        join working_days as deadline
            on deadline.is_working_day
            and deadline.working_day_number = start.working_day_number + 2
        where r.source = 'police'
        """,
    )
    assert 0.6 < on_time < 0.97


def test_consent_dates_only_where_police_needed_consent(con):
    wrong = one(
        con,
        "select count(*) from referrals where consent_date is not null and not "
        "(source = 'police' and (domestic_abuse or crime_type = 'sexual_offence'))",
    )
    assert wrong == 0
    recorded = share(
        con,
        "select consent_date is not null from referrals "
        "where source = 'police' and (domestic_abuse or crime_type = 'sexual_offence')",
    )
    assert recorded > 0.8


def test_completed_cases_improve_more_often_than_declined_ones(con):
    def gained(reason: str) -> float:
        return share(
            con,
            f"""
            select e.swemwbs - i.swemwbs >= 3
            from assessments as i
            join assessments as e using (referral_id)
            join referrals as r using (referral_id)
            where i.stage = 'intake' and e.stage = 'exit' and r.closure_reason = '{reason}'
                and i.swemwbs is not null and e.swemwbs is not null
            """,
        )

    completed, declined = gained("support_completed"), gained("declined")
    assert completed > declined + 0.1
    assert 0.35 < completed < 0.8


def test_most_people_do_not_answer_a_twelve_month_follow_up(con):
    complete_cohort = one(
        con,
        "select count(*) from referrals where closure_reason = 'support_completed' "
        f"and closed_date + 730 <= date '{AS_OF}'",
    )
    assert complete_cohort == 0  # a 24-month extract has no cohort with a complete long window
    answered = share(
        con,
        f"""
        select exists (
            select 1 from assessments as a
            where a.referral_id = r.referral_id and a.stage = 'follow_up'
                and a.assessment_date - r.closed_date between 365 and 729
        )
        from referrals as r
        where r.closure_reason = 'support_completed' and r.closed_date + 450 <= date '{AS_OF}'
        """,
    )
    assert 0.02 < answered < 0.5
    medium = share(
        con,
        f"""
        select exists (
            select 1 from assessments as a
            where a.referral_id = r.referral_id and a.stage = 'follow_up'
                and a.assessment_date - r.closed_date between 90 and 364
        )
        from referrals as r
        where r.closure_reason = 'support_completed' and r.closed_date + 365 <= date '{AS_OF}'
        """,
    )
    assert answered < medium < 0.5


def test_about_half_of_burglary_victims_get_target_hardening_with_a_cost(con):
    hardened = share(
        con,
        "select referral_id in (select referral_id from services "
        "where service_type = 'target_hardening') from referrals "
        "where crime_type = 'burglary_residential' and referral_date < date '2026-09-01'",
    )
    assert 0.35 < hardened < 0.65
    costed = share(con, "select cost_gbp > 0 from services where service_type = 'target_hardening'")
    assert costed == 1.0


def test_nhs_use_falls_back_after_the_crisis(con):
    def mean_gp(window: str) -> float:
        return one(
            con, f"select avg(gp_appointments) from health_use where \"window\" = '{window}'"
        )

    assert mean_gp("post_6m") < mean_gp("pre_6m")
    sources = one(con, "select count(distinct source) from health_use")
    assert sources == 2
    mixed = share(con, "select count(distinct source) > 1 from health_use group by referral_id")
    assert 0.01 < mixed < 0.35
    missing = one(con, "select count(*) from health_use where ambulance_callouts is null")
    assert missing > 0


def test_repeat_crimes_are_more_likely_after_domestic_abuse(con):
    def repeat_rate(domestic: bool) -> float:
        return share(
            con,
            f"""
            select exists (
                select 1 from repeat_crimes as c
                where c.victim_id = r.victim_id
                    and c.crime_date > r.referral_date and c.crime_date <= r.referral_date + 365
            )
            from referrals as r
            where r.domestic_abuse = {str(domestic).lower()}
                and r.referral_date + 365 <= date '{REPEAT_COVERAGE}'
            """,
        )

    assert repeat_rate(True) > repeat_rate(False) + 0.05
    assert 0.05 < repeat_rate(False) < 0.3


def test_most_completed_cases_leave_an_exit_survey(con):
    surveyed = share(
        con,
        "select referral_id in (select referral_id from exit_surveys) from referrals "
        "where closure_reason = 'support_completed' and closed_date < date '2026-09-01'",
    )
    assert 0.5 < surveyed < 0.85


def test_some_demographics_are_unknown(con):
    for column in ("age_band", "gender", "ethnic_group", "disability", "lgbt"):
        unknown = share(con, f"select {column} = 'unknown' from victims")
        assert 0 < unknown < 0.3, column


# ---- determinism, formats and arguments -------------------------------------------------------


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_and_arguments_give_the_same_bytes(tmp_path):
    for name in ("a", "b"):
        generate(tmp_path / name, 500, seed=3, end=END, months=12, chunk_size=200, quiet=True)
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    generate(tmp_path / "c", 500, seed=4, end=END, months=12, chunk_size=200, quiet=True)
    other = _digests(tmp_path / "c")
    assert other["referrals.csv"] != _digests(tmp_path / "a")["referrals.csv"]
    for name in ("pa", "pb"):
        generate(tmp_path / name, 200, seed=3, end=END, months=6, fmt="parquet", quiet=True)
    assert _digests(tmp_path / "pa") == _digests(tmp_path / "pb")


def test_parquet_holds_the_same_rows_with_typed_columns(tmp_path, extract, generated):
    out = tmp_path / "parquet"
    summary = generate(
        out, REFERRALS, seed=SEED, end=END, chunk_size=CHUNK, fmt="parquet", quiet=True
    )
    assert summary.rows == generated[1].rows
    assert {p.name for p in out.iterdir()} == {f"{t}.parquet" for t in contract.TABLE_NAMES} | {
        "manifest.json"
    }
    referrals = pq.read_schema(out / "referrals.parquet")
    assert referrals.field("referral_date").type == pa.date32()
    assert referrals.field("hate_crime").type == pa.bool_()
    assert referrals.field("referral_id").type == pa.string()
    assessments = pq.read_schema(out / "assessments.parquet")
    assert assessments.field("swemwbs").type == pa.int32()
    assert pq.read_schema(out / "services.parquet").field("cost_gbp").type == pa.float64()
    check = duckdb.connect()
    for table in ("referrals", "assessments", "services"):
        csv_path = str(extract / f"{table}.csv")
        parquet_path = str(out / f"{table}.parquet")
        types = ", ".join(
            f"'{c}': '{contract.DUCKDB_TYPES[contract.TABLES_BY_NAME[table].column(c).type]}'"
            for c in _header(extract / f"{table}.csv")
        )
        differing = one(
            check,
            f"select count(*) from (select * from read_csv('{csv_path}', header = true, "
            f"columns = {{{types}}}) except all select * from read_parquet('{parquet_path}'))",
        )
        assert differing == 0, table


def test_a_new_extract_replaces_the_previous_one(tmp_path):
    generate(tmp_path, 50, end=END, months=3, quiet=True)
    generate(tmp_path, 50, end=END, months=3, fmt="parquet", quiet=True)
    assert not list(tmp_path.glob("*.csv"))
    assert len(list(tmp_path.glob("*.parquet"))) == len(contract.TABLE_NAMES)


def test_progress_is_reported_per_chunk_unless_quiet(tmp_path):
    messages: list[str] = []
    generate(tmp_path / "a", 500, end=END, months=6, chunk_size=200, progress=messages.append)
    assert len(messages) == 3  # 500 referrals in chunks of 200: 200, 200, 100
    assert "500 of 500" in messages[-1]
    quiet: list[str] = []
    generate(
        tmp_path / "b", 500, end=END, months=6, chunk_size=200, progress=quiet.append, quiet=True
    )
    assert quiet == []


def test_default_end_is_the_month_before_today():
    period = ExtractSpan.from_arguments(None, 24, today=dt.date(2026, 11, 14))
    assert period.as_of == dt.date(2026, 10, 31)
    assert period.first_day == dt.date(2024, 11, 1)  # 24 months: 2024-11 .. 2026-10
    assert period.repeat_crimes_coverage == dt.date(2026, 10, 15)
    assert period.health_use_coverage == dt.date(2026, 9, 30)


@pytest.mark.parametrize(
    "arguments",
    [
        {"referrals": 0},
        {"referrals": 10, "fmt": "xlsx"},
        {"referrals": 10, "end": "2026-13"},
        {"referrals": 10, "end": "26-10"},
        {"referrals": 10, "months": 0},
    ],
)
def test_bad_arguments_are_refused(tmp_path, arguments):
    with pytest.raises(ValueError):
        generate(tmp_path, **arguments)


# ---- the product's own ingestion ------------------------------------------------------------


def test_ingestion_loads_every_generated_row(extract, generated):
    from metrics.ingest import ingest
    from metrics.snapshot import locate

    check = duckdb.connect()
    check.execute("create schema quarantine")
    result = ingest(check, locate(extract))
    assert result.report.rows_quarantined == 0
    assert result.report.rows_read == sum(generated[1].rows.values())
