"""Thresholds come from the register, the annuity is one rule in SQL and Python, and the
cohort month is read from one table (metrics.cohorts)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metrics import cohorts, queries, register, valuation
from metrics.report import data as report_data
from metrics.report.command import write_report
from tests.app_support import write_model_fixture

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
FEBRUARY = {"months": ["2026-02", "2026-02"]}


@pytest.fixture(scope="module")
def model_db(tmp_path_factory) -> Path:
    return write_model_fixture(tmp_path_factory.mktemp("rules") / "warehouse.duckdb")


def with_setting(model_db: Path, folder: Path, name: str, value: float) -> Path:
    """A copy of the model warehouse whose register sets parameter `name` to `value`."""
    path = folder / f"{name}_{value}.duckdb"
    shutil.copy(model_db, path)
    con = duckdb.connect(str(path))
    try:
        con.execute("update ref.parameters set low = $v, central = $v, high = $v "
                    "where name = $name", {"v": value, "name": name})
    finally:
        con.close()
    return path


def with_min_paired(model_db: Path, folder: Path, people: int) -> Path:
    return with_setting(model_db, folder, "min_paired_n", people)


def page_text(monkeypatch, db: Path, page: str, params: dict) -> str:
    monkeypatch.setenv("HUBVALUE_DB", str(db))
    monkeypatch.setenv("HUBVALUE_AUDIENCE", "manager")
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info)]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def test_the_register_row_min_paired_n_exists():
    params = register.load_register()
    assert params.loc[params["name"] == "min_paired_n", "central"].tolist() == [30.0]


def test_pre_post_means_follow_the_registers_min_paired_n(monkeypatch, model_db, tmp_path):
    scores = {**FEBRUARY, "wellbeing_section": "How scores moved"}
    # the fixture's February has fewer than 30 paired people: with the register's 30, no
    # means; with min_paired_n = 2 in the register, the means are shown
    shipped = page_text(monkeypatch, model_db, "wellbeing", scores)
    assert "Means are not shown: fewer than 30 paired people." in shipped
    assert "Mean score at intake" not in shipped
    lowered = page_text(monkeypatch, with_min_paired(model_db, tmp_path, 2), "wellbeing",
                        scores)
    assert "Mean score at intake" in lowered
    assert "fewer than 30" not in lowered


def test_the_methods_page_states_the_registers_threshold(monkeypatch, model_db, tmp_path):
    text = page_text(monkeypatch, with_min_paired(model_db, tmp_path, 12), "methods", FEBRUARY)
    assert ("**Pre/post means** are not shown for fewer than 12 paired people (assumptions "
            "register: min_paired_n).") in text
    assert "fewer than 30" not in text


def test_the_public_report_states_the_registers_meaningful_change(model_db, tmp_path):
    shipped = write_report(model_db, "public", "2025/26-Q4", "html", tmp_path / "a.html")
    assert "a meaningful rise is at least 3 metric points." in shipped.report.read_text("utf-8")
    lenient = with_setting(model_db, tmp_path, "swemwbs_meaningful_change", 2)
    written = write_report(lenient, "public", "2025/26-Q4", "html", tmp_path / "b.html")
    assert "a meaningful rise is at least 2 metric points." in written.report.read_text("utf-8")


def test_the_sql_annuity_is_the_python_annuity(model_db):
    con = duckdb.connect(str(model_db), read_only=True)
    try:
        rows = con.execute("select * from intermediate.int_outcome_scenarios").df()
    finally:
        con.close()
    by = rows.set_index("scenario")
    # by hand, register of data/assumptions.csv:
    # NHS central: T 2, d 0.5, r 0.035: 1 + 0.5 / 1.035 = 1.4830918
    # NHS high: T 3, d 0.25, r 0.035: 1 + 0.7246377 + 0.5625 / 1.071225 (0.5250998) = 2.2497375
    # wellbeing high: T 2, d 0.25, r 0.015: 1 + 0.75 / 1.015 = 1.7389163
    # NHS and wellbeing low: T 1: 1
    assert by.loc["central", "annuity_nhs"] == pytest.approx(1.4830918, abs=1e-7)
    assert by.loc["high", "annuity_nhs"] == pytest.approx(2.2497375, abs=1e-7)
    assert by.loc["high", "annuity_wellbeing"] == pytest.approx(1.7389163, abs=1e-7)
    assert by.loc["low", "annuity_nhs"] == by.loc["low", "annuity_wellbeing"] == 1.0
    for scenario, row in by.iterrows():
        assert row["annuity_wellbeing"] == pytest.approx(register.annuity_factor(
            row["benefit_years_wellbeing"], row["dropoff_wellbeing"],
            row["discount_rate_health"]), abs=1e-9), scenario
        assert row["annuity_nhs"] == pytest.approx(register.annuity_factor(
            row["benefit_years_nhs"], row["dropoff_nhs"], row["discount_rate"]),
            abs=1e-9), scenario


def test_the_register_refuses_fractional_years(tmp_path):
    source = register.REGISTER_PATH.read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(source) if line.startswith("benefit_years_nhs,"))
    source[row] = source[row].replace("benefit_years_nhs,1,2,3,", "benefit_years_nhs,1,2.5,3,")
    bad = tmp_path / "assumptions.csv"
    bad.write_text("\n".join(source) + "\n", encoding="utf-8")
    with pytest.raises(register.RegisterError,
                       match=rf"row {row + 1}: central of 'benefit_years_nhs' must be a whole "
                             "number of years"):
        register.load_register(bad)


def test_the_what_if_refuses_what_the_annuity_refuses():
    params = register.parameters(pd.Timestamp("2026-06-30").date())
    central = valuation.settings(params, "central")
    assert valuation.settings_problem(central) is None
    # 2 NHS years, drop-off 0.5, 3.5%: the what-if and the register agree
    assert valuation.annuity(central, "nhs") == pytest.approx(1 + 0.5 / 1.035)
    problem = valuation.settings_problem({**central, "benefit_years_nhs": 2.5})
    assert problem and problem.startswith("benefit_years_nhs, dropoff_nhs, discount_rate:")
    assert "whole number" in problem
    assert "dropoff" in valuation.settings_problem({**central, "dropoff_wellbeing": 1.5})


def test_the_cohort_month_is_read_from_one_table():
    assert report_data.REFERRAL_OUTCOMES is cohorts.REFERRAL_OUTCOMES
    assert report_data.AGENCY_REFERRAL_OUTCOMES is cohorts.AGENCY_REFERRAL_OUTCOMES
    assert queries.BREAKDOWN_COHORTS["family_benefited"] == "survey_month"
    assert queries.BREAKDOWN_COHORTS["not_revictimised_12m"] == "referral_month"
    assert queries.BREAKDOWN_COHORTS["homes_made_safer"] == "target_hardening_month"
    assert all(cohorts.cohort_month(i) == month
               for i, month in queries.BREAKDOWN_COHORTS.items())
    assert cohorts.cohort_month("agency_accepted_5wd") == "sent_month"
