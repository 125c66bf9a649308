"""The wellbeing family model takes its indicators and their cohort months from the
catalogue: nothing in its SQL names an indicator, and changing the catalogue changes
what it emits."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

from metrics.catalogue import CATALOGUE_PATH, load_catalogue, read_catalogue
from metrics.models import run_models
from metrics.reference_data import write_reference
from tests.support import load_raw, referral, victim

WELLBEING_SQL = (
    Path(__file__).resolve().parent.parent / "sql" / "intermediate" / "family" / "int_family_wellbeing.sql"
)
OUTCOME_REFERRALS_SQL = WELLBEING_SQL.parent.parent / "outcome" / "int_outcome_referrals.sql"
AS_OF = "2026-11-30"


def _tables() -> dict[str, list[dict]]:
    # One referral, closed completed in March 2026, with its exit survey in April 2026
    # (family benefited: yes) and SWEMWBS 14 at intake and 24 at exit (a meaningful gain).
    return {
        "victims": [victim("V1")],
        "referrals": [
            referral("R1", "V1", "2026-01-05", closed_date="2026-03-20",
                     closure_reason="support_completed"),
        ],
        "assessments": [
            {"assessment_id": "A1", "referral_id": "R1", "assessment_date": "2026-01-10",
             "stage": "intake", "swemwbs": 14},
            {"assessment_id": "A2", "referral_id": "R1", "assessment_date": "2026-03-18",
             "stage": "exit", "swemwbs": 24},
        ],
        "exit_surveys": [
            {"referral_id": "R1", "survey_date": "2026-04-02", "family_benefited": "yes"},
        ],
    }


def _family_rows(catalogue_path: Path | None) -> dict[str, set[tuple[str, str]]]:
    con = duckdb.connect()
    load_raw(con, _tables(), AS_OF)
    write_reference(con, dt.date.fromisoformat(AS_OF))
    load_catalogue(con, catalogue_path)
    run_models(con)
    rows = con.execute(
        "select indicator_id, strftime(month, '%Y-%m'), agency from intermediate.int_family_wellbeing"
    ).fetchall()
    out: dict[str, set[tuple[str, str]]] = {}
    for indicator_id, month, agency in rows:
        out.setdefault(indicator_id, set()).add((month, agency))
    return out


def _catalogue_copy(tmp_path: Path, change) -> Path:
    with CATALOGUE_PATH.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        change(row)
    path = tmp_path / "indicator_catalogue.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_the_model_names_no_indicator():
    sql = WELLBEING_SQL.read_text(encoding="utf-8")
    for indicator_id in read_catalogue()["indicator_id"]:
        assert f"'{indicator_id}'" not in sql, indicator_id
        assert re.search(rf"\b{indicator_id}_(base|success)\b", sql) is None, indicator_id
    assert "ref.indicator_catalogue" in sql


def test_every_wellbeing_indicator_has_its_flags_in_the_outcome_model():
    catalogue = read_catalogue()
    outcome_sql = OUTCOME_REFERRALS_SQL.read_text(encoding="utf-8")
    wellbeing = catalogue.loc[catalogue["family"] == "wellbeing", "indicator_id"]
    assert len(wellbeing) == 11
    for indicator_id in wellbeing:
        assert f"as {indicator_id}_base" in outcome_sql, indicator_id
        assert f"as {indicator_id}_success" in outcome_sql, indicator_id


def test_shipped_catalogue_puts_each_indicator_on_its_cohort_month():
    rows = _family_rows(None)
    # family_benefited counts in the month of the survey, the others in the month closed.
    assert rows["family_benefited"] == {("2026-04", "all"), ("2026-04", "victim_support")}
    assert rows["wellbeing_gain_at_exit"] == {("2026-03", "all"), ("2026-03", "victim_support")}
    # only indicators of the wellbeing family, never the other outcome flags
    families = read_catalogue().set_index("indicator_id")["family"]
    assert {families[i] for i in rows} == {"wellbeing"}
    assert "not_revictimised_12m" not in rows


def test_changing_the_catalogue_changes_what_the_model_emits(tmp_path):
    def family_benefited_by_closed_month(row):
        if row["indicator_id"] == "family_benefited":
            row["cohort_month"] = "closed"

    def informed_out_of_the_family(row):
        if row["indicator_id"] == "wellbeing_gain_at_exit":
            row["family"] = "value"

    moved = _family_rows(_catalogue_copy(tmp_path, family_benefited_by_closed_month))
    assert moved["family_benefited"] == {("2026-03", "all"), ("2026-03", "victim_support")}

    dropped = _family_rows(_catalogue_copy(tmp_path, informed_out_of_the_family))
    assert "wellbeing_gain_at_exit" not in dropped


@pytest.mark.parametrize("value", ["closing", "Closed", "month"])
def test_catalogue_refuses_an_unknown_cohort_month(tmp_path, value):
    from metrics.catalogue import CatalogueError

    def bad(row):
        if row["indicator_id"] == "family_benefited":
            row["cohort_month"] = value

    with pytest.raises(CatalogueError, match="cohort_month"):
        read_catalogue(_catalogue_copy(tmp_path, bad))


def test_referral_cohort_operations_take_their_kind_from_the_catalogue(tmp_path):
    sql = (
        WELLBEING_SQL.parent.parent / "operations" / "int_operations_referral_cohort.sql"
    ).read_text(encoding="utf-8")
    for indicator_id in read_catalogue()["indicator_id"]:
        assert f"'{indicator_id}'" not in sql, indicator_id

    def rows_of(catalogue_path):
        con = duckdb.connect()
        load_raw(con, _tables(), AS_OF)
        write_reference(con, dt.date.fromisoformat(AS_OF))
        load_catalogue(con, catalogue_path)
        run_models(con)
        return {
            (indicator_id, month): (numerator, denominator)
            for indicator_id, month, numerator, denominator in con.execute(
                "select indicator_id, strftime(month, '%Y-%m'), numerator, denominator "
                "from intermediate.int_operations_referral_cohort where agency = 'all'"
            ).fetchall()
        }

    shipped = rows_of(None)
    # one referral in January 2026, closed completed: received 1 and completed 1 (counts)
    assert shipped[("referrals_received", "2026-01")] == (1.0, None)
    assert shipped[("referrals_completed", "2026-01")] == (1.0, None)
    assert shipped[("referrals_declined", "2026-01")] == (0.0, None)

    def completed_out_of_the_cohort(row):
        if row["indicator_id"] == "referrals_completed":
            row["cohort_month"] = "closed"

    moved = rows_of(_catalogue_copy(tmp_path, completed_out_of_the_cohort))
    assert ("referrals_completed", "2026-01") not in moved
    assert moved[("referrals_received", "2026-01")] == (1.0, None)
