"""Tests for metrics.disclosure: the rules, secondary suppression and the LP audit.

Expected values are worked out by hand in the comments. Notation: a published count r
means a true value in r-2..r+2 (and at least the threshold, 8 or 10, when r > 0); a
hidden cell [c] means a true value >= 0. "T" is the threshold: counts 1..T-1 are hidden.
"""

import itertools
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from metrics.disclosure import (  # noqa: E402
    DisclosureError,
    ProtectedRelease,
    Release,
    Table,
    TableSpec,
    audit,
    labels_are_sensitive,
    protect_count,
    protect_money,
    protect_statistic,
    publish,
    rate,
    release_from_people,
    round_count,
)
from metrics.disclosure.release import cell_id, make_cells  # noqa: E402

LP_SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- helpers -------------------------------------------------------------------------


def one_way(counts: dict[str, int], name: str = "t") -> Release:
    """A table by area with a total row."""
    people = pd.DataFrame({"area": list(counts), "count": list(counts.values())})
    return release_from_people(people, [TableSpec(name, ["area"], totals=["area"])])


def hand_protected(release: Release, shown: dict[str, int | None], primary: set[str]):
    """A ProtectedRelease whose published values are written by hand.

    shown: cell id -> published value (None = hidden). Hidden cells in `primary` are
    the small ones the audit must protect; other hidden cells are complements.
    """
    rows = []
    for table in release.tables:
        for labels, atoms in zip(table.labels(), table.cells["atoms"], strict=True):
            key = cell_id(table.name, labels)
            value = shown[key]
            hidden = value is None
            reason = ("primary" if key in primary else "secondary") if hidden else ""
            rows.append((table.name, labels, atoms, hidden, value, reason, 0))
    return ProtectedRelease(
        tuple(t.info for t in release.tables),
        make_cells(rows),
        release.earlier,
        release.atom_scheme,
    )


def displays(protected: ProtectedRelease, name: str = "t") -> dict[str, str]:
    frame = protected.table(name)
    info = protected.info(name)
    return {
        cell_id(name, tuple((d, row[d]) for d in info.dims)): row["display"]
        for _, row in frame.iterrows()
    }


def check_for(result, key: str, check: str = "interval") -> pd.Series:
    rows = result.checks[(result.checks["cell_id"] == key) & (result.checks["check"] == check)]
    assert len(rows) == 1
    return rows.iloc[0]


# --- single figures ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, 0), (1, None), (7, None), (8, 10), (12, 10), (13, 15), (17, 15), (18, 20)],
)
def test_protect_count_boundaries(count, expected):
    # 1..7 hidden; otherwise the nearest multiple of 5 (12 -> 10, 13 -> 15); 0 stays 0.
    assert protect_count(count) == expected


@pytest.mark.parametrize(
    ("count", "expected"), [(7, None), (9, None), (10, 10), (11, 10), (12, 10), (13, 15)]
)
def test_protect_count_sensitive_threshold_is_ten(count, expected):
    assert protect_count(count, sensitive=True) == expected


@pytest.mark.parametrize("bad", [-1, 7.5, True, "3", float("nan"), None])
def test_protect_count_rejects_non_counts_without_echoing_them(bad):
    with pytest.raises(ValueError) as info:
        protect_count(bad)
    assert "7.5" not in str(info.value) and "-1" not in str(info.value)


def test_round_count_is_to_nearest_five():
    # 22 -> 20, 23 -> 25, 1000 stays, 1002 -> 1000, 1003 -> 1005
    assert [round_count(n) for n in (22, 23, 1000, 1002, 1003)] == [20, 25, 1000, 1000, 1005]


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ({"ethnic_group": "white"}, True),
        ({"ethnic_group": "all"}, False),
        ({"disability": "no"}, True),
        ({"lgbt": "yes"}, True),
        ({"gender": "female"}, False),
        ({"gender": "non_binary"}, True),
        ({"gender": "other"}, True),
        ({"age_band": "0-17"}, True),
        ({"age_band": "18-24"}, False),
        ({"agency": "lgbt"}, True),
        ({"agency": "nhs_mental_health"}, True),
        ({"agency": "victim_support"}, False),
        ({"crime_type": "sexual_offence"}, True),
        ({"crime_type": "burglary_residential"}, False),
        ({"domestic_abuse": False}, True),
        ({"hate_crime": True}, True),
        ({"characteristic": "lgbt", "category": "no"}, True),
        ({"characteristic": "gender", "category": "male"}, False),
        ({"characteristic": "gender", "category": "non_binary"}, True),
        ({"quarter": "2026/27-Q1", "agency": "all"}, False),
    ],
)
def test_sensitive_labels(labels, expected):
    assert labels_are_sensitive(labels) is expected


