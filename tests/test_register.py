"""Tests for metrics.register: expectations are computed by hand in the comments."""

import datetime as dt
import importlib
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

register = importlib.import_module("metrics.register")
DEFLATORS_PATH = register.DEFLATORS_PATH
REGISTER_PATH = register.REGISTER_PATH
DeflatorError = register.DeflatorError
RegisterError = register.RegisterError
annuity_factor = register.annuity_factor
financial_year_of = register.financial_year_of
load_deflators = register.load_deflators
load_register = register.load_register
parameters = register.parameters
uprate_factor = register.uprate_factor

HEADER = "name,low,central,high,unit,price_year,status,source,note\n"


def write(tmp_path: Path, body: str, name: str = "assumptions.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body)
    return path


# --- annuity factor --------------------------------------------------------------------


def test_annuity_two_years_half_dropoff():
    # 1 + (1 - 0.5) / 1.035 = 1 + 0.483092 = 1.483092
    assert annuity_factor(2, 0.5, 0.035) == pytest.approx(1 + 0.5 / 1.035)
    assert annuity_factor(2, 0.5, 0.035) == pytest.approx(1.4830918, abs=1e-7)


@pytest.mark.parametrize("dropoff, rate", [(0.0, 0.035), (0.5, 0.015), (1.0, 0.0)])
def test_annuity_one_year_is_one(dropoff, rate):
    assert annuity_factor(1, dropoff, rate) == 1.0


def test_annuity_three_years_no_dropoff_no_discount():
    assert annuity_factor(3, 0.0, 0.0) == 3.0


def test_annuity_full_dropoff_keeps_only_year_zero():
    assert annuity_factor(3, 1.0, 0.035) == 1.0


def test_annuity_accepts_integral_float_and_rejects_fractions():
    assert annuity_factor(2.0, 0.5, 0.035) == annuity_factor(2, 0.5, 0.035)
    with pytest.raises(ValueError, match="whole number"):
        annuity_factor(1.5, 0.5, 0.035)
    with pytest.raises(ValueError, match="whole number"):
        annuity_factor(-1, 0.5, 0.035)
    with pytest.raises(TypeError):
        annuity_factor(True, 0.5, 0.035)


def test_annuity_rejects_bad_dropoff():
    with pytest.raises(ValueError, match="dropoff"):
        annuity_factor(2, 1.5, 0.035)


# --- financial years --------------------------------------------------------------------


@pytest.mark.parametrize(
    "date, expected",
    [
        (dt.date(2026, 3, 31), "2025/26"),
        (dt.date(2026, 4, 1), "2026/27"),
        (dt.date(2027, 3, 31), "2026/27"),
        (dt.date(2027, 4, 1), "2027/28"),
        (dt.date(2099, 12, 31), "2099/00"),
        (dt.datetime(2026, 4, 1, 0, 0), "2026/27"),
    ],
)
def test_financial_year_boundaries(date, expected):
    assert financial_year_of(date) == expected


def test_financial_year_rejects_strings():
    with pytest.raises(TypeError):
        financial_year_of("2026-04-01")


# --- deflators and uprating -------------------------------------------------------------


def test_deflator_file_covers_2010_to_2030_with_forecasts_marked():
    defl = load_deflators()
    years = set(defl["financial_year"])
    assert {f"{y}/{(y + 1) % 100:02d}" for y in range(2010, 2030)} <= years
    forecast = defl.set_index("financial_year")["is_forecast"]
    assert not forecast["2024/25"]
    assert forecast["2025/26"] and forecast["2029/30"]
    assert defl.set_index("financial_year").loc["2024/25", "deflator_index"] == 100.0


def test_uprate_factor_by_hand_from_two_rows():
    # data/deflators.csv: 2015/16 = 74.5804, 2024/25 = 100.0 -> 100 / 74.5804 = 1.340835
    defl = load_deflators()
    assert uprate_factor("2015/16", "2024/25", defl) == pytest.approx(100 / 74.5804)
    assert uprate_factor("2015-16", "2024-25", defl) == pytest.approx(1.340835, abs=1e-6)


def test_uprate_factor_matches_l8gg_cross_check():
    # Reference notes: L8GG ratio 2019-20 -> 2024-25 = 1.236494; calendar 2019 reads 2019/20.
    defl = load_deflators()
    assert uprate_factor("2019", "2024/25", defl) == pytest.approx(1.236494, abs=1e-6)
    # WELLBY 13,000 at 2019 prices -> about 16,074 at 2024/25 prices
    assert 13000 * uprate_factor("2019", "2024/25", defl) == pytest.approx(16074.4, abs=0.1)


def test_uprate_factor_same_year_is_one_and_mapping_accepted():
    assert uprate_factor("2019", "2019/20", {"2019/20": 80.8738}) == 1.0


def test_uprate_factor_missing_year_is_a_clear_error():
    defl = load_deflators()
    with pytest.raises(DeflatorError, match="no GDP deflator for financial year 1990/91"):
        uprate_factor("1990/91", "2024/25", defl)
    with pytest.raises(DeflatorError, match="cannot read year"):
        uprate_factor("FY2019", "2024/25", defl)
    with pytest.raises(DeflatorError, match="consecutive"):
        uprate_factor("2019/21", "2024/25", defl)


# --- register loading -------------------------------------------------------------------


def test_shipped_register_loads_and_keeps_spec_rows():
    reg = load_register()
    spec_path = ROOT.parent / "shared" / "spec" / "assumptions.csv"
    if not spec_path.exists():
        pytest.skip("the shared spec is not beside the repo")
    spec = pd.read_csv(spec_path, dtype=str, keep_default_na=False)
    assert set(spec["name"]) <= set(reg["name"])
    assert reg["name"].is_unique
    assert reg["central"].dtype == float
    assert REGISTER_PATH.parent == DEFLATORS_PATH.parent == ROOT / "data"


def test_bad_number_names_file_row_and_rule(tmp_path):
    path = write(
        tmp_path,
        "a,1,1,1,share,,verified,src,\nb,1,lots,1,share,,verified,src,\n",
    )
    with pytest.raises(RegisterError) as err:
        load_register(path)
    message = str(err.value)
    assert str(path) in message and "row 3" in message and "central 'lots'" in message


def test_duplicate_name_is_rejected(tmp_path):
    path = write(tmp_path, "a,1,1,1,share,,verified,src,\na,2,2,2,share,,verified,src,\n")
    with pytest.raises(RegisterError, match=r"row 3: name 'a' duplicates row 2"):
        load_register(path)


def test_bad_status_is_rejected(tmp_path):
    path = write(tmp_path, "a,1,1,1,share,,guessed,src,\n")
    with pytest.raises(RegisterError, match=r"row 2: status 'guessed'"):
        load_register(path)


def test_money_without_price_year_is_rejected(tmp_path):
    path = write(tmp_path, "a,1,1,1,GBP per crime,,verified,src,\n")
    with pytest.raises(RegisterError, match="no price_year"):
        load_register(path)


def test_bad_deflator_row_is_rejected(tmp_path):
    path = tmp_path / "deflators.csv"
    path.write_text(
        "financial_year,deflator_index,is_forecast,source,note\n2019/20,-1,false,src,\n"
    )
    with pytest.raises(RegisterError, match="row 2: deflator_index '-1'"):
        load_deflators(path)


# --- parameters -------------------------------------------------------------------------


def test_parameters_uprate_money_and_leave_shares():
    params = parameters(dt.date(2025, 1, 15)).set_index("name")
    # as_of 15 Jan 2025 -> base 2024/25; crime_cost_robbery 11,320 at 2015/16
    # -> 11,320 * 100 / 74.5804 = 15,178.25
    robbery = params.loc["crime_cost_robbery"]
    assert robbery["base_year"] == "2024/25"
    assert robbery["central"] == pytest.approx(11320 * 100 / 74.5804)
    assert robbery["price_year"] == "2015/16"
    share = params.loc["deadweight_wellbeing"]
    assert share["uprate_factor"] == 1.0 and share["central"] == 0.3
    assert share["base_year"] == ""
    assert list(parameters(dt.date(2025, 1, 15)).columns)[-1] == "base_year_note"


def test_parameters_default_base_falls_back_to_latest_year():
    params = parameters(dt.date(2035, 6, 1)).set_index("name")
    wellby = params.loc["wellby_value_gbp"]
    assert wellby["base_year"] == "2030/31"
    assert "no GDP deflator for 2035/36" in wellby["base_year_note"]
    # 13,000 * 113.6416 / 80.8738
    assert wellby["central"] == pytest.approx(13000 * 113.6416 / 80.8738)


def test_parameters_forecast_base_year_is_noted():
    params = parameters(dt.date(2026, 10, 1)).set_index("name")
    assert params.loc["wellby_value_gbp", "base_year"] == "2026/27"
    assert "OBR forecast" in params.loc["wellby_value_gbp", "base_year_note"]


def test_parameters_explicit_base_year_must_exist():
    params = parameters(dt.date(2026, 10, 1), base_year="2019").set_index("name")
    assert params.loc["wellby_value_gbp", "central"] == pytest.approx(13000)
    with pytest.raises(DeflatorError):
        parameters(dt.date(2026, 10, 1), base_year="2040/41")


def test_overrides_are_partial_and_validated():
    params = parameters(
        dt.date(2025, 1, 15), overrides={"wellby_value_gbp": {"central": 12000}}
    ).set_index("name")
    factor = 100 / 80.8738
    assert params.loc["wellby_value_gbp", "central"] == pytest.approx(12000 * factor)
    assert params.loc["wellby_value_gbp", "low"] == pytest.approx(10000 * factor)
    with pytest.raises(KeyError, match="no_such_parameter"):
        parameters(dt.date(2025, 1, 15), overrides={"no_such_parameter": {"central": 1}})
    with pytest.raises(ValueError, match="median"):
        parameters(dt.date(2025, 1, 15), overrides={"wellby_value_gbp": {"median": 1}})
    with pytest.raises(ValueError, match="not a number"):
        parameters(dt.date(2025, 1, 15), overrides={"wellby_value_gbp": {"low": "many"}})


def test_parameters_read_other_files(tmp_path):
    shutil.copy(DEFLATORS_PATH, tmp_path / "deflators.csv")
    reg = write(tmp_path, "x,1,2,3,GBP per thing,2019,local_assumption,src,\n")
    params = parameters(
        dt.date(2024, 6, 1), register_path=reg, deflators_path=tmp_path / "deflators.csv"
    )
    assert params["central"].item() == pytest.approx(2 * 100 / 80.8738)
