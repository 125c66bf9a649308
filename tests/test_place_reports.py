"""The working-together section of the meeting pack and of the PCC review, on the
SMALL_HUB of tests/place_support.py, for April to June 2025 (2025/26 Q1). Worked by hand:

* cases worked on by two or more agencies (April referrals assessed: r1 to r4): r1 has the
  lead agency's service and hate_crime's acceptance (two), r2 older_people only, r3 and r4
  none: 1 of 4 = 25.0%; Wilson 95%: centre (0.25 + 1.96²/8) / (1 + 1.96²/4) = 0.3725,
  half-width 1.96 sqrt(0.25 x 0.75 / 4 + 1.96²/64) / 1.9604 = 0.3269: 4.6% to 69.9%;
  by area A01 1 of 2, A02 0 of 1, no area 0 of 1, A03 nobody;
* no redirected referral: nobody in the base;
* listened to (exit surveys in May): r1 5 and r4 4 yes, r3 2 no: 2 of 3 = 66.7%; by area
  A01 1 of 1, A02 0 of 1, no area 1 of 1, A03 nobody;
* the flow (sent 3 April): hate_crime 1 sent, 1 accepted on Tue 8 April (3 working days);
  older_people 2 sent, 1 accepted on Fri 4 April (1 working day), 1 declined: the smallest
  share accepted, 1 of 2 = 50.0%;
* people referred in the quarter: A01 2 (a1, a2), A02 1, no area 1, A03 0: most from A01,
  2 of 4 = 50.0%, nobody from one area.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics.report import build_report, data, render
from tests.place_support import SMALL_AS_OF, SMALL_HUB, write_warehouse

QUARTER = "2025/26-Q1"


@pytest.fixture(scope="module")
def hub(tmp_path_factory) -> Path:
    return write_warehouse(tmp_path_factory.mktemp("place_reports") / "hub.duckdb", SMALL_HUB,
                           SMALL_AS_OF, release=False)


def section_of(hub: Path, audience: str) -> render.Section:
    con = data.open_warehouse(hub)
    try:
        report = build_report(con, audience, QUARTER)
    finally:
        con.close()
    (found,) = [s for s in report.sections if s.key == "working_together"]
    return found


@pytest.fixture(scope="module")
def manager(hub):
    return section_of(hub, "manager")


@pytest.fixture(scope="module")
def pcc(hub):
    return section_of(hub, "pcc")


def table(section: render.Section, key: str) -> dict[str, list[str]]:
    (found,) = [b for b in section.blocks if isinstance(b, render.Table) and b.key == key]
    return {row[0].text: [c.text for c in row[1:]] for row in found.rows}


def notes(section: render.Section, key: str) -> str:
    (found,) = [b for b in section.blocks if isinstance(b, render.Table) and b.key == key]
    return " ".join(found.notes)


def test_manager_rates_with_base_interval_and_source(manager):
    rates = table(manager, "working_together_rates")
    assert rates["Cases worked on by two or more agencies"] == ["25.0%", "4", "4.6–69.9%"]
    assert rates["Redirected referrals picked up by another agency within 10 working days"][0] \
        == "Nobody in the base"
    assert rates["People who felt listened to"][:2] == ["66.7%", "3"]
    assert "Source: hub case records, hubvalue build" in notes(manager, "working_together_rates")


def test_manager_flow_and_where_it_breaks(manager):
    flow = table(manager, "working_together_flow")
    assert flow["Hate crime service"] == ["1", "1", "0", "0", "0", "0", "3.0 working days"]
    assert flow["Older people's service"] == ["2", "1", "1", "0", "0", "0",
                                              "1.0 working days"]
    assert "Base: 3 agency referrals sent" in notes(manager, "working_together_flow")
    assert ("Where it breaks: Older people's service accepted the smallest share of the "
            "referrals it was sent (50.0%, 1 of 2)") in " ".join(manager.paragraphs)


def test_manager_areas_every_area_listed_and_the_empty_one_says_so(manager):
    areas = table(manager, "working_together_areas")
    assert list(areas) == ["A01", "A02", "A03", "Not recorded"]
    assert areas["A01"] == ["2", "50.0% of 2", "Nobody in the base", "100.0% of 1"]
    assert areas["A02"] == ["1", "0.0% of 1", "Nobody in the base", "0.0% of 1"]
    assert areas["A03"] == ["0", "Nobody in the base", "Nobody in the base",
                            "Nobody in the base"]
    assert areas["Not recorded"] == ["1", "0.0% of 1", "Nobody in the base", "100.0% of 1"]
    assert "Base: 4 people referred in the period" in notes(manager, "working_together_areas")
    assert ("Most people referred came from A01 (2, 50.0%); nobody was referred from 1 area."
            in manager.paragraphs)


def test_pcc_section_is_disclosure_controlled(pcc):
    flow = table(pcc, "working_together_flow")
    # hate crime is a sensitive partner: its 1 is hidden; older people's is exact
    assert flow["Hate crime service"][:2] == ["[c]", "[c]"]
    assert flow["Older people's service"][:3] == ["2", "1", "1"]
    areas = table(pcc, "working_together_areas")
    assert areas["A01"][:2] == ["[c]", "[c]"]  # 2 people; 1 of 2 cases shared
    assert areas["A03"] == ["0", "Nobody in the base", "Nobody in the base",
                            "Nobody in the base"]  # nobody: a 0, not hidden
    # the hub's rates are the PCC review's referral-level figures, as in its other sections
    assert table(pcc, "working_together_rates")["People who felt listened to"][:2] \
        == ["66.7%", "3"]
    assert any("hidden as [c]" in p for p in pcc.paragraphs)


def test_pcc_areas_read_as_a_range_not_beyond_chance(pcc):
    # every area's cases-shared count is hidden or empty for the PCC (1 of 2 in A01, 0
    # of 1 elsewhere: numerators or bases under 8), so no area is shown
    text = " ".join(pcc.paragraphs)
    assert "beyond chance" not in text
    assert ("Cases worked on by two or more agencies: no area shown (small numbers); the "
            "whole hub 25.0%.") in text


def test_manager_areas_read_beyond_chance(manager):
    assert ("Cases worked on by two or more agencies: no area below the whole hub (25.0%) "
            "beyond chance.") in manager.paragraphs