def test_rate_from_published_parts():
    # 15 / 50 = 0.3 (the unrounded 13 / 48 would be 0.2708...)
    assert rate(15, 50) == (0.3, "published")
    assert rate(15, 50, scale=100) == (30.0, "published")
    assert rate(None, 50) == (None, "withheld")
    assert rate(15, None) == (None, "withheld")
    assert rate(0, 0) == (None, "empty_base")
    assert rate(0, 20) == (0.0, "published")


@pytest.mark.parametrize(
    ("value", "persons", "kind", "sensitive", "expected"),
    [
        (3.2, 7, "mean", False, (None, "withheld")),
        (3.2, 8, "mean", False, (3.2, "published")),
        (4.0, 9, "median", True, (None, "withheld")),
        (4.0, 10, "median", True, (4.0, "published")),
        (1.0, 7, "min", False, (None, "withheld")),
        (5.0, 8, "max", False, (5.0, "published")),
        (2.5, 29, "wellbeing_mean", False, (None, "withheld")),
        (2.5, 30, "wellbeing_mean", False, (2.5, "published")),
        (None, 50, "mean", False, (None, "no_data")),
    ],
)
def test_small_group_statistics(value, persons, kind, sensitive, expected):
    assert protect_statistic(value, persons, kind, sensitive) == expected


def test_statistic_kind_must_be_known():
    with pytest.raises(ValueError):
        protect_statistic(1.0, 100, "mode")


@pytest.mark.parametrize(
    ("value", "persons", "expected"),
    [
        (56183.94, 8, (56200.0, "published")),  # 3 s.f.: 56,183.94 -> 56,200
        (56183.94, 7, (None, "withheld")),  # fewer than 8 people behind it
        (-1234.5, 20, (-1230.0, "published")),  # declines count as negative
        (123456.0, 100, (123000.0, "published")),
        (0.012345, 100, (0.0123, "published")),
        (0.0, 10, (0.0, "published")),  # a real 0 is not "no data"
        (None, 10, (None, "no_data")),
    ],
)
def test_money_three_significant_figures(value, persons, expected):
    assert protect_money(value, persons) == expected


def test_money_sensitive_cut_needs_ten_people():
    assert protect_money(500.0, 9, sensitive=True) == (None, "withheld")
    assert protect_money(500.0, 10, sensitive=True) == (500.0, "published")


# --- one-way table with a total ---------------------------------------------------------

# A=2 (hidden), B=40, total=42 -> B shown 40 means 38..42, total shown 40 means 38..42,
# so A = total - B <= 42 - 38 = 4: the published margin says A is not 5, 6 or 7.
ONE_WAY = {"A": 2, "B": 40}


def test_one_way_with_only_primary_suppression_fails_the_audit():
    release = one_way(ONE_WAY)
    naive = hand_protected(
        release, {"t[area=A]": None, "t[area=B]": 40, "t[area=all]": 40}, primary={"t[area=A]"}
    )
    result = audit(naive)
    assert not result.passed
    row = check_for(result, "t[area=A]")
    assert not row["passed"]
    assert row["high"] == pytest.approx(4.0)  # 42 - 38
    assert row["low"] == pytest.approx(0.0)  # 38 - 42 < 0, and a count is >= 0
    # The log line names the cell and the rule, not the true count or the bounds.
    summary = result.summary()
    assert "t[area=A]" in summary and "failed 1 of" in summary
    with pytest.raises(DisclosureError):
        result.raise_if_failed()


def test_one_way_passes_after_secondary_suppression():
    protected = publish(one_way(ONE_WAY))
    # B (40) is the smaller of the two published cells that bind A's bound (B 40, total
    # 42), so it is hidden; the total 42 is shown as 40.
    assert displays(protected) == {"t[area=A]": "[c]", "t[area=B]": "[c]", "t[area=all]": "40"}
    result = audit(protected)
    assert result.passed
    # A + B = total in 38..42, A, B >= 0: A can be anything in 0..42.
    row = check_for(result, "t[area=A]")
    assert (row["low"], row["high"]) == pytest.approx((0.0, 42.0))
    assert protected.legend("t").startswith("[c]: fewer than 8 people, or hidden")


def test_rounding_alone_can_protect_a_cell():
    # A=4, B=50, C=60, total=114 -> B 50 (48..52), C 60 (58..62), total 115 (113..117):
    # A lies in 113-52-62 = -1 .. 117-48-58 = 11, which holds all of 1..7: no complement.
    protected = publish(one_way({"A": 4, "B": 50, "C": 60}))
    assert displays(protected) == {
        "t[area=A]": "[c]",
        "t[area=B]": "50",
        "t[area=C]": "60",
        "t[area=all]": "115",
    }


def test_rounding_skipped_fails_the_audit():
    # Exact B=21, C=29, total=53 pin A = 53 - 21 - 29 = 3 (a value that is not a multiple
    # of 5 is read as exact), and none of them is a multiple of 5.
    release = one_way({"A": 3, "B": 21, "C": 29})
    exact = hand_protected(
        release,
        {"t[area=A]": None, "t[area=B]": 21, "t[area=C]": 29, "t[area=all]": 53},
        primary={"t[area=A]"},
    )
    result = audit(exact)
    assert not result.passed
    assert not check_for(result, "t[area=all]", "format")["passed"]
    row = check_for(result, "t[area=A]")
    assert (row["low"], row["high"]) == pytest.approx((3.0, 3.0))


