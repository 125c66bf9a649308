"""metrics.disclosure: atoms per group of linked columns, links, rule 6 on every breakdown
the spec names, and earlier releases (kept, bound again, revised).

Notation as in tests/test_disclosure.py: a published count r means a true value in
r-2..r+2 (and at least the threshold, 8 or 10, when r > 0); [c] means >= 0.
"""

import json

import pandas as pd
import pytest

from metrics.disclosure import (
    DisclosureError,
    ProtectedRelease,
    TableSpec,
    audit,
    publish,
    release_from_people,
)
from metrics.disclosure.release import cell_id, make_cells


def displays(protected: ProtectedRelease, name: str) -> dict[str, str]:
    info = protected.info(name)
    return {
        ",".join(str(row[d]) for d in info.dims) or "-": row["display"]
        for _, row in protected.table(name).iterrows()
    }


def hand_protected(release, shown: dict[str, int | None], primary: set[str]):
    rows = []
    for table in release.tables:
        for labels, atoms in zip(table.labels(), table.cells["atoms"], strict=True):
            key = cell_id(table.name, labels)
            hidden = shown[key] is None
            reason = ("primary" if key in primary else "secondary") if hidden else ""
            rows.append((table.name, labels, atoms, hidden, shown[key], reason, 0))
    return ProtectedRelease(tuple(t.info for t in release.tables), make_cells(rows),
                            release.earlier, release.atom_scheme, "public", release.links)


def true_counts(release) -> dict[str, int]:
    return {
        cell_id(t.name, labels): int(n)
        for t in release.tables
        for labels, n in zip(t.labels(), t.cells["count"], strict=True)
    }


# --- atoms and links ---------------------------------------------------------------------


def test_tables_over_different_columns_are_linked_through_their_people():
    # g by gender (female 9, male 3, no total) and e, everyone (12), share no column, but
    # count the same people. Published female 10 (8..12) and everyone 10 (8..12) give
    # male = everyone - female <= 12 - 8 = 4: the audit must see the link.
    people = pd.DataFrame({"gender": ["female", "male"], "count": [9, 3]})
    release = release_from_people(people, [TableSpec("g", ["gender"]), TableSpec("e", [])])
    assert release.links  # the gender atoms add up to the population atom
    naive = hand_protected(
        release, {"g[gender=female]": 10, "g[gender=male]": None, "e[]": 10}, {"g[gender=male]"}
    )
    failed = audit(naive).failures()
    assert list(failed["cell_id"]) == ["g[gender=male]"]
    assert failed["high"].iloc[0] == pytest.approx(4.0)
    # publish hides female (9), the smaller of the two cells that bind male's bound
    protected = publish(release)
    assert displays(protected, "g") == {"female": "[c]", "male": "[c]"}
    assert displays(protected, "e") == {"-": "10"}
    assert audit(protected).passed


def test_columns_no_table_crosses_get_atoms_of_their_own():
    people = pd.DataFrame(
        {
            "gender": ["female", "female", "male", "male"],
            "age_band": ["25-34", "35-44", "25-34", "35-44"],
            "count": [10, 11, 12, 13],
        }
    )
    separate = release_from_people(
        people, [TableSpec("g", ["gender"]), TableSpec("a", ["age_band"])]
    )
    for table in separate.tables:
        other = "age_band" if table.name == "g" else "gender"
        assert not any(other in atom for atoms in table.cells["atoms"] for atom in atoms)
    assert len(separate.links) == 2  # gender atoms = population, age atoms = population
    crossed = release_from_people(people, [TableSpec("ga", ["gender", "age_band"])])
    atoms = crossed.tables[0].cells["atoms"].iloc[0]
    assert len(atoms) == 1 and "gender" in atoms[0] and "age_band" in atoms[0]


def test_a_listed_category_nobody_is_in_is_not_known_to_be_empty():
    # Everyone is 25-34 (40): rule 6 hides every band, empty ones too. The audit does not
    # take the empty bands as known zeros (an intruder cannot know them), so it cannot
    # prove that one band holds everyone, and the release passes.
    people = pd.DataFrame({"age_band": ["25-34"], "count": [40]})
    spec = TableSpec("a", ["age_band"], totals=["age_band"],
                     categories={"age_band": ["0-17", "18-24", "25-34"]})
    protected = publish(release_from_people(people, [spec]))
    assert displays(protected, "a") == {"0-17": "[c]", "18-24": "[c]", "25-34": "[c]",
                                        "all": "40"}
    assert audit(protected).passed


# --- rule 6 on every breakdown the spec names -------------------------------------------------


def test_rule6_covers_age_band():
    # 0-17 0, 18-24 0, 25-34 40: one band holds everyone -> every band hidden, total 40
    people = pd.DataFrame({"age_band": ["0-17", "18-24", "25-34"], "count": [0, 0, 40]})
    spec = TableSpec("a", ["age_band"], totals=["age_band"])
    protected = publish(release_from_people(people, [spec]))
    assert displays(protected, "a") == {"0-17": "[c]", "18-24": "[c]", "25-34": "[c]",
                                        "all": "40"}
    reasons = protected.cells.set_index("cell_id")["reason"]
    assert reasons["a[age_band=25-34]"] == "breakdown"
    # published as it is, the audit flags it: all bands but one are exactly 0
    release = release_from_people(people, [spec])
    shown = {"a[age_band=0-17]": 0, "a[age_band=18-24]": 0, "a[age_band=25-34]": 40,
             "a[age_band=all]": 40}
    result = audit(hand_protected(release, shown, set()))
    assert list(result.failures()["check"]) == ["breakdown"]


def test_rule6_covers_gender_and_the_hate_crime_and_domestic_abuse_flags():
    people = pd.DataFrame({"gender": ["female", "male"], "hate_crime": [False, False],
                           "domestic_abuse": [True, True], "count": [20, 25]})
    protected = publish(release_from_people(
        people, [TableSpec("gender", ["gender"], totals=["gender"]),
                 TableSpec("hate_crime", ["hate_crime"], totals=["hate_crime"],
                           categories={"hate_crime": [True, False]}),
                 TableSpec("domestic_abuse", ["domestic_abuse"], totals=["domestic_abuse"],
                           categories={"domestic_abuse": [True, False]})]))
    # gender: two groups with people -> published (20, 25 -> 25, total 45)
    assert displays(protected, "gender") == {"female": "20", "male": "25", "all": "45"}
    # nobody a hate crime, everyone domestic abuse: one category holds everyone
    assert displays(protected, "hate_crime") == {"True": "[c]", "False": "[c]", "all": "45"}
    assert displays(protected, "domestic_abuse") == {"True": "[c]", "False": "[c]",
                                                     "all": "45"}


def test_rule6_covers_crime_type_when_one_type_holds_everyone_with_others():
    # Multi-valued: sexual_offence alone 12, sexual_offence and theft 3. Sexual offence
    # holds all 15 people (100 %) although theft has people too: every type is hidden.
    # (Without the rule: sexual offence 15 -> 15 = the total, telling that every person
    # in the table was a victim of a sexual offence.)
    people = pd.DataFrame({"crime_type": [("sexual_offence",), ("sexual_offence", "theft")],
                           "count": [12, 3]})
    spec = TableSpec("c", ["crime_type"], totals=["crime_type"])
    protected = publish(release_from_people(people, [spec]))
    assert displays(protected, "c") == {"sexual_offence": "[c]", "theft": "[c]", "all": "15"}
    assert audit(protected).passed


def test_rule6_leaves_the_lead_agency_alone():
    # Every referral involves the lead agency (victim_support): its 100 % is known to all
    # and tells nothing, so agency breakdowns are not hidden for it. lgbt 12 -> 10.
    people = pd.DataFrame({"agency": [("victim_support",), ("lgbt", "victim_support")],
                           "count": [20, 12]})
    spec = TableSpec("a", ["agency"], totals=["agency"])
    protected = publish(release_from_people(people, [spec]))
    assert displays(protected, "a") == {"lgbt": "10", "victim_support": "30", "all": "30"}


# --- earlier releases: kept without atoms, bound again, revised -------------------------------

