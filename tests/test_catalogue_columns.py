"""The catalogue is the one source of truth for what the readers show beside an indicator:
its coverage indicator, benchmark, public label and why it sits in its dimension."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from dashboard.definitions import definitions_html
from dashboard.scorecard import _benchmark
from metrics.catalogue import CATALOGUE_PATH, CatalogueError, read_catalogue
from metrics.register import REGISTER_PATH


def _register_names() -> set[str]:
    with REGISTER_PATH.open(newline="", encoding="utf-8") as handle:
        return {row["name"] for row in csv.DictReader(handle)}


def _copy_with(tmp_path, indicator_id: str, **changes) -> str:
    with CATALOGUE_PATH.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["indicator_id"] == indicator_id:
            row.update(changes)
    path = tmp_path / "catalogue.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_follow_up_outcomes_name_their_coverage_indicator():
    catalogue = read_catalogue().set_index("indicator_id")
    coverage = catalogue["coverage_indicator"].dropna().to_dict()
    assert coverage == {
        "wellbeing_sustained_3_12m": "follow_up_coverage_3_12m",
        "back_to_daily_life_3_12m": "follow_up_coverage_3_12m",
        "wellbeing_gain_12m_plus": "follow_up_coverage_12m_plus",
        "feel_safe_12m_plus": "follow_up_coverage_12m_plus",
        "health_maintained_12m_plus": "follow_up_coverage_12m_plus",
    }


def test_every_benchmark_is_a_register_row():
    catalogue = read_catalogue()
    named = catalogue["benchmark_parameter"].dropna()
    assert list(named) == ["benchmark_helped_cope"]
    assert set(named) <= _register_names()


def test_every_dimensioned_indicator_says_why():
    catalogue = read_catalogue()
    dimensioned = catalogue[catalogue["dimension"].notna()]
    assert len(dimensioned) == 25
    assert dimensioned["dimension_why"].notna().all()


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"coverage_indicator": "no_such_indicator"}, "coverage_indicator"),
        ({"dimension_why": ""}, "dimension_why"),
        ({"benchmark_parameter": "benchmark_helped_cope", "benchmark_note": ""},
         "benchmark_parameter and benchmark_note"),
    ],
)
def test_catalogue_refuses_broken_reader_columns(tmp_path, changes, rule):
    path = _copy_with(tmp_path, "wellbeing_gain_at_exit", **changes)
    with pytest.raises(CatalogueError, match=rule):
        read_catalogue(path)


def test_scorecard_benchmark_comes_from_the_catalogue_row():
    params = pd.DataFrame([
        {"name": "benchmark_helped_cope", "central": 0.64, "source": "CSEW 2023"},
        {"name": "benchmark_helped_recover", "central": 0.5, "source": "CSEW 2023"},
    ])
    entry = {"indicator_id": "anything", "benchmark_parameter": "benchmark_helped_recover",
             "benchmark_note": "national share who said it helped them recover"}
    assert _benchmark(entry, params) == (
        "national share who said it helped them recover", 0.5, "CSEW 2023",
    )
    assert _benchmark({"indicator_id": "coped_better_at_exit", "benchmark_parameter": None},
                      params) is None


def test_methods_definitions_show_why_the_indicator_is_in_its_dimension():
    rows = pd.DataFrame([{
        "indicator_id": "family_benefited", "title": "Families", "definition": "Of surveys",
        "unit": "rate", "direction": "higher_is_better", "horizon": "short",
        "dimension": "public_sphere", "source": "spec",
        "dimension_why": "Benefit to the <family>",
    }])
    text = definitions_html(rows)
    assert "Why in this dimension:</em> Benefit to the &lt;family&gt;" in text



def test_record_flags_are_columns_of_the_marts_they_name():
    """Every outcome counted per record names flag columns that its mart has; the cohort
    month column follows from the catalogue's cohort_month."""
    from metrics.catalogue import COHORT_COLUMNS
    from metrics.cohorts import PERSON_OUTCOMES, REFERRAL_OUTCOMES
    from tests.support import referral, victim, warehouse_from_rows

    con = warehouse_from_rows(
        {"victims": [victim("V1")], "referrals": [referral("R1", "V1", "2026-01-05")]},
        "2026-11-30",
    )
    columns = {row[0] for row in con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'marts' and table_name = 'fct_referrals'").fetchall()}
    for indicator, (base, success, month) in REFERRAL_OUTCOMES.items():
        for flag in (base, success):
            assert flag == "true" or flag in columns, (indicator, flag)
        assert month in columns, (indicator, month)
    catalogue = read_catalogue().set_index("indicator_id")
    for indicator, (_base, _success, month) in PERSON_OUTCOMES.items():
        assert COHORT_COLUMNS[catalogue.loc[indicator, "cohort_month"]] == month
    assert PERSON_OUTCOMES["family_benefited"][2] == "survey_month"
    assert PERSON_OUTCOMES["agency_accepted_5wd"][2] == "sent_month"
    assert len(PERSON_OUTCOMES) == 19
