"""The indicator catalogue seed (data/indicator_catalogue.csv) and its loader."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from metrics import contract
from metrics.catalogue import CATALOGUE_PATH, CatalogueError, load_catalogue, read_catalogue

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT.parent / "shared" / "spec" / "indicators.md"
SQL = ROOT / "sql" / "intermediate"

# Every indicator of indicators.md (v2), written out by hand.
EXPECTED_IDS = {
    # the 18-cell catalogue
    "wellbeing_gain_at_exit",
    "coped_better_at_exit",
    "informed_at_exit",
    "family_benefited",
    "wellbeing_sustained_3_12m",
    "back_to_daily_life_3_12m",
    "wellbeing_gain_12m_plus",
    "wellbeing_social_value_gbp",
    "feel_safer_at_exit",
    "homes_made_safer",
    "not_revictimised_12m",
    "repeat_victims_prevented_estimate",
    "feel_safe_12m_plus",
    "crime_cost_avoided_gbp",
    "health_improved_at_exit",
    "mental_health_seen_10wd",
    "fewer_crisis_contacts",
    "nhs_contacts_change",
    "health_maintained_12m_plus",
    "nhs_cost_avoided_gbp",
    # value for money
    "public_value_total_gbp",
    "value_per_pound",
    # hub operations
    "police_referral_2wd",
    "first_contact_2wd",
    "assessment_to_agency_days",
    "agency_accepted_5wd",
    "agency_declined",
    "open_cases",
    "referrals_received",
    "referrals_contacted",
    "referrals_assessed",
    "referrals_supported",
    "referrals_completed",
    "referrals_declined",
    "referrals_unable_to_contact",
    "satisfaction",
    "goals_achieved",
    "follow_up_coverage_3_12m",
    "follow_up_coverage_12m_plus",
    # equity
    "reach_ratio",
    "enhanced_rights_share",
}
# evidence.md (v3), Working together: rate indicators in indicator_monthly
WORKING_TOGETHER_IDS = {"multi_agency_share", "redirect_resolved_10wd", "listened_to_at_exit"}
HUB_ONLY = {
    "wellbeing_social_value_gbp",
    "crime_cost_avoided_gbp",
    "nhs_cost_avoided_gbp",
    "public_value_total_gbp",
    "value_per_pound",
    "reach_ratio",
}


@pytest.fixture(scope="module")
def catalogue():
    return read_catalogue().set_index("indicator_id")


def test_every_indicator_once(catalogue):
    assert catalogue.index.is_unique
    assert set(catalogue.index) == EXPECTED_IDS | WORKING_TOGETHER_IDS  # 41 + 3 indicators


@pytest.mark.skipif(not SPEC.is_file(), reason="the shared spec is not beside the repo")
def test_ids_match_the_spec_tables(catalogue):
    ids = set()
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| "):
            continue
        first_cell = line.split("|")[1].strip()
        for name in first_cell.split(","):
            name = name.strip()
            if re.fullmatch(r"[a-z][a-z0-9_]+", name) and name not in {"id", "column"}:
                ids.add(name)
    spec_ids = ids - {
        # indicator_monthly's column table lists columns, not indicators
        "indicator_id",
        "month",
        "agency",
        "status",
        "numerator",
        "denominator",
        "value",
        "value_low",
        "value_high",
        "persons",
    }
    assert set(catalogue.index) - WORKING_TOGETHER_IDS == spec_ids


def test_published_columns_are_filled(catalogue):
    for column in ("title", "theme", "unit", "direction", "definition", "source"):
        assert catalogue[column].notna().all(), column
    assert catalogue["title"].is_unique


def test_hub_only_indicators(catalogue):
    # Monetised indicators and value for money are hub-only; reach_ratio has no monthly
    # rows; every other indicator has agency rows.
    assert set(catalogue.index[~catalogue["has_agency_rows"]]) == HUB_ONLY
    assert not catalogue.loc[catalogue["unit"] == "gbp", "has_agency_rows"].any()


def test_censoring_rules(catalogue):
    windows = catalogue["censor_days"].dropna().astype(int).to_dict()
    assert windows == {
        # [90, 365) windows close at 365 days, [365, 730) at 730, repeat crimes at 365.
        "wellbeing_sustained_3_12m": 365,
        "back_to_daily_life_3_12m": 365,
        "follow_up_coverage_3_12m": 365,
        "not_revictimised_12m": 365,
        "wellbeing_gain_12m_plus": 730,
        "feel_safe_12m_plus": 730,
        "health_maintained_12m_plus": 730,
        "follow_up_coverage_12m_plus": 730,
    }
    nhs = {"fewer_crisis_contacts", "nhs_contacts_change", "nhs_cost_avoided_gbp"}
    assert catalogue["censor_months"].dropna().astype(int).to_dict() == dict.fromkeys(nhs, 6)
    coverage = catalogue["coverage_table"].dropna().to_dict()
    assert coverage == {"not_revictimised_12m": "repeat_crimes", **dict.fromkeys(nhs, "health_use")}


def test_units_kinds_and_parameters(catalogue):
    assert catalogue.loc["assessment_to_agency_days", ["unit", "kind"]].tolist() == [
        "median_working_days",
        "median",
    ]
    assert catalogue.loc["nhs_contacts_change", ["unit", "kind"]].tolist() == [
        "sum_contacts",
        "sum",
    ]
    # Counts of events are kind count (0 in a month without events).
    counts = set(catalogue.index[catalogue["kind"] == "count"])
    assert counts == {
        "homes_made_safer",
        "open_cases",
        "referrals_received",
        "referrals_contacted",
        "referrals_assessed",
        "referrals_supported",
        "referrals_completed",
        "referrals_declined",
        "referrals_unable_to_contact",
    }
    assert set(catalogue.index[catalogue["uses_parameters"]]) == {
        "wellbeing_social_value_gbp",
        "repeat_victims_prevented_estimate",
        "crime_cost_avoided_gbp",
        "nhs_cost_avoided_gbp",
        "public_value_total_gbp",
        "value_per_pound",
    }


def test_required_measures_are_contract_columns(catalogue):
    for indicator_id, row in catalogue.iterrows():
        for column in ("requires", "agency_requires"):
            text = row[column]
            if text is None:
                continue
            for item in text.split(";"):
                for measure in item.split("|"):
                    table, name = measure.split(".")
                    assert table in contract.TABLES_BY_NAME, (indicator_id, measure)
                    assert name in contract.TABLES_BY_NAME[table].column_names, (
                        indicator_id,
                        measure,
                    )


def test_family_names_the_model_that_emits_the_indicator(catalogue):
    texts = {
        family: " ".join(p.read_text() for p in (SQL / "family").glob(f"int_family_{family}*.sql"))
        for family in ("prevention", "nhs", "value")
    }
    texts["operations"] = " ".join(p.read_text() for p in (SQL / "operations").glob("int_operations_*.sql"))
    for indicator_id, family in catalogue["family"].items():
        if family in ("equity", "value_for_money"):
            continue
        if family == "wellbeing":
            # generated from the catalogue: tests/test_family_from_catalogue.py
            continue
        text = texts[family]
        # named as a literal id, or defined as the flag <id>_base of a generated family
        assert f"'{indicator_id}'" in text or f" {indicator_id}_base" in text, (
            indicator_id, family,
        )


def test_load_catalogue_writes_typed_table():
    con = duckdb.connect()
    load_catalogue(con)
    types = dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'ref' and table_name = 'indicator_catalogue'"
        ).fetchall()
    )
    assert types["has_agency_rows"] == "BOOLEAN"
    assert types["censor_days"] == "INTEGER"
    assert con.execute("select count(*) from ref.indicator_catalogue").fetchone()[0] == 44
    # Blank cells are NULL, not empty strings.
    horizon = con.execute(
        "select horizon from ref.indicator_catalogue where indicator_id = 'open_cases'"
    ).fetchone()[0]
    assert horizon is None


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = CATALOGUE_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "catalogue.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_loader_rejects_a_duplicate_id(tmp_path):
    path = _broken_copy(tmp_path, "coped_better_at_exit,", "wellbeing_gain_at_exit,")
    with pytest.raises(CatalogueError, match="appears twice"):
        read_catalogue(path)


def test_loader_rejects_an_unknown_kind(tmp_path):
    path = _broken_copy(tmp_path, ",true,median,", ",true,average,")
    with pytest.raises(CatalogueError, match="kind 'average'"):
        read_catalogue(path)


def test_loader_rejects_a_malformed_measure(tmp_path):
    path = _broken_copy(tmp_path, "referrals.reported_date", "reported_date")
    with pytest.raises(CatalogueError, match="not table.column"):
        read_catalogue(path)
