"""Internals of metrics.disclosure that keep it fast: the distinct atoms of a group of
columns (by counting or by sorting) and the feasibility of all the parts of a system in
one linear programme. Expected values are worked out by hand in the comments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metrics.disclosure.atoms import PeopleAtoms, _unique_rows
from metrics.disclosure.constraints import ConstraintSystem
from metrics.disclosure.release import TableSpec


@pytest.mark.parametrize("sizes", [[2, 3], [10**6, 10**6]])
def test_unique_rows_sorted_with_each_rows_position(sizes):
    # rows (1, 0), (0, 2), (1, 0): distinct rows sorted are (0, 2) then (1, 0);
    # row 0 is the second of them, row 1 the first, row 2 the second again.
    # sizes [2, 3] pack below 6 (found by counting); [10**6, 10**6] do not (by sorting).
    matrix = np.array([[1, 0], [0, 2], [1, 0]], dtype=np.int64)
    keys, inverse = _unique_rows(matrix, sizes)
    assert keys.tolist() == [[0, 2], [1, 0]]
    assert inverse.tolist() == [1, 0, 1]


def test_unique_rows_of_no_rows():
    keys, inverse = _unique_rows(np.zeros((0, 2), dtype=np.int64), [2, 3])
    assert keys.shape == (0, 2) and inverse.tolist() == []


def test_atoms_of_a_crossed_table_count_people_by_hand():
    # 3 + 4 women aged 25-34 (two rows, added), 5 men aged 25-34, 2 men aged 35-44:
    # crossing gender and age gives the atoms female/25-34 = 7, male/25-34 = 5,
    # male/35-44 = 2, and female/35-44 = 0 (nobody: an empty combination).
    people = pd.DataFrame(
        {
            "gender": ["female", "female", "male", "male"],
            "age_band": ["25-34", "25-34", "25-34", "35-44"],
            "count": [3, 4, 5, 2],
        }
    )
    spec = TableSpec("by_gender_and_age", ["gender", "age_band"])
    atoms = PeopleAtoms(people, "count", [spec], "ns")
    cells = atoms.cells(spec)
    labels = zip(cells["gender"], cells["age_band"], strict=True)
    got = dict(zip(labels, cells["count"], strict=True))
    assert got == {
        ("female", "25-34"): 7,
        ("female", "35-44"): 0,
        ("male", "25-34"): 5,
        ("male", "35-44"): 2,
    }


def test_feasible_needs_every_part_feasible():
    # two parts with no atom in common:
    #   part A: row 0 = a1, exactly 5;
    #   part B: row 1 = b1 + b2, exactly 3; row 2 = b1, between `low` and 4.
    # b1 <= 3 (b2 >= 0), so B is feasible for low <= 3 and not for low = 4.
    system = ConstraintSystem([["a1"], ["b1", "b2"], ["b1"]])
    upper = np.array([5.0, 3.0, 4.0])
    assert system.feasible(np.array([5.0, 3.0, 3.0]), upper)
    assert not system.feasible(np.array([5.0, 3.0, 4.0]), upper)
    # part A alone infeasible (a1 = 5 and a1 <= 4) while B is fine
    assert not system.feasible(np.array([5.0, 3.0, 0.0]), np.array([4.0, 3.0, 4.0]))


def test_feasible_with_links_and_empty_rows():
    # a link says g1 + g2 = p (two groups of atoms splitting the same people);
    # row 0 = p exactly 10, row 1 = g1 exactly 4, row 2 = g2 in 6..6 -> feasible;
    # with g2 exactly 7 the link cannot hold (4 + 7 != 10).
    system = ConstraintSystem([["p"], ["g1"], ["g2"], []], [(("g1", "g2"), ("p",))])
    lower = system.with_links(np.array([10.0, 4.0, 6.0, 0.0]))
    upper = system.with_links(np.array([10.0, 4.0, 6.0, 0.0]))
    assert system.feasible(lower, upper)
    upper[2] = lower[2] = 7.0
    assert not system.feasible(lower, upper)
    # an empty row (no atoms) can only be 0
    lower[2] = upper[2] = 6.0
    lower[3] = 1.0
    upper[3] = 1.0
    assert not system.feasible(lower, upper)
    assert ConstraintSystem([[]]).feasible(np.zeros(1), np.zeros(1))


def test_the_same_programme_is_solved_once(monkeypatch):
    # row 0 = a + b exactly 10, row 1 = a at most 4 (through a link, so no shortcut):
    # a can be 0..4. Asking for the interval twice with the same bounds solves two
    # programmes (least and greatest), not four; new bounds solve again.
    import metrics.disclosure.constraints as constraints

    calls = []
    real = constraints.highs.solve

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(constraints.highs, "solve", counting)
    system = ConstraintSystem([["a", "b"], ["a"]], [(("a", "b"), ("p",))])
    lower = system.with_links(np.array([10.0, 0.0]))
    upper = system.with_links(np.array([10.0, 4.0]))
    first = system.interval(1, lower, upper)
    again = system.interval(1, lower, upper)
    assert (first.low, first.high) == (again.low, again.high) == (0.0, 4.0)
    assert len(calls) == 2
    upper[1] = 3.0
    assert system.interval(1, lower, upper).high == 3.0
    assert len(calls) == 4
