"""The referral funnel as drawn: the stages in order, each inside the one before (a
referral counts at a stage only when it reached every stage before it), and the
referrals that skipped a stage on lines of their own.

A stage whose measure the extract lacks (its indicator is `no_data`) has no count, and
neither has any stage after it: "No data" is not 0.
"""

from __future__ import annotations

import pandas as pd

from dashboard import formatting as fmt

STAGES = ["received", "contacted", "assessed", "supported", "completed"]
LABELS = {
    "received": "Received",
    "contacted": "Contacted",
    "assessed": "Needs assessed",
    "supported": "Given support after an assessment",
    "completed": "Support completed",
    "supported_unassessed": "Given support without a needs assessment",
    "completed_unsupported": "Closed as support completed without a recorded service",
}
# the measures each line needs, as stages of the funnel
NEEDS = {
    "received": ["received"],
    "contacted": ["received", "contacted"],
    "assessed": ["received", "contacted", "assessed"],
    "supported": ["received", "contacted", "assessed", "supported"],
    "completed": ["received", "contacted", "assessed", "supported", "completed"],
    "supported_unassessed": ["received", "assessed", "supported"],
    "completed_unsupported": ["received", "supported", "completed"],
}


def rows(counts: pd.DataFrame, statuses: dict[str, str]) -> pd.DataFrame:
    """One row per line: stage (words), stage_name, in_funnel, status, count and share of
    the referrals received. `counts`: the referral_funnel query; `statuses`: each funnel
    stage's indicator status in the period (`ok` or why there is no count)."""
    by_name = dict(zip(counts["stage_name"], counts["referrals"], strict=True))
    suppressed = dict(zip(counts["stage_name"], counts.get("suppressed", pd.Series(
        [""] * len(counts))), strict=True))
    received = by_name.get("received")
    out = []
    for name, label in LABELS.items():
        missing = [statuses.get(n, "no_data") for n in NEEDS[name]
                   if statuses.get(n, "no_data") not in ("ok", "empty_base")]
        count = by_name.get(name)
        status = missing[0] if missing else "ok"
        if status == "ok" and (count is None or pd.isna(count)):
            status = "suppressed" if suppressed.get(name) else "no_data"
        shown = count if status == "ok" else None
        share = (shown / received if shown is not None and received and not pd.isna(received)
                 else None)
        out.append({"stage": label, "stage_name": name, "in_funnel": name in STAGES,
                    "status": status, "count": shown, "share": share})
    return pd.DataFrame(out)


def side_lines(frame: pd.DataFrame) -> list[str]:
    """The lines outside the funnel, in words, each a line of the chart's description
    (Markdown)."""
    parts = []
    for row in frame[~frame["in_funnel"]].itertuples():
        if row.status != "ok":
            parts.append(f"{row.stage}: {fmt.status_label(row.status).lower()}")
        else:
            noun = "referral" if row.count == 1 else "referrals"
            parts.append(f"{row.stage}: {fmt.count(row.count)} {noun} "
                         f"({fmt.percent(row.share)} of those received)")
    return [fmt.md(p) for p in parts]