def test_removing_a_complementary_suppression_fails_the_audit():
    protected = publish(one_way(ONE_WAY))
    cells = protected.cells.copy()
    b = cells.index[cells["cell_id"] == "t[area=B]"][0]
    cells.at[b, "hidden"] = False
    cells.at[b, "value"] = 40  # B's true 40 rounded
    cells.at[b, "reason"] = ""
    tampered = ProtectedRelease(protected.tables, cells, protected.earlier)
    result = audit(tampered)
    assert not result.passed
    assert check_for(result, "t[area=A]")["high"] == pytest.approx(4.0)


def test_totals_are_rounded_separately():
    # 8, 8, 8 are each shown as 10; the total 24 is shown as 25, not 30.
    protected = publish(one_way({"A": 8, "B": 8, "C": 8}))
    assert displays(protected) == {
        "t[area=A]": "10",
        "t[area=B]": "10",
        "t[area=C]": "10",
        "t[area=all]": "25",
    }


# --- zeros ---------------------------------------------------------------------------------


def test_true_zero_is_published_as_zero_and_counts_as_exact():
    # A=0, B=2 (hidden), C=40, total=42. With A shown as exactly 0, B = total - C <= 42-38
    # = 4, so a complement is needed: the binding published cells are C (40) and the total
    # (42); C is smaller. A stays 0 (a zero is never picked while a non-zero will do).
    protected = publish(one_way({"A": 0, "B": 2, "C": 40}))
    assert displays(protected) == {
        "t[area=A]": "0",
        "t[area=B]": "[c]",
        "t[area=C]": "[c]",
        "t[area=all]": "40",
    }
    table = protected.table("t")
    assert table.loc[table["area"] == "A", "count"].item() == 0
    assert pd.isna(table.loc[table["area"] == "B", "count"].item())


def test_a_small_count_is_never_shown_as_zero():
    protected = publish(one_way({"A": 1, "B": 0, "C": 30, "D": 31}))
    shown = displays(protected)
    assert shown["t[area=A]"] == "[c]"
    assert shown["t[area=B]"] == "0"


# --- two-way table with margins ----------------------------------------------------------

# rows r1, r2 by columns x, y:   x    y   total
#                         r1     2   40     42
#                         r2    40   60    100
#                      total    42  100    142
TWO_WAY = {("r1", "x"): 2, ("r1", "y"): 40, ("r2", "x"): 40, ("r2", "y"): 60}
ROUNDED = {  # every count rounded to 5 by hand
    "t[row=r1, col=y]": 40,
    "t[row=r2, col=x]": 40,
    "t[row=r2, col=y]": 60,
    "t[row=r1, col=all]": 40,
    "t[row=r2, col=all]": 100,
    "t[row=all, col=x]": 40,
    "t[row=all, col=y]": 100,
    "t[row=all, col=all]": 140,
}


def two_way_release() -> Release:
    people = pd.DataFrame([{"row": r, "col": c, "count": n} for (r, c), n in TWO_WAY.items()])
    return release_from_people(people, [TableSpec("t", ["row", "col"], totals=["row", "col"])])


def test_two_way_primary_only_fails():
    # r1,x = r1 total - r1,y <= 42 - 38 = 4 (and the same down column x).
    naive = hand_protected(
        two_way_release(), {"t[row=r1, col=x]": None, **ROUNDED}, primary={"t[row=r1, col=x]"}
    )
    row = check_for(audit(naive), "t[row=r1, col=x]")
    assert not row["passed"]
    assert row["high"] == pytest.approx(4.0)


def test_two_way_with_margins_is_protected():
    protected = publish(two_way_release())
    result = audit(protected)
    assert result.passed
    shown = displays(protected)
    assert shown["t[row=r1, col=x]"] == "[c]"
    # Row r1 and column x each need a second hidden cell (a lone [c] in a line is its
    # line total minus the rest, to within the rounding shown above).
    row_r1 = [k for k in shown if k.startswith("t[row=r1,")]
    col_x = [k for k in shown if k.endswith("col=x]")]
    assert sum(shown[k] == "[c]" for k in row_r1) >= 2
    assert sum(shown[k] == "[c]" for k in col_x) >= 2
    # Whatever is published is the hand-rounded count.
    for key, value in ROUNDED.items():
        assert shown[key] in ("[c]", str(value))
    row = check_for(result, "t[row=r1, col=x]")
    assert row["low"] <= 1 and row["high"] >= 7


# --- sensitive cuts --------------------------------------------------------------------------


