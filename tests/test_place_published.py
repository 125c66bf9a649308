"""The public release's table of people referred by area (referred_by_area), on the
PUBLIC_HUB of tests/place_support.py: 36 people referred in April 2026 (2026/27 Q1), 13 in
A01, 1 in A03 and 22 in A02; victims in A04 and with no area, nobody referred.

Worked by hand (spec: disclosure.md rules 2 to 4): A03's 1 is hidden (primary). Rounded to
5, A01 13 -> 15, A02 22 -> 20, the total 36 -> 35. Published as it is, A03 would be
35 - 15 - 20 = 0 give or take the rounding: each published r means r-2..r+2, so A03 lies in
33 - 17 - 22 = -6 .. 37 - 13 - 18 = 6, which rules out 7: the audit must refuse that, so a
second cell is hidden (secondary suppression). A04 and "Not recorded" are published as 0:
nobody was referred from them, a fact, not a gap."""

from __future__ import annotations

import duckdb
import pytest

from metrics.disclosure import ProtectedRelease, audit, publish
from metrics.disclosure.release import make_cells
from metrics.disclosure.rules import labels_are_sensitive, protect_count
from metrics.published import write_public_release
from metrics.published.specs import AREA_TABLE
from tests.place_support import PUBLIC_AS_OF, public_hub, write_warehouse

QUARTER = "2026/27-Q1"


def primary_only(release, audience: str = "public", strict: bool = False) -> ProtectedRelease:
    """An under-protecting 'protector': primary suppression and rounding, no secondary."""
    rows = []
    for table in release.tables:
        for labels, count, atoms in zip(table.labels(), table.cells["count"],
                                        table.cells["atoms"], strict=True):
            shown = protect_count(int(count), table.info.sensitive
                                  or labels_are_sensitive(dict(labels)))
            rows.append((table.name, labels, atoms, shown is None, shown,
                         "primary" if shown is None else "", 0))
    return ProtectedRelease(tuple(t.info for t in release.tables), make_cells(rows),
                            release.earlier, release.atom_scheme, audience)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    return write_warehouse(tmp_path_factory.mktemp("public_place") / "hub.duckdb",
                           public_hub(), PUBLIC_AS_OF, release=False)


@pytest.fixture(scope="module")
def released(hub):
    """The release as the build makes it, and the protected release it was made from."""
    made = []

    def keep(release, **kwargs):
        made.append(publish(release, **kwargs))
        return made[-1]

    con = duckdb.connect(str(hub))
    try:
        result = write_public_release(con, protector=keep)
        rows = con.execute(
            "select category, count, display from published.tables "
            "where period = ? and table_name = ? order by category",
            [QUARTER, AREA_TABLE],
        ).fetchall()
    finally:
        con.close()
    return result, {c: (n, d) for c, n, d in rows}, made


def test_the_area_table_lists_every_area_and_publishes_zero_for_nobody(released):
    result, table, _ = released
    assert result.passed
    assert set(table) == {"A01", "A02", "A03", "A04", "unknown", "all"}
    assert table["A04"] == (0, "0")
    assert table["unknown"] == (0, "0")


def test_a_small_area_is_suppressed_and_a_second_cell_hides_it(released):
    _, table, _ = released
    assert table["A03"] == (None, "[c]")
    # the total is rounded from the unrounded 36; the quarter's other tables give it too
    assert table["all"] == (35, "35")
    hidden = [c for c, (n, _) in table.items() if n is None]
    assert len(hidden) >= 2  # secondary suppression: A03 alone could be worked out
    for count, display in table.values():
        if count is not None:
            assert count % 5 == 0 and display == str(count)
    if table["A02"][0] is not None:
        assert table["A02"][0] == 20  # 22 rounded to the nearest 5
    if table["A01"][0] is not None:
        assert table["A01"][0] == 15  # 13 rounded to the nearest 5


def test_the_release_passes_the_audit(released):
    _, _, made = released
    assert made
    checked = audit(made[-1])
    assert checked.passed
    area_checks = checked.checks[checked.checks["table"] == AREA_TABLE]
    assert (area_checks["check"] == "interval").any()  # A03's interval was checked


def test_without_secondary_suppression_the_audit_refuses_the_quarter(hub, tmp_path):
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(hub.read_bytes())
    con = duckdb.connect(str(copy))
    try:
        result = write_public_release(con, protector=primary_only)
        published = con.execute(
            "select count(*) from published.tables where period = ?", [QUARTER]).fetchone()
    finally:
        con.close()
    assert not result.passed
    (refused,) = result.refused
    assert refused.period.label == QUARTER
    assert AREA_TABLE in refused.message and "A03" in refused.message
    assert published == (0,)
