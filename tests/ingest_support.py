"""A small valid extract for the ingestion and build tests (no tests here): three victims,
three referrals, and ``write_extract`` to write files (and a manifest) into a folder."""

from __future__ import annotations

import json
from pathlib import Path

VICTIMS = [
    "victim_id,age_band,gender,ethnic_group,disability,lgbt",
    "v1,25-34,female,white,no,no",
    "v2,75+,male,asian,yes,unknown",
    "v3,0-17,non_binary,mixed,no,yes",
]
REFERRALS = [
    "referral_id,victim_id,crime_type,hate_crime,domestic_abuse,enhanced_rights,source,"
    "crime_date,reported_date,consent_date,referral_date,first_contact_date,assessment_date,"
    "closed_date,closure_reason",
    "r1,v1,burglary_residential,no,no,yes,police,2026-01-02,2026-01-03,,2026-01-05,2026-01-06,"
    "2026-01-08,2026-03-01,support_completed",
    "r2,v2,theft,false,false,false,self,,,,2026-02-03,,,,",
    "r3,v3,violence_with_injury,n,y,1,police,2026-04-01,2026-04-01,2026-04-02,2026-04-03,,,,",
]


def write_extract(
    folder: Path, files: dict[str, list[str] | bytes], manifest: dict | None = None
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text("\n".join(content) + "\n", encoding="utf-8")
    if manifest is not None:
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder
