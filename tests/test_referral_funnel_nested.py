"""The operations page's funnel, "by the furthest stage reached", nests: received ⊇
contacted ⊇ assessed ⊇ supported ⊇ completed, and the referrals that skipped a stage
(support without a needs assessment; support completed without a recorded service) are
lines of their own (issue 13, item 4).

Nine referrals received in March 2026 (as-of 30 June 2026):

| referral | contacted | assessed | service | closed support_completed | furthest stage in order |
| r1       | yes       | yes      | yes     | yes                     | completed                |
| r2       | yes       | yes      | yes     | no                      | supported                |
| r3       | yes       | no       | yes     | yes                     | contacted (+ support without assessment) |
| r4       | yes       | yes      | no      | no                      | assessed                 |
| r5       | yes       | no       | no      | no                      | contacted                |
| r6       | no        | no       | no      | no                      | received                 |
| r7       | yes       | yes      | no      | yes                     | assessed (+ completed without a service) |
| r8, r9   | yes       | no       | yes     | no                      | contacted (+ support without assessment) |

Counted stage by stage, as the indicators do, 4 were assessed and 5 given support: the
fault (support above assessment). In order: received 9, contacted 8, assessed 4 (r1, r2,
r4, r7), supported 2 (r1, r2), completed 1 (r1); given support without an assessment 3
(r3, r8, r9); closed as support completed without a service 1 (r7).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard import funnel
from metrics import queries as q
from tests.support import indicator, referral, victim, warehouse_from_rows

MARCH = dt.date(2026, 3, 1)
CONTACTED = {"first_contact_date": "2026-03-03"}
ASSESSED = {"assessment_date": "2026-03-05"}
COMPLETED = {"closed_date": "2026-04-30", "closure_reason": "support_completed"}


def _service(service_id: str, referral_id: str) -> dict:
    return {"service_id": service_id, "referral_id": referral_id, "agency": "victim_support",
            "service_type": "emotional_support", "start_date": "2026-03-10"}


@pytest.fixture(scope="module")
def con():
    rows = {
        "victims": [victim(f"v{i}") for i in range(1, 10)],
        "referrals": [
            referral("r1", "v1", "2026-03-02", **CONTACTED, **ASSESSED, **COMPLETED),
            referral("r2", "v2", "2026-03-02", **CONTACTED, **ASSESSED),
            referral("r3", "v3", "2026-03-02", **CONTACTED, **COMPLETED),
            referral("r4", "v4", "2026-03-02", **CONTACTED, **ASSESSED),
            referral("r5", "v5", "2026-03-02", **CONTACTED),
            referral("r6", "v6", "2026-03-02"),
            referral("r7", "v7", "2026-03-02", **CONTACTED, **ASSESSED, **COMPLETED),
            referral("r8", "v8", "2026-03-02", **CONTACTED),
            referral("r9", "v9", "2026-03-02", **CONTACTED),
        ],
        "services": [_service(f"s{r}", f"r{r}") for r in (1, 2, 3, 8, 9)],
    }
    connection = warehouse_from_rows(rows, "2026-06-30")
    yield connection
    connection.close()


def _funnel(con, audience="manager", agency="all"):
    return q.QUERIES["referral_funnel"].function(con, audience, q.Filters(MARCH, MARCH, agency))


def test_the_stage_by_stage_counts_do_not_nest(con):
    # the indicators count each stage on its own: more given support than assessed
    assert indicator(con, "referrals_assessed", "2026-03-01")["value"] == 4
    assert indicator(con, "referrals_supported", "2026-03-01")["value"] == 5


def test_the_funnel_nests_and_counts_skipped_stages_apart(con):
    counts = _funnel(con)
    assert dict(zip(counts["stage_name"], counts["referrals"], strict=True)) == {
        "received": 9, "contacted": 8, "assessed": 4, "supported": 2, "completed": 1,
        "supported_unassessed": 3, "completed_unsupported": 1}


def test_the_page_draws_the_nested_stages_and_the_extra_lines(con):
    statuses = dict.fromkeys(funnel.STAGES, "ok")
    lines = funnel.rows(_funnel(con), statuses)
    stages = lines[lines["in_funnel"]]
    assert list(stages["count"]) == [9, 8, 4, 2, 1]
    assert list(stages["count"]) == sorted(stages["count"], reverse=True)
    assert list(stages["share"]) == pytest.approx([1, 8 / 9, 4 / 9, 2 / 9, 1 / 9])
    side = lines[~lines["in_funnel"]]
    assert list(side["stage"]) == ["Given support without a needs assessment",
                                   "Closed as support completed without a recorded service"]
    assert list(side["count"]) == [3, 1]
    words = [w.replace("\\", "") for w in funnel.side_lines(lines)]  # Markdown escapes out
    assert words == ["Given support without a needs assessment: 3 referrals (33.3% of those "
                     "received)", "Closed as support completed without a recorded service: "
                     "1 referral (11.1% of those received)"]


def test_a_stage_the_extract_cannot_count_is_no_data_not_zero(con):
    statuses = {**dict.fromkeys(funnel.STAGES, "ok"), "assessed": "no_data"}
    lines = funnel.rows(_funnel(con), statuses).set_index("stage_name")
    assert lines.loc["contacted", "count"] == 8
    for name in ("assessed", "supported", "completed", "supported_unassessed"):
        assert lines.loc[name, "status"] == "no_data"
        assert pd.isna(lines.loc[name, "count"])
    assert lines.loc["completed_unsupported", "count"] == 1


def test_a_sensitive_agency_is_disclosure_controlled_for_the_pcc(con):
    # every referral involves victim_support (not sensitive); none involves lgbt:
    # zeros stay 0, nothing to hide
    lgbt = _funnel(con, "pcc", "lgbt")
    assert list(lgbt["referrals"]) == [0] * 7
    hub = _funnel(con, "pcc", "victim_support")
    assert list(hub["referrals"]) == [9, 8, 4, 2, 1, 3, 1]


def test_a_hidden_count_is_suppressed_not_zero():
    counts = pd.DataFrame({
        "stage_order": range(1, 8), "stage_name": list(funnel.LABELS),
        "referrals": [20.0, 15.0, 10.0, float("nan"), float("nan"), 0.0, 0.0],
        "suppressed": ["", "", "", "fewer than 10", "fewer than 10", "", ""]})
    lines = funnel.rows(counts, dict.fromkeys(funnel.STAGES, "ok")).set_index("stage_name")
    assert list(lines["status"]) == ["ok", "ok", "ok", "suppressed", "suppressed", "ok", "ok"]
    assert pd.isna(lines.loc["supported", "count"])
    assert lines.loc["supported_unassessed", "count"] == 0


def test_the_chart_names_why_a_stage_has_no_count():
    from dashboard import charts

    lines = pd.DataFrame({"stage": ["Received", "Contacted", "Needs assessed"],
                          "count": [20.0, float("nan"), float("nan")],
                          "share": [1.0, float("nan"), float("nan")],
                          "status": ["ok", "suppressed", "no_data"]})
    assert list(charts.funnel(lines).data[0].text) == [
        "20 (100.0%)", "Suppressed (small number)", "No data"]
