"""The contract as code: its document, its identifier rule and the working-day calendar."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from metrics import calendar, contract
from metrics.contract_doc import render

ROOT = Path(__file__).resolve().parent.parent


def test_contract_document_is_generated_from_the_schema():
    # Refresh with: python -m metrics.contract_doc > docs/data-contract.md
    assert (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8") == render()


def test_every_table_and_column_of_the_spec_is_in_the_schema():
    spec_path = ROOT.parent / "shared" / "spec" / "data-contract.md"
    if not spec_path.exists():
        pytest.skip("the shared spec is not beside the repo")
    spec = spec_path.read_text(encoding="utf-8")
    for table in contract.TABLES:
        assert re.search(rf"^### {table.name}\b", spec, re.MULTILINE), table.name
        for column in table.columns:
            assert f"| {column.name} |" in spec, f"{table.name}.{column.name}"


def test_no_contract_column_looks_like_a_direct_identifier():
    for table in contract.TABLES:
        for column in table.column_names:
            assert not contract.is_direct_identifier(column), column


def test_direct_identifiers_are_recognised_ignoring_case_and_punctuation():
    for name in [
        "Full Name",
        "post_code",
        "Date-of-Birth",
        "DOB",
        "NHS Number",
        "e-mail",
        "Email",
        "Case Notes",
        "free_text",
        "Mobile",
        "victim_surname",
    ]:
        assert contract.is_direct_identifier(name), name
    for name in ["shoe_size", "region", "case_type"]:
        assert not contract.is_direct_identifier(name), name


def test_parents_load_before_children():
    order = [t.name for t in contract.ordered_tables()]
    assert order.index("victims") < order.index("referrals") < order.index("services")
    assert order.index("victims") < order.index("repeat_crimes")


def test_bank_holidays_of_england_and_wales():
    days = calendar.bank_holidays(2026, 2027)
    # 2026: Good Friday 3 April, Easter Monday 6 April, Boxing Day on a Saturday → Monday 28 Dec.
    assert dt.date(2026, 4, 3) in days
    assert dt.date(2026, 4, 6) in days
    assert dt.date(2026, 12, 28) in days
    # St Andrew's Day (Scotland only) is not a bank holiday here.
    assert dt.date(2026, 11, 30) not in days


def test_working_day_numbers_count_days_strictly_after():
    frame = calendar.calendar_frame(dt.date(2026, 12, 20), dt.date(2027, 1, 10)).set_index(
        "calendar_date"
    )
    number = frame["working_day_number"]
    # Thursday 24 Dec 2026: the next working days are Tue 29 Dec (25 and 28 are holidays), Wed 30.
    start = number[dt.date(2026, 12, 24)]
    assert frame.index[(number == start + 2) & frame["is_working_day"]][0] == dt.date(2026, 12, 30)
    assert calendar.nth_working_day_after(dt.date(2026, 12, 24), 2) == dt.date(2026, 12, 30)
    # From a Saturday, the first working day after is Monday.
    assert calendar.nth_working_day_after(dt.date(2027, 1, 2), 1) == dt.date(2027, 1, 4)