# Release 1: A 3 (hidden), B 9 -> 10, C 8 -> 10, total 20. A <= 22 - 8 - 8 = 6, so a
# complement is hidden: C (8), the smallest binding cell. Release 2, a re-issue with one
# more person in C (C 9, total 21): alone it hides B instead (B and C tie at 9; B comes
# first) and shows C 10, which with release 1's B 10 (8..12) and total gives A <= 6.


def one_way(counts: dict[str, int]):
    people = pd.DataFrame({"area": list(counts), "count": list(counts.values())})
    return people, TableSpec("t", ["area"], totals=["area"])


def kept(protected: ProtectedRelease) -> ProtectedRelease:
    """As an archive keeps it: JSON, without atoms or earlier releases."""
    return ProtectedRelease.from_dict(
        json.loads(json.dumps(protected.to_dict(atoms=False, earlier=False)))
    )


def test_a_reissue_that_allows_differencing_fails_the_audit_and_publish_protects_it():
    people1, spec = one_way({"A": 3, "B": 9, "C": 8})
    first_release = release_from_people(people1, [spec])
    first = publish(first_release)
    assert displays(first, "t") == {"A": "[c]", "B": "10", "C": "[c]", "all": "20"}
    counts = true_counts(first_release)
    people2, _ = one_way({"A": 3, "B": 9, "C": 9})
    alone = publish(release_from_people(people2, [spec]))
    assert displays(alone, "t") == {"A": "[c]", "B": "[c]", "C": "10", "all": "20"}
    second = release_from_people(people2, [spec], earlier=[kept(first)],
                                 earlier_counts=[counts])
    # release 1's cells, bound to today's frame, moved by what each cell gained: C +1
    bound = second.earlier[0].cells.set_index("cell_id")["shift"]
    assert bound["t[area=C]"] == 1 and bound["t[area=all]"] == 1 and bound["t[area=A]"] == 0
    naive = ProtectedRelease(alone.tables, alone.cells, second.earlier, alone.atom_scheme,
                             "public", second.links)
    result = audit(naive)
    assert not result.passed
    # A in both releases: <= 22 - 8 - 8 = 6 (B from release 1, C from release 2)
    assert set(result.failures()["cell_id"]) == {"t[area=A]"}
    assert result.failures()["high"].tolist() == pytest.approx([6.0, 6.0])
    protected = publish(second)
    assert displays(protected, "t") == {"A": "[c]", "B": "[c]", "C": "[c]", "all": "20"}
    assert audit(protected).passed


def test_a_revision_that_moves_a_rounded_figure_is_audited_with_its_counts():
    # female 12 -> 10 (8..12) in release 1; the revision has female 13 -> 15. Read as the
    # same people with no change, 13 contradicts 8..12 and the revision is refused; with
    # the counts kept, the bounds move by +1 (9..13) and it is published.
    people1 = pd.DataFrame({"gender": ["female", "male"], "count": [12, 40]})
    spec = TableSpec("g", ["gender"], totals=["gender"])
    first_release = release_from_people(people1, [spec])
    first = publish(first_release)
    people2 = pd.DataFrame({"gender": ["female", "male"], "count": [13, 40]})
    with pytest.raises(DisclosureError):
        publish(release_from_people(people2, [spec], earlier=[first]))
    revised = publish(release_from_people(people2, [spec], earlier=[kept(first)],
                                          earlier_counts=[true_counts(first_release)]))
    assert displays(revised, "g") == {"female": "15", "male": "40", "all": "55"}


def test_a_release_kept_without_atoms_must_be_bound_before_an_audit():
    # A 3 hidden; B 40 (38..42) and the total 43 -> 45 (43..47) leave A in 1..9: no
    # complement.
    people, spec = one_way({"A": 3, "B": 40})
    stored = kept(publish(release_from_people(people, [spec])))
    assert not stored.bound
    assert displays(stored, "t") == {"A": "[c]", "B": "40", "all": "45"}  # still readable
    with pytest.raises(ValueError):
        audit(stored)
    bound = release_from_people(people, [spec], earlier=[stored]).earlier[0]
    assert bound.bound and audit(
        ProtectedRelease(bound.tables, bound.cells, (), bound.atom_scheme)
    ).passed
