"""Helpers for the report tests (no tests here): a small hand-written hub, HTML table
reading, and
a protector that publishes exact counts (to prove the audit and the scan stop it)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from metrics.disclosure import ProtectedRelease
from metrics.disclosure.release import make_cells
from tests.support import warehouse_from_rows

AS_OF = "2026-10-31"  # a Saturday; no bank holidays in September or October 2026


def victim(victim_id: str, gender: str = "female") -> dict:
    return {
        "victim_id": victim_id,
        "age_band": "25-34",
        "gender": gender,
        "ethnic_group": "white",
        "disability": "no",
        "lgbt": "no",
    }


def referral(
    referral_id: str, victim_id: str, referral_date: str, first_contact: str | None
) -> dict:
    return {
        "referral_id": referral_id,
        "victim_id": victim_id,
        "crime_type": "theft",
        "hate_crime": False,
        "domestic_abuse": False,
        "enhanced_rights": False,
        "source": "self",
        "referral_date": referral_date,
        "first_contact_date": first_contact,
    }


def small_hub_tables() -> dict:
    """The small hub every fixture test uses (the arithmetic is in the tests).

    October 2026 (the manager's month): R1 (Mon 5, contacted Tue 6: on time; deadline Wed
    7), R2 (Mon 5, contacted Fri 9: late), R3 (Mon 12, contacted Tue 13: on time), R4
    (Mon 26, never contacted, still open: its deadline Wed 28 is before the as-of date, so
    it is in the base, late, and past its deadline by 31 - 28 = 3 days).
    September 2026: R5, R6 (Mon 7 and Mon 14, contacted next day: on time).
    October 2025 (same month last year): R7 (Mon 6, contacted Tue 7: on time).
    August 2026: P01..P23, all referred Mon 3 Aug: P01..P20 female, P21..P23 non-binary;
    P01..P18 contacted Tue 4 (on time), P19..P23 contacted Mon 10 (late; deadline Wed 5).
    """
    referrals = [
        referral("R1", "V1", "2026-10-05", "2026-10-06"),
        referral("R2", "V2", "2026-10-05", "2026-10-09"),
        referral("R3", "V3", "2026-10-12", "2026-10-13"),
        referral("R4", "V4", "2026-10-26", None),
        referral("R5", "V5", "2026-09-07", "2026-09-08"),
        referral("R6", "V6", "2026-09-14", "2026-09-15"),
        referral("R7", "V7", "2025-10-06", "2025-10-07"),
    ]
    victims = [victim(f"V{i}") for i in range(1, 8)]
    for i in range(1, 24):
        contact = "2026-08-04" if i <= 18 else "2026-08-10"
        referrals.append(referral(f"P{i:02d}", f"W{i:02d}", "2026-08-03", contact))
        victims.append(victim(f"W{i:02d}", "female" if i <= 20 else "non_binary"))
    return {"victims": victims, "referrals": referrals}


def small_hub_file(path: Path) -> Path:
    """The small hub built and copied into a warehouse file."""
    con = warehouse_from_rows(small_hub_tables(), AS_OF)
    try:
        con.execute(f"attach '{path}' as target")
        con.execute("copy from database memory to target")
        con.execute("detach target")
    finally:
        con.close()
    return path


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._table = None
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = self.tables.setdefault(attrs.get("id", ""), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> dict[str, list[list[str]]]:
    """Every table of a page by id: a list of rows (the header row first) of cell texts."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def row_of(table: list[list[str]], first_cell: str) -> list[str]:
    hits = [row for row in table if row and row[0] == first_cell]
    assert len(hits) == 1, (first_cell, [row[0] for row in table])
    return hits[0]


def publish_exact(release, audience: str = "public", strict: bool = False) -> ProtectedRelease:
    """An under-protecting 'protector': every true count published as it is."""
    rows = []
    for table in release.tables:
        for labels, count, atoms in zip(
            table.labels(), table.cells["count"], table.cells["atoms"], strict=True
        ):
            rows.append((table.name, labels, atoms, False, int(count), "", 0))
    return ProtectedRelease(
        tuple(t.info for t in release.tables),
        make_cells(rows),
        release.earlier,
        release.atom_scheme,
        audience,
    )
