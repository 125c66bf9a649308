"""The catalogue columns that say where the reports show an indicator: the lists the
readers derive from them, and the checks that reject a broken catalogue."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from metrics.catalogue import (
    CATALOGUE_PATH,
    MONEY_INDICATORS,
    CatalogueError,
    flagged,
    in_place_order,
    read_catalogue,
    stock_indicators,
)


def _copy_with(tmp_path: Path, indicator: str, **changes: str) -> Path:
    """The shipped catalogue with some columns of one indicator changed."""
    with CATALOGUE_PATH.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    [row] = [r for r in rows if r["indicator_id"] == indicator]
    row.update(changes)
    path = tmp_path / "catalogue.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_lists_come_out_in_their_places():
    assert in_place_order("standard_order") == (
        "police_referral_2wd", "first_contact_2wd", "agency_accepted_5wd",
        "mental_health_seen_10wd",
    )
    assert in_place_order("pcc_by_characteristic") == ("first_contact_2wd", "feel_safer_at_exit")
    assert in_place_order("manager_trend") == ("referrals_received", "first_contact_2wd")
    assert MONEY_INDICATORS == (
        "wellbeing_social_value_gbp", "nhs_cost_avoided_gbp", "crime_cost_avoided_gbp",
        "public_value_total_gbp", "value_per_pound",
    )
    assert flagged("by_agency_count") == (
        "wellbeing_gain_at_exit", "coped_better_at_exit", "feel_safer_at_exit",
    )
    assert stock_indicators() == {"open_cases"}


def test_a_place_is_not_a_column_of_flags():
    with pytest.raises(ValueError):
        in_place_order("by_area")
    with pytest.raises(ValueError):
        flagged("pcc_key_point")


def test_the_shipped_copy_reads():
    assert len(read_catalogue()) == 44


@pytest.mark.parametrize(
    ("indicator", "changes", "rule"),
    [
        ("police_referral_2wd", {"standard_order": "2"}, "standard_order gives a value to two"),
        ("open_cases", {"bulletin_section": "prevention"}, "bulletin_section and bulletin_order"),
        ("open_cases", {"bulletin_point": "4"}, "bulletin_point and bulletin_point_words"),
        ("open_cases", {"value_component": "total"}, "value_component gives a value to two"),
        ("open_cases", {"value_component": "cash"}, "value_component 'cash' is not allowed"),
        ("open_cases", {"bulletin_section": "annex", "bulletin_order": "40"},
         "bulletin_section 'annex' is not allowed"),
        ("open_cases", {"manager_trend": "0"}, "manager_trend '0' is not a positive whole"),
        ("open_cases", {"by_area": "yes"}, "by_area 'yes' is not allowed"),
    ],
)
def test_the_loader_rejects_a_broken_place(tmp_path, indicator, changes, rule):
    with pytest.raises(CatalogueError, match=rule):
        read_catalogue(_copy_with(tmp_path, indicator, **changes))