def test_sensitive_threshold_applies_per_cell():
    # gender: female 9 -> 10, male 28 -> 30, non_binary 9 -> hidden (1..9 rule), total 46
    # -> 45. non_binary = total - female - male lies in 43-12-32 = -1 .. 47-8-28 = 11,
    # which holds 1..9: no complement needed.
    people = pd.DataFrame({"gender": ["female", "male", "non_binary"], "count": [9, 28, 9]})
    release = release_from_people(people, [TableSpec("g", ["gender"], totals=["gender"])])
    protected = publish(release)
    assert displays(protected, "g") == {
        "g[gender=female]": "10",
        "g[gender=male]": "30",
        "g[gender=non_binary]": "[c]",
        "g[gender=all]": "45",
    }
    assert "fewer than 10" in protected.legend("g")


def test_whole_table_about_a_sensitive_agency_uses_ten():
    # Every cell of a table restricted to the lgbt agency is a sensitive cut: 9 is hidden.
    people = pd.DataFrame(
        {
            "agency": ["lgbt", "lgbt", "victim_support"],
            "quarter": ["q1", "q2", "q1"],
            "count": [9, 30, 9],
        }
    )
    release = release_from_people(
        people,
        [
            TableSpec("lgbt", ["quarter"], where={"agency": "lgbt"}),
            TableSpec("vs", ["quarter"], where={"agency": "victim_support"}),
        ],
    )
    protected = publish(release)
    assert displays(protected, "lgbt") == {"lgbt[quarter=q1]": "[c]", "lgbt[quarter=q2]": "30"}
    assert displays(protected, "vs") == {"vs[quarter=q1]": "10", "vs[quarter=q2]": "0"}


def test_ethnic_group_breakdown_uses_ten():
    people = pd.DataFrame({"ethnic_group": ["asian", "black", "white"], "count": [9, 12, 40]})
    protected = publish(release_from_people(people, [TableSpec("e", ["ethnic_group"])]))
    # no total: 9 hidden (sensitive), 12 -> 10, 40 -> 40
    assert displays(protected, "e") == {
        "e[ethnic_group=asian]": "[c]",
        "e[ethnic_group=black]": "10",
        "e[ethnic_group=white]": "40",
    }


# --- a category holding 100 % (rule 6) ----------------------------------------------------


def disability_release(yes: int, no: int, unknown: int) -> Release:
    people = pd.DataFrame({"disability": ["yes", "no", "unknown"], "count": [yes, no, unknown]})
    return release_from_people(people, [TableSpec("d", ["disability"], totals=["disability"])])


def test_breakdown_where_one_category_holds_everyone_is_hidden():
    # yes 0, no 40 (unknown 12): everyone known is "no" -> yes and no hidden; unknown 12
    # -> 10; total 52 -> 50.
    protected = publish(disability_release(0, 40, 12))
    assert displays(protected, "d") == {
        "d[disability=yes]": "[c]",
        "d[disability=no]": "[c]",
        "d[disability=unknown]": "10",
        "d[disability=all]": "50",
    }
    assert audit(protected).passed


def test_audit_flags_a_published_one_category_breakdown():
    release = disability_release(0, 40, 12)
    shown = {
        "d[disability=yes]": 0,
        "d[disability=no]": 40,
        "d[disability=unknown]": 10,
        "d[disability=all]": 50,
    }
    result = audit(hand_protected(release, shown, primary=set()))
    assert not result.passed
    failed = result.failures()
    assert list(failed["check"]) == ["breakdown"]


def test_all_unknown_breakdown_is_not_a_disclosure():
    # nothing is known about anyone: yes 0, no 0, unknown 20 are published as they are
    protected = publish(disability_release(0, 0, 20))
    assert displays(protected, "d") == {
        "d[disability=yes]": "0",
        "d[disability=no]": "0",
        "d[disability=unknown]": "20",
        "d[disability=all]": "20",
    }


# --- rates --------------------------------------------------------------------------------------


def test_rates_from_rounded_parts_and_withheld_when_a_part_is_hidden():
    # q1: base 13 + 35 = 48 -> 50, met 13 -> 15, rate 15/50 = 0.3 (not 13/48)
    # q2: met 5 -> hidden, base 5 + 30 = 35 -> 35: rate withheld
    # q3: nobody: base 0, rate has an empty base (not 0 %)
    people = pd.DataFrame(
        {
            "quarter": ["q1", "q1", "q2", "q2"],
            "met": [True, False, True, False],
            "count": [13, 35, 5, 30],
        }
    )
    quarters = {"quarter": ["q1", "q2", "q3"]}
    release = release_from_people(
        people,
        [
            TableSpec("base", ["quarter"], categories=quarters),
            TableSpec("met", ["quarter"], where={"met": True}, categories=quarters),
        ],
    )
    rates = publish(release).rates("met", "base").set_index("quarter")
    assert rates.loc["q1", "rate"] == pytest.approx(0.3)
    assert list(rates["rate_status"]) == ["published", "withheld", "empty_base"]
    assert pd.isna(rates.loc["q2", "rate"]) and pd.isna(rates.loc["q3", "rate"])
    assert rates.loc["q2", "denominator"] == 35


