"""A hub's own register (`--assumptions FILE`): overrides applied, and refused with one
clear line naming the file, the row and the rule (spec: evidence.md, section 4)."""

from __future__ import annotations

import hashlib

import pytest

from metrics.hub_register import read_hub_register
from metrics.register import REGISTER_COLUMNS, RegisterError

HEADER = ",".join(REGISTER_COLUMNS)


def _file(tmp_path, *rows: str):
    path = tmp_path / "hub_assumptions.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_overrides_replace_the_shipped_rows_and_are_listed_beside_them(tmp_path):
    path = _file(
        tmp_path,
        # deadweight runs high to low in the shipped register (0.5, 0.3, 0.1)
        "deadweight_wellbeing,0.6,0.4,0.2,share,,unverified,Hub comparison group 2026,",
        # no source: a local assumption, whatever status it says
        "wellby_value_gbp,11000,12000,15000,GBP per WELLBY,,verified,,",
    )
    hub = read_hub_register(path)
    register = hub.register.set_index("name")
    assert register.loc["deadweight_wellbeing", ["low", "central", "high"]].tolist() == [
        0.6, 0.4, 0.2]
    assert register.loc["deadweight_wellbeing", "status"] == "unverified"
    assert register.loc["deadweight_wellbeing", "source"] == "Hub comparison group 2026"
    assert register.loc["wellby_value_gbp", "central"] == 12000
    assert register.loc["wellby_value_gbp", "status"] == "local_assumption"
    assert register.loc["wellby_value_gbp", "price_year"] == "2019"  # the shipped row's
    # an untouched row is as shipped
    assert register.loc["discount_rate", "central"] == 0.035
    listed = hub.overrides.set_index("name")
    assert listed.loc["deadweight_wellbeing", "shipped_central"] == 0.3
    assert listed.loc["deadweight_wellbeing", "central"] == 0.4
    assert listed.loc["wellby_value_gbp", "shipped_central"] == 13000
    assert hub.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("no_such_parameter,1,2,3,share,,verified,x,",
         "row 2: name is not a parameter of the shipped register"),
        ("deadweight_wellbeing,0.6,0.4,0.2,per cent,,verified,x,",
         "row 2: unit of 'deadweight_wellbeing' differs from the shipped register's"),
        ("deadweight_wellbeing,0.6,banana,0.2,share,,verified,x,",
         "row 2: central of 'deadweight_wellbeing' is not a number"),
        ("deadweight_wellbeing,0.6,nan,0.2,share,,verified,x,",
         "row 2: central of 'deadweight_wellbeing' is not a number"),
        # shipped high to low: an override low to high is out of order
        ("deadweight_wellbeing,0.1,0.3,0.5,share,,verified,x,",
         "row 2: settings of 'deadweight_wellbeing' are out of order (need low >= central "
         ">= high)"),
        # shipped low to high (10000, 13000, 16000): central above high is out of order
        ("wellby_value_gbp,10000,17000,16000,GBP per WELLBY,,verified,x,",
         "row 2: settings of 'wellby_value_gbp' are out of order (need low <= central "
         "<= high)"),
        ("wellby_value_gbp,10000,13000,16000,GBP per WELLBY,,checked,x,",
         "row 2: status of 'wellby_value_gbp' is not one of"),
    ],
)
def test_a_bad_override_is_refused_with_one_line(tmp_path, row, message):
    path = _file(tmp_path, row)
    with pytest.raises(RegisterError) as error:
        read_hub_register(path)
    text = str(error.value)
    assert text.startswith(f"hub_assumptions.csv, {message}")
    assert "\n" not in text


def test_a_name_twice_and_a_wrong_header_are_refused(tmp_path):
    row = "discount_rate,0.03,0.035,0.04,per year (real),,verified,x,"
    with pytest.raises(RegisterError, match="row 3: 'discount_rate' is overridden twice"):
        read_hub_register(_file(tmp_path, row, row))
    path = tmp_path / "hub_assumptions.csv"
    path.write_text("name,central\ndiscount_rate,0.03\n", encoding="utf-8")
    with pytest.raises(RegisterError, match="row 1: header must be"):
        read_hub_register(path)
