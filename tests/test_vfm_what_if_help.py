"""The what-if editor's help gives the register's low, central and high values in the
one formatter's words (a share as a percentage, money in pounds), not as raw numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.app_support import open_page, write_model_fixture


@pytest.fixture(scope="module")
def model_db(tmp_path_factory) -> Path:
    return write_model_fixture(tmp_path_factory.mktemp("model") / "warehouse.duckdb")


def unescaped(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u00a0", " ")


def test_the_register_values_in_the_what_if_help_are_formatted(monkeypatch, model_db):
    at = open_page(monkeypatch, model_db, "value_for_money",
                   params={"months": ["2026-02", "2026-02"]})
    at.session_state["vfm_what_if_open"] = True
    at.run()
    assert not at.exception
    # assumptions.csv: attribution_wellbeing 0.3 / 0.5 / 0.7, a share credited to the hub
    attribution = unescaped(at.number_input(key="vfm_attribution_wellbeing").help)
    assert attribution.startswith(
        "Register: low 30%, central 50%, high 70%. Source: Declared modelling assumption")
    # money keeps its unit after the amount: "£13.0k per WELLBY" at 2019 prices, or the
    # warehouse's price base year (a value in pounds, three significant figures)
    wellby = unescaped(at.number_input(key="vfm_wellby_value_gbp").help)
    assert re.match(r"Register: low £\d+(\.\d)?k per WELLBY, central £\d+(\.\d)?k per WELLBY, "
                    r"high £\d+(\.\d)?k per WELLBY\. Source: HM Treasury", wellby), wellby
