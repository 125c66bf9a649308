"""The synthetic hub's collaboration (metrics.generator.partners): most cases stay with
the lead agency, a minority go to one or two partners, some agency referrals are declined
or redirected, and most redirects are picked up by another partner (no wrong door).
Bounds are tolerant: they catch a broken shape, not a tuned decimal. Checked from the
files alone."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from metrics.generate import generate

REFERRALS = 3000


@pytest.fixture(scope="module")
def con(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    out = tmp_path_factory.mktemp("together_extract")
    generate(out, REFERRALS, seed=11, end="2026-10", chunk_size=1000, quiet=True)
    con = duckdb.connect()
    for table in ("referrals", "agency_referrals", "victims"):
        literal = str(Path(out) / f"{table}.csv").replace("'", "''")
        con.execute(f"create table {table} as select * from read_csv('{literal}', header = true)")
    return con


def one(con, sql: str):
    return con.execute(sql).fetchone()[0]


def test_most_cases_stay_with_the_lead_agency(con):
    partners = con.execute(
        "select count(distinct agency) filter (where outcome = 'accepted') as n "
        "from referrals left join agency_referrals using (referral_id) group by referral_id"
    ).df()["n"]
    assert (partners == 0).mean() > 0.6
    assert 0.05 < (partners.between(1, 2)).mean() < 0.4
    assert (partners >= 3).mean() < 0.02


def test_some_agency_referrals_are_declined_or_redirected(con):
    outcomes = dict(con.execute(
        "select outcome, count(*) from agency_referrals group by 1").fetchall())
    total = sum(outcomes.values())
    assert 0.02 < outcomes["declined"] / total < 0.15
    assert 0.02 < outcomes["redirected"] / total < 0.15


def test_most_redirects_are_picked_up_by_another_agency(con):
    picked = one(con, """
        select avg((exists (
            select 1 from agency_referrals as other
            where other.referral_id = redirect.referral_id
                and other.agency != redirect.agency
                and other.outcome = 'accepted'
                and cast(other.outcome_date as date) >= cast(redirect.outcome_date as date)
        ))::int)
        from agency_referrals as redirect
        where redirect.outcome = 'redirected'
    """)
    assert 0.5 < picked < 0.95


def test_a_case_is_sent_to_each_agency_once(con):
    assert one(con, "select count(*) from (select referral_id, agency from agency_referrals "
                    "group by all having count(*) > 1)") == 0


def test_areas_differ_in_size(con):
    sizes = con.execute("select count(*) from victims where area is not null "
                        "group by area order by 1").df().iloc[:, 0]
    assert len(sizes) >= 10
    assert sizes.iloc[-1] > 3 * sizes.iloc[0]