# --- several tables and several releases --------------------------------------------------


def age_gender_release() -> Release:
    # 21-30: male 11, female 1; 31-40: male 30, female 25
    people = pd.DataFrame(
        {
            "age_band": ["21-30", "21-30", "31-40", "31-40"],
            "gender": ["male", "female", "male", "female"],
            "count": [11, 1, 30, 25],
        }
    )
    return release_from_people(
        people,
        [
            TableSpec("everyone", ["age_band"]),
            TableSpec("male", ["age_band"], where={"gender": "male"}),
            TableSpec("female", ["age_band"], where={"gender": "female"}),
        ],
    )


def test_differencing_two_tables_is_caught():
    # OpenSAFELY's total-vs-male example: everyone 21-30 = 12 -> 10 (8..12), male 21-30
    # = 11 -> 10 (8..12), so female 21-30 = everyone - male <= 12 - 8 = 4.
    shown = {
        "everyone[age_band=21-30]": 10,
        "everyone[age_band=31-40]": 55,
        "male[age_band=21-30]": 10,
        "male[age_band=31-40]": 30,
        "female[age_band=21-30]": None,
        "female[age_band=31-40]": 25,
    }
    naive = hand_protected(age_gender_release(), shown, primary={"female[age_band=21-30]"})
    row = check_for(audit(naive), "female[age_band=21-30]")
    assert not row["passed"]
    assert row["high"] == pytest.approx(4.0)
    protected = publish(age_gender_release())
    assert audit(protected).passed
    everyone, male = displays(protected, "everyone"), displays(protected, "male")
    assert "[c]" in (everyone["everyone[age_band=21-30]"], male["male[age_band=21-30]"])


def test_multi_valued_agency_counts_each_person_once_in_the_total():
    # victim_support only 30, lgbt + victim_support 9, hate_crime 20:
    # victim_support 39 -> 40, lgbt 9 -> hidden (sensitive), hate_crime 20, all 59 -> 60
    # (not the 68 the agency cells add up to). lgbt <= victim_support, but nothing pins it.
    people = pd.DataFrame(
        {
            "agency": [("victim_support",), ("lgbt", "victim_support"), ("hate_crime",)],
            "count": [30, 9, 20],
        }
    )
    protected = publish(
        release_from_people(people, [TableSpec("a", ["agency"], totals=["agency"])])
    )
    assert displays(protected, "a") == {
        "a[agency=hate_crime]": "20",
        "a[agency=lgbt]": "[c]",
        "a[agency=victim_support]": "40",
        "a[agency=all]": "60",
    }


def test_earlier_release_is_part_of_the_audit():
    people = pd.DataFrame({"quarter": ["q1", "q1"], "gender": ["female", "male"], "count": [2, 40]})
    first = publish(release_from_people(people, [TableSpec("q1", ["gender"], totals=["gender"])]))
    # release 1: female [c], male [c], total 40 (as in the one-way case)
    assert displays(first, "q1") == {
        "q1[gender=female]": "[c]",
        "q1[gender=male]": "[c]",
        "q1[gender=all]": "40",
    }
    spec = TableSpec("males", ["quarter"], where={"gender": "male"})
    # On its own, males in q1 = 40 would be shown.
    alone = publish(release_from_people(people, [spec]))
    assert displays(alone, "males") == {"males[quarter=q1]": "40"}
    # With release 1 in view, 40 would give female <= 42 - 38 = 4: it must be hidden.
    second = publish(release_from_people(people, [spec], earlier=[first]))
    assert displays(second, "males") == {"males[quarter=q1]": "[c]"}
    assert audit(second).passed
    naive = ProtectedRelease(alone.tables, alone.cells, (first,), alone.atom_scheme)
    assert not audit(naive).passed


def test_revised_counts_that_contradict_an_earlier_release_are_refused():
    people = pd.DataFrame({"gender": ["female", "male"], "count": [2, 40]})
    spec = TableSpec("t", ["gender"], totals=["gender"])
    first = publish(release_from_people(people, [spec]))  # total 42 shown as 40
    revised = pd.DataFrame({"gender": ["female", "male"], "count": [2, 60]})
    with pytest.raises(DisclosureError) as info:
        publish(release_from_people(revised, [spec], earlier=[first]))
    assert "62" not in str(info.value) and "60" not in str(info.value)


def test_to_dict_round_trip_keeps_what_was_published():
    protected = publish(two_way_release())
    again = ProtectedRelease.from_dict(json.loads(json.dumps(protected.to_dict())))
    pd.testing.assert_frame_equal(again.table("t"), protected.table("t"))
    assert audit(again).passed


# --- the audit's maths on published worked examples ------------------------------------------


def explicit_table(name: str, cells: list[tuple[dict, int, list[str]]], dims) -> Table:
    frame = pd.DataFrame(
        [{**labels, "count": n, "atoms": tuple(atoms)} for labels, n, atoms in cells]
    )
    return Table(name, frame, tuple(dims))


def test_ukhsa_table_1d_fails_the_audit():
    # UKHSA's example: only B,Over30 = 111 and C,Over30 = 17 shown inside the table.
    #        0-30 Over30 Total
    #   A     c     c     11
    #   B     c    111   124
    #   C     c     17    32
    #   Total 38   129   167
    # B,0-30 = 124-111 = 13; C,0-30 = 32-17 = 15; A,0-30 = 38-13-15 = 10; A,Over30 = 11-10 = 1.
    true = {
        ("A", "0-30"): 10,
        ("A", "Over30"): 1,
        ("B", "0-30"): 13,
        ("B", "Over30"): 111,
        ("C", "0-30"): 15,
        ("C", "Over30"): 17,
    }
    cells = []
    for row in ("A", "B", "C", "all"):
        for col in ("0-30", "Over30", "all"):
            atoms = [f"{r}|{c}" for (r, c) in true if row in (r, "all") and col in (c, "all")]
            count = sum(n for (r, c), n in true.items() if f"{r}|{c}" in atoms)
            cells.append(({"row": row, "col": col}, count, atoms))
    release = Release((explicit_table("u", cells, ["row", "col"]),))
    hidden = {
        "u[row=A, col=0-30]",
        "u[row=A, col=Over30]",
        "u[row=B, col=0-30]",
        "u[row=C, col=0-30]",
    }
    shown = {}
    for labels, count, _ in cells:
        key = cell_id("u", tuple(labels.items()))
        shown[key] = None if key in hidden else count
    result = audit(hand_protected(release, shown, primary={"u[row=A, col=Over30]"}))
    row = check_for(result, "u[row=A, col=Over30]")
    assert not row["passed"]
    assert (row["low"], row["high"]) == pytest.approx((1.0, 1.0))


def test_opensafely_heart_disease_column_fails_the_audit():
    # 51 - 10 - 15 - 25 = 1: the redacted 21-30 cell is given away by its column total.
    # The figures are unrounded: the total 51 fails the format check, and read as exact
    # figures (rounded=False) they pin the hidden cell to 1.
    counts = {"11-20": 10, "21-30": 1, "31-40": 15, "41-50": 25}
    cells = [({"age": a}, n, [a]) for a, n in counts.items()]
    cells.append(({"age": "all"}, 51, list(counts)))
    release = Release((explicit_table("h", cells, ["age"]),))
    shown = {cell_id("h", (("age", a),)): n for a, n in counts.items()}
    shown["h[age=21-30]"] = None
    shown["h[age=all]"] = 51
    protected = hand_protected(release, shown, {"h[age=21-30]"})
    result = audit(protected)
    assert not result.passed
    assert not check_for(result, "h[age=all]", "format")["passed"]
    row = check_for(audit(protected, rounded=False), "h[age=21-30]")
    assert (row["low"], row["high"]) == pytest.approx((1.0, 1.0))
    # Read as rounded (10 = 8..12, 15 = 13..17, 25 = 23..27), the cell could be 0..7.
    row = check_for(result, "h[age=21-30]")
    assert (row["low"], row["high"]) == pytest.approx((0.0, 7.0))


def test_inconsistent_hand_made_table_is_refused_without_values():
    # total 4321 is not A + B = 40 + 50
    cells = [({"k": "A"}, 40, ["a"]), ({"k": "B"}, 50, ["b"]), ({"k": "all"}, 4321, ["a", "b"])]
    with pytest.raises(DisclosureError) as info:
        publish(Release((explicit_table("x", cells, ["k"]),)))
    assert "4321" not in str(info.value)


def test_strict_mode_uses_that_hidden_cells_are_not_zero():
    # A=2, B=3, C=0, total 5: all hidden but C. Spec model (hidden >= 0): passes.
    # Strict model: A, B >= 1 so the total >= 2 - it is not 1: fails, and cannot be fixed.
    release = one_way({"A": 2, "B": 3, "C": 0})
    protected = publish(release)
    assert displays(protected) == {
        "t[area=A]": "[c]",
        "t[area=B]": "[c]",
        "t[area=C]": "0",
        "t[area=all]": "[c]",
    }
    strict = audit(protected, strict=True)
    assert check_for(strict, "t[area=all]")["low"] == pytest.approx(2.0)
    with pytest.raises(DisclosureError):
        publish(release, strict=True)


# --- properties ----------------------------------------------------------------------------------

DIM_POOL = {
    "area": ["north", "south"],
    "ethnic_group": ["asian", "black", "white"],
    "gender": ["female", "male", "non_binary"],
    "quarter": ["q1", "q2", "q3"],
}


def expected_threshold(labels: dict) -> int:
    """The test's own reading of the spec: ethnic group, or gender non_binary, -> 10."""
    sensitive = labels.get("ethnic_group", "all") != "all" or labels.get("gender") == "non_binary"
    return 10 if sensitive else 8


@st.composite
def people_frames(draw, max_dims: int = 2, counts=None):
    names = draw(
        st.lists(st.sampled_from(sorted(DIM_POOL)), min_size=1, max_size=max_dims, unique=True)
    )
    cats = {n: DIM_POOL[n][: draw(st.integers(2, len(DIM_POOL[n])))] for n in names}
    combos = list(itertools.product(*cats.values()))
    if counts is None:
        counts = st.one_of(st.integers(0, 9), st.integers(0, 60))
    values = draw(st.lists(counts, min_size=len(combos), max_size=len(combos)))
    totals = draw(st.lists(st.sampled_from(names), unique=True))
    people = pd.DataFrame(
        [
            {**dict(zip(names, c, strict=True)), "count": n}
            for c, n in zip(combos, values, strict=True)
        ]
    )
    return people, names, totals


def true_counts(people: pd.DataFrame, table: pd.DataFrame, dims) -> list[int]:
    out = []
    for _, row in table.iterrows():
        mask = np.ones(len(people), bool)
        for d in dims:
            if row[d] != "all":
                mask &= (people[d] == row[d]).to_numpy()
        out.append(int(people.loc[mask, "count"].sum()))
    return out


@LP_SETTINGS
@given(people_frames(), st.randoms(use_true_random=False))
def test_property_published_tables_follow_the_rules(frame, random):
    people, dims, totals = frame
    release = release_from_people(people, [TableSpec("t", dims, totals=totals)])
    protected = publish(release)
    table = protected.table("t")
    truth = true_counts(people, table, dims)
    for (_, row), n in zip(table.iterrows(), truth, strict=True):
        threshold = expected_threshold({d: row[d] for d in dims})
        if 1 <= n < threshold:
            assert row["display"] == "[c]"
        if row["display"] != "[c]":
            value = int(row["count"])
            assert value % 5 == 0
            assert not 1 <= value < threshold
            assert value == 5 * ((n + 2) // 5)  # its own true count, rounded
            assert protect_count(value, threshold == 10) == value  # idempotent
    assert audit(protected).passed
    # Same output whatever the order of the input rows and of the table's cells.
    shuffled_people = people.sample(frac=1, random_state=random.randint(0, 10_000))
    shuffled = release_from_people(shuffled_people, [TableSpec("t", dims, totals=totals)])
    cells = shuffled.tables[0].cells.sample(frac=1, random_state=random.randint(0, 10_000))
    again = publish(Release((Table("t", cells, tuple(dims)),)))
    assert displays(again) == displays(protected)


@LP_SETTINGS
@given(people_frames(counts=st.sampled_from([0, 10, 15, 20, 35, 50])))
def test_property_publishing_protected_counts_changes_nothing(frame):
    # Counts that are already 0 or multiples of 5 of at least 10 (and so are their sums)
    # come out unchanged and nothing is hidden, unless rule 6 hides a breakdown.
    people, dims, totals = frame
    protected = publish(release_from_people(people, [TableSpec("t", dims, totals=totals)]))
    table = protected.table("t")
    truth = true_counts(people, table, dims)
    if protected.cells["reason"].eq("breakdown").any():
        return
    assert table["display"].tolist() == [str(n) for n in truth]


def brute_force_interval(shown: list[int | None], total: int, target: int, bound: int):
    """Integer min/max of hidden cell `target` of a one-way table by enumeration."""

    def allowed(value):
        if value is None:
            return np.arange(0, bound + 1)
        if value == 0:
            return np.array([0])
        return np.arange(max(value - 2, 8), value + 3)

    grids = np.meshgrid(*[allowed(v) for v in shown], indexing="ij")
    sums = sum(grids)
    ok = (sums >= max(total - 2, 8)) & (sums <= total + 2)
    values = grids[target][ok]
    return values.min(), values.max()


@LP_SETTINGS
@given(
    st.lists(st.integers(0, 30), min_size=2, max_size=3),
    st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_property_audit_interval_matches_brute_force(counts, hide):
    # A one-way table with a published total (>= 8); the first cell is always hidden and
    # small, others hidden at random. For such a table the LP bounds are the integer ones.
    counts = [3, *counts[1:]]
    total = sum(counts)
    if total < 8:
        return
    names = [f"c{i}" for i in range(len(counts))]
    release = one_way(dict(zip(names, counts, strict=True)))
    shown_list = [
        None if i == 0 or (hide[i] and n > 0) or 1 <= n < 8 else round_count(n)
        for i, n in enumerate(counts)
    ]
    shown = {f"t[area={k}]": v for k, v in zip(names, shown_list, strict=True)}
    shown["t[area=all]"] = round_count(total)
    result = audit(hand_protected(release, shown, primary={"t[area=c0]"}))
    row = check_for(result, "t[area=c0]")
    low, high = brute_force_interval(shown_list, round_count(total), 0, round_count(total) + 2)
    assert row["low"] == pytest.approx(low)
    assert row["high"] == pytest.approx(high)
    assert row["passed"] == (low <= 1 and high >= 7)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(people_frames(max_dims=3), st.randoms(use_true_random=False))
def test_slow_property_three_way_tables_and_linked_tables(frame, random):
    people, dims, totals = frame
    specs = [TableSpec("t", dims, totals=totals)]
    specs += [TableSpec(f"m_{d}", [d], totals=[d]) for d in dims]  # linked one-way margins
    protected = publish(release_from_people(people, specs))
    assert audit(protected).passed
    for spec in specs:
        for _, row in protected.table(spec.name).iterrows():
            if row["display"] != "[c]":
                assert int(row["count"]) % 5 == 0


# --- the pcc audience ------------------------------------------------------------------------


def test_pcc_protects_sensitive_cuts_only():
    # pcc: female 3, male 40 and the total 47 are not sensitive, so exact. non_binary 4
    # is hidden (1..9). Exact figures pin it: 47 - 3 - 40 = 4, so complements are needed:
    # first the smallest binding cell, female (3): then non_binary <= 47 - 40 = 7 < 9;
    # then male (40, smaller than the total 47): non_binary can be 0..47.
    people = pd.DataFrame({"gender": ["female", "male", "non_binary"], "count": [3, 40, 4]})
    release = release_from_people(people, [TableSpec("g", ["gender"], totals=["gender"])])
    protected = publish(release, audience="pcc")
    assert displays(protected, "g") == {
        "g[gender=female]": "[c]",
        "g[gender=male]": "[c]",
        "g[gender=non_binary]": "[c]",
        "g[gender=all]": "47",
    }
    assert audit(protected).passed
    assert "Other counts are exact" in protected.legend("g")
    # Round trip keeps the audience (so the exact figures stay exact in later audits).
    again = ProtectedRelease.from_dict(protected.to_dict())
    assert again.audience == "pcc" and audit(again).passed


def test_pcc_release_read_as_public_fails_the_format_check():
    people = pd.DataFrame({"gender": ["female", "male"], "count": [3, 41]})
    release = release_from_people(people, [TableSpec("g", ["gender"], totals=["gender"])])
    protected = publish(release, audience="pcc")
    assert displays(protected, "g") == {
        "g[gender=female]": "3",
        "g[gender=male]": "41",
        "g[gender=all]": "44",
    }
    as_public = ProtectedRelease(protected.tables, protected.cells)
    assert not audit(as_public).passed


# --- input checks -----------------------------------------------------------------------------


def test_table_without_dims_is_a_single_total():
    people = pd.DataFrame({"quarter": ["q1", "q2"], "count": [30, 4]})
    protected = publish(release_from_people(people, [TableSpec("n", [], where={"quarter": "q2"})]))
    assert protected.table("n")["display"].tolist() == ["[c]"]  # 4 people


@pytest.mark.parametrize(
    "people",
    [
        pd.DataFrame({"area": ["a", "all"], "count": [1, 2]}),  # 'all' is for totals
        pd.DataFrame({"area": ["a", None], "count": [1, 2]}),  # missing category
        pd.DataFrame({"area": ["a", "b"], "count": [1, -2]}),  # negative count
        pd.DataFrame({"area": ["a", "b"], "count": [1, 2.5]}),  # not a whole number
        pd.DataFrame({"area": ["a", "b"], "people": [1, 2]}),  # no count column
    ],
)
def test_bad_people_frames_are_refused(people):
    with pytest.raises(ValueError):
        release_from_people(people, [TableSpec("t", ["area"], totals=["area"])])


def test_bad_specs_and_tables_are_refused():
    people = pd.DataFrame({"area": ["a", "b"], "count": [1, 2]})
    with pytest.raises(ValueError):
        release_from_people(people, [TableSpec("t", ["region"])])  # not a column
    with pytest.raises(ValueError):
        release_from_people(people, [TableSpec("t", ["area"], totals=["other"])])
    with pytest.raises(ValueError):
        release_from_people(people, [TableSpec("t", ["area"]), TableSpec("t", ["area"])])
    with pytest.raises(ValueError):  # two cells with the same labels
        explicit_table("x", [({"k": "A"}, 1, ["a"]), ({"k": "A"}, 2, ["b"])], ["k"])
    with pytest.raises(ValueError):  # atoms must be a list, not one string
        Table("x", pd.DataFrame({"k": ["A"], "count": [1], "atoms": ["a"]}), ("k",))
    with pytest.raises(ValueError):  # people counted but no atomic cells named
        explicit_table("x", [({"k": "A"}, 3, [])], ["k"])
    with pytest.raises(ValueError):
        publish(one_way({"A": 1}), audience="everyone")
