"""Write the corpus of malformed hub extracts used by ``tests/test_corpus.py``.

Run ``.venv/bin/python tests/corpus/make_corpus.py`` to rewrite every case folder from this
file (the output is deterministic). Each case is one small folder holding the files of an
extract and an ``expected.json`` with either

* ``{"error": {"file": ..., "contains": ...}}``: the build stops with a one-line error naming
  the file (exit 2), and nothing is loaded; or
* ``{"quarantined": {"<file>": [[row, rule, column], ...]}, "loaded": {"<file>": n}}``: the
  build succeeds; ``quarantined`` lists every quarantined row (files not listed have none),
  ``loaded`` gives the rows loaded from every file of the extract.

The extract is in ``<case>/extract/`` (the folder given to ``hubvalue build --input``).
Optional keys: ``checks`` (SQL run against the new warehouse with the rows it must return),
``output_contains`` (text the terminal must show).

Rows count records after the header (a quoted value spanning lines is one record). Every bad
row carries a value ``SECRET-<case>`` (in a column the row's reason does not depend on) that
must never reach the terminal or the warehouse; it may be kept in the quarantine store.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import duckdb
from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
MANIFEST = {"as_of": "2026-10-31", "period": "2026-10", "source_system": "corpus"}

VICTIMS_HEADER = "victim_id,age_band,gender,ethnic_group,disability,lgbt,area"
VICTIMS = [
    "v1,25-34,female,white,no,no,E05000001",
    "v2,75+,male,asian,yes,unknown,E05000002",
    "v3,0-17,non_binary,mixed,no,yes,",
]
REFERRAL_COLUMNS = [
    "referral_id",
    "victim_id",
    "crime_type",
    "hate_crime",
    "domestic_abuse",
    "enhanced_rights",
    "source",
    "crime_date",
    "reported_date",
    "consent_date",
    "referral_date",
    "first_contact_date",
    "assessment_date",
    "closed_date",
    "closure_reason",
]
REFERRALS_HEADER = ",".join(REFERRAL_COLUMNS)
REFERRALS = [
    "r1,v1,burglary_residential,no,no,yes,police,2026-01-02,2026-01-03,,2026-01-05,2026-01-06,"
    "2026-01-08,2026-03-01,support_completed",
    "r2,v2,theft,false,false,false,self,,,,2026-02-03,,,,",
    "r3,v3,violence_with_injury,n,y,1,police,2026-04-01,2026-04-01,2026-04-02,2026-04-03,,,,",
]
ASSESSMENTS_HEADER = "assessment_id,referral_id,stage,assessment_date,swemwbs,life_satisfaction"
SERVICES_HEADER = "service_id,referral_id,agency,service_type,start_date,end_date,cost_gbp"
AGENCY_HEADER = "agency_referral_id,referral_id,agency,sent_date,outcome,outcome_date"
HEALTH_HEADER = "referral_id,window,gp_appointments,ae_attendances,source"
REPEATS_HEADER = "crime_ref,victim_id,crime_date,crime_type"
SURVEYS_HEADER = (
    "referral_id,survey_date,satisfaction,listened_to,family_benefited,goals_set,goals_achieved"
)
FUNDING_HEADER = "month,agency,amount_gbp"
POPULATION_HEADER = "basis,characteristic,category,people"


def referral(
    referral_id: str,
    victim_id: str = "v1",
    crime_type: str = "theft",
    hate_crime: str = "no",
    domestic_abuse: str = "no",
    enhanced_rights: str = "no",
    source: str = "police",
    reported_date: str = "",
    referral_date: str = "2026-02-10",
    closed_date: str = "",
    closure_reason: str = "",
) -> str:
    values = [
        referral_id,
        victim_id,
        crime_type,
        hate_crime,
        domestic_abuse,
        enhanced_rights,
        source,
        "",
        reported_date,
        "",
        referral_date,
        "",
        "",
        closed_date,
        closure_reason,
    ]
    return ",".join(values)


def text(lines: list[str], newline: str = "\n", encoding: str = "utf-8") -> bytes:
    return (newline.join(lines) + newline).encode(encoding)


def parquet(sql: str) -> bytes:
    """The bytes of a Parquet file written by DuckDB from ``sql``."""
    con = duckdb.connect()
    target = HERE / "_tmp.parquet"
    con.execute(f"copy ({sql}) to '{target}' (format parquet)")
    con.close()
    data = target.read_bytes()
    target.unlink()
    return data


CASES: dict[str, dict] = {}


def case(
    name: str,
    description: str,
    files: dict[str, bytes | list[str] | dict | None],
    expected: dict,
    base: bool = True,
) -> None:
    """Register a case: the base victims, referrals and manifest unless replaced or None."""
    all_files: dict[str, bytes | list[str] | dict | None] = {}
    if base:
        all_files = {
            "victims.csv": [VICTIMS_HEADER, *VICTIMS],
            "referrals.csv": [REFERRALS_HEADER, *REFERRALS],
            "manifest.json": MANIFEST,
        }
    all_files.update(files)
    CASES[name] = {
        "description": description,
        "files": {k: v for k, v in all_files.items() if v is not None},
        "expected": expected,
    }


def secret(name: str, n: int | None = None) -> str:
    return f"SECRET-{name}" + (f"-{n}" if n is not None else "")


def quarantine(rows: dict[str, list], loaded: dict[str, int], **extra) -> dict:
    return {"quarantined": rows, "loaded": loaded, **extra}


def error(file: str, contains: str) -> dict:
    return {"error": {"file": file, "contains": contains}}


BASE_LOADED = {"victims.csv": 3, "referrals.csv": 3}


def orphan_row(name: str) -> list[str]:
    """The base referrals and one more whose victim does not exist (carrying the secret)."""
    return [REFERRALS_HEADER, *REFERRALS, referral(secret(name), victim_id="v9")]


# ---------------------------------------------------------------------------
# A valid extract with every table: the previous warehouse of the corpus tests.

case(
    "valid_baseline",
    "A small valid extract with every table: everything loads.",
    {
        "assessments.csv": [
            ASSESSMENTS_HEADER,
            "a1,r1,intake,2026-01-08,14,5",
            "a2,r1,exit,2026-02-27,21,7",
        ],
        "services.csv": [
            SERVICES_HEADER,
            "s1,r1,victim_support,target_hardening,2026-01-10,2026-01-10,120.00",
        ],
        "agency_referrals.csv": [AGENCY_HEADER, "g1,r1,hate_crime,2026-01-06,accepted,2026-01-07"],
        "health_use.csv": [HEALTH_HEADER, "r1,pre_6m,3,1,self_report"],
        "repeat_crimes.csv": [REPEATS_HEADER, "c1,v1,2026-05-01,theft"],
        "exit_surveys.csv": [SURVEYS_HEADER, "r1,2026-03-01,5,4,yes,3,2"],
        "funding.csv": [FUNDING_HEADER, "2026-01,victim_support,10000"],
        "population.csv": [
            POPULATION_HEADER,
            "recorded_victims,gender,female,1200",
            "recorded_victims,gender,male,1100",
        ],
    },
    quarantine(
        {},
        {
            **BASE_LOADED,
            "assessments.csv": 2,
            "services.csv": 1,
            "agency_referrals.csv": 1,
            "health_use.csv": 1,
            "repeat_crimes.csv": 1,
            "exit_surveys.csv": 1,
            "funding.csv": 1,
            "population.csv": 2,
        },
    ),
)

# ---------------------------------------------------------------------------
# Encodings

name = "utf8_bom"
case(
    name,
    "UTF-8 with a byte order mark: the BOM is not part of the first column's name.",
    {
        "victims.csv": text(
            [VICTIMS_HEADER, *VICTIMS, f",25-34,female,white,no,no,{secret(name)}"],
            encoding="utf-8-sig",
        )
    },
    quarantine(
        {"victims.csv": [[4, "missing_value", "victim_id"]]},
        BASE_LOADED,
        checks=[
            {
                "sql": "select victim_id from raw.victims order by 1",
                "rows": [["v1"], ["v2"], ["v3"]],
            }
        ],
    ),
)

name = "windows_1252"
case(
    name,
    "Windows-1252 from Excel (CRLF) with a curly apostrophe, £, é and €: decoded, not rejected. "
    "A duplicated victim id (smart quotes in its area) quarantines both rows.",
    {
        "victims.csv": text(
            [
                VICTIMS_HEADER,
                "v1,25-34,female,white,no,no,St Mary\u2019s Caf\u00e9 \u00a35 \u20ac",
                *VICTIMS[1:],
                f"v4,35-44,male,black,no,no,\u201c{secret(name, 1)}\u201d",
                f"v4,35-44,male,black,no,no,\u201c{secret(name, 2)}\u201d",
            ],
            newline="\r\n",
            encoding="cp1252",
        )
    },
    quarantine(
        {"victims.csv": [[4, "duplicate_key", "victim_id"], [5, "duplicate_key", "victim_id"]]},
        BASE_LOADED,
        checks=[
            {
                "sql": "select area from raw.victims where victim_id = 'v1'",
                "rows": [["St Mary\u2019s Caf\u00e9 \u00a35 \u20ac"]],
            }
        ],
        output_contains=["victims.csv: decoded from cp1252"],
    ),
)

name = "invalid_encoding"
case(
    name,
    "Bytes that are neither UTF-8 nor Windows-1252 (0x81 is undefined in both): the file stops.",
    {
        "victims.csv": text([VICTIMS_HEADER, *VICTIMS]).replace(b"E05000002", b"E05\x81\xc3(")
        + f"v4,25-34,female,white,no,no,{secret(name)}\n".encode()
    },
    error("victims.csv", "is neither UTF-8 nor Windows-1252 text"),
)

name = "utf16_bom"
case(
    name,
    "UTF-16 (Excel's 'Unicode text') is not a contract encoding: the file stops.",
    {
        "victims.csv": text(
            [VICTIMS_HEADER, *VICTIMS, f"v4,25-34,female,white,no,no,{secret(name)}"],
            newline="\r\n",
            encoding="utf-16",
        )
    },
    error("victims.csv", "is UTF-16 or UTF-32 text"),
)

name = "utf16_no_bom"
case(
    name,
    "UTF-16 without a byte order mark: NUL bytes in the header stop the file.",
    {
        "victims.csv": text(
            [VICTIMS_HEADER, *VICTIMS, f"v4,25-34,female,white,no,no,{secret(name)}"],
            encoding="utf-16-le",
        )
    },
    error("victims.csv", "has NUL bytes in its header"),
)

name = "xlsx_renamed"
case(
    name,
    "A workbook saved with a .csv name (zip bytes): stops on the NUL bytes of its first line.",
    {
        "victims.csv": b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml"
        + secret(name).encode()
        + b"\n\x00\x00"
    },
    error("victims.csv", "has NUL bytes in its header"),
)

# ---------------------------------------------------------------------------
# Line endings and record structure

name = "crlf"
case(
    name,
    "CRLF line endings throughout; a referral after the as-of date is quarantined.",
    {
        "victims.csv": text([VICTIMS_HEADER, *VICTIMS], newline="\r\n"),
        "referrals.csv": text(
            [REFERRALS_HEADER, *REFERRALS, referral(secret(name), referral_date="2026-11-02")],
            newline="\r\n",
        ),
    },
    quarantine({"referrals.csv": [[4, "future_date", "referral_date"]]}, BASE_LOADED),
)

name = "cr_only"
case(
    name,
    "Old Mac line endings (CR only) are read like LF (decision: accepted, as DuckDB reads them).",
    {
        "victims.csv": text([VICTIMS_HEADER, *VICTIMS], newline="\r"),
        "referrals.csv": text(
            [REFERRALS_HEADER, *REFERRALS, referral("r4", crime_type=secret(name))], newline="\r"
        ),
    },
    quarantine({"referrals.csv": [[4, "unknown_code", "crime_type"]]}, BASE_LOADED),
)

name = "mixed_line_endings"
case(
    name,
    "CRLF, LF and CR endings in one file (two exports pasted together): normalised to LF.",
    {
        "referrals.csv": (
            REFERRALS_HEADER
            + "\r\n"
            + REFERRALS[0]
            + "\n"
            + REFERRALS[1]
            + "\r\n"
            + REFERRALS[2]
            + "\r"
            + referral(secret(name), hate_crime="maybe")
            + "\n"
        ).encode()
    },
    quarantine({"referrals.csv": [[4, "invalid_bool", "hate_crime"]]}, BASE_LOADED),
)

name = "quoted_newlines"
case(
    name,
    "Quoted values holding commas and line breaks are one record each.",
    {
        "victims.csv": [
            VICTIMS_HEADER,
            'v1,25-34,female,white,no,no,"North Ward,\nEast"',
            *VICTIMS[1:],
        ],
        "referrals.csv": [
            REFERRALS_HEADER,
            REFERRALS[0],
            referral("r2", crime_type=f'"theft\n{secret(name)}"'),
            REFERRALS[2],
            referral('"r4, part\r\ntwo"', victim_id="v2"),
        ],
    },
    quarantine(
        {"referrals.csv": [[2, "unknown_code", "crime_type"]]},
        BASE_LOADED,
        checks=[
            {
                "sql": "select area from raw.victims where victim_id = 'v1'",
                "rows": [["North Ward,\nEast"]],
            },
            {
                "sql": "select referral_id from raw.referrals order by 1",
                "rows": [["r1"], ["r3"], ["r4, part\r\ntwo"]],
            },
        ],
    ),
)

name = "ragged_short"
case(
    name,
    "A record one field short is quarantined whole (malformed_row, no column).",
    {
        "referrals.csv": [
            REFERRALS_HEADER,
            REFERRALS[0],
            referral(secret(name)).rsplit(",", 1)[0],
            *REFERRALS[1:],
        ]
    },
    quarantine({"referrals.csv": [[2, "malformed_row", None]]}, BASE_LOADED),
)

name = "ragged_long"
case(
    name,
    "A record with one field too many is quarantined whole.",
    {
        "referrals.csv": [
            REFERRALS_HEADER,
            *REFERRALS[:2],
            referral("r9") + f",{secret(name)}",
            REFERRALS[2],
        ]
    },
    quarantine({"referrals.csv": [[3, "malformed_row", None]]}, BASE_LOADED),
)

name = "unterminated_quote"
case(
    name,
    "A quote opened in the last record and never closed: that record is malformed.",
    {
        "referrals.csv": [
            REFERRALS_HEADER,
            *REFERRALS,
            referral("r4", crime_type=f'"{secret(name)}'),
        ]
    },
    quarantine({"referrals.csv": [[4, "malformed_row", None]]}, BASE_LOADED),
)

name = "trailing_delimiter"
case(
    name,
    "A comma at the end of every line gives the header a blank column name: the file stops "
    "(decision: a nameless column could hold anything, identifiers included).",
    {
        "victims.csv": [
            VICTIMS_HEADER + ",",
            *(row + "," for row in VICTIMS),
            f"v4,25-34,female,white,no,no,{secret(name)},",
        ]
    },
    error("victims.csv", "has a blank column name in its header (column 8)"),
)

name = "header_fields_unmatched"
case(
    name,
    "The header names 7 columns but every record has 6: a broken header, the file stops.",
    {
        "victims.csv": [
            VICTIMS_HEADER,
            *(row.rsplit(",", 1)[0] for row in VICTIMS),
            f"{secret(name)},25-34,female,white,no,no",
        ]
    },
    error("victims.csv", "no row has the 7 fields of the header"),
)

name = "blank_lines"
case(
    name,
    "Blank lines are not records: skipped, not counted as rows read.",
    {
        "victims.csv": text([VICTIMS_HEADER, VICTIMS[0], "", VICTIMS[1], "", "", VICTIMS[2], ""]),
        "referrals.csv": [REFERRALS_HEADER, *REFERRALS, referral(secret(name), victim_id="v9")],
    },
    quarantine({"referrals.csv": [[4, "orphan", "victim_id"]]}, BASE_LOADED),
)

name = "nul_in_value"
case(
    name,
    "A NUL byte inside a code: the value is not a code, the row is quarantined.",
    {
        "referrals.csv": text([REFERRALS_HEADER, *REFERRALS])
        + (referral(secret(name), crime_type="the\x00ft") + "\n").encode()
    },
    quarantine({"referrals.csv": [[4, "unknown_code", "crime_type"]]}, BASE_LOADED),
)

# ---------------------------------------------------------------------------
# Headers

reordered_victims = "lgbt,area,victim_id,gender,age_band,disability,ethnic_group"
name = "reordered_headers"
case(
    name,
    "Columns in another order are matched by name; the date-order check uses the right columns.",
    {
        "victims.csv": [
            reordered_victims,
            "no,E05000001,v1,female,25-34,no,white",
            "unknown,E05000002,v2,male,75+,yes,asian",
            "yes,,v3,non_binary,0-17,no,mixed",
        ],
        "referrals.csv": [
            ",".join(reversed(REFERRAL_COLUMNS)),
            *(
                ",".join(reversed(row.split(",")))
                for row in [
                    *REFERRALS,
                    referral(secret(name), reported_date="2026-03-05", referral_date="2026-03-01"),
                ]
            ),
        ],
    },
    quarantine(
        {"referrals.csv": [[4, "date_order", "referral_date"]]},
        BASE_LOADED,
        checks=[
            {
                "sql": "select victim_id, age_band, gender, ethnic_group, disability, lgbt, area "
                "from raw.victims order by 1",
                "rows": [
                    ["v1", "25-34", "female", "white", "no", "no", "E05000001"],
                    ["v2", "75+", "male", "asian", "yes", "unknown", "E05000002"],
                    ["v3", "0-17", "non_binary", "mixed", "no", "yes", None],
                ],
            },
            {
                "sql": "select referral_id, victim_id, crime_type, enhanced_rights, "
                "referral_date::varchar, closed_date::varchar, closure_reason "
                "from raw.referrals order by 1",
                "rows": [
                    [
                        "r1",
                        "v1",
                        "burglary_residential",
                        True,
                        "2026-01-05",
                        "2026-03-01",
                        "support_completed",
                    ],
                    ["r2", "v2", "theft", False, "2026-02-03", None, None],
                    ["r3", "v3", "violence_with_injury", True, "2026-04-03", None, None],
                ],
            },
        ],
    ),
)

name = "duplicate_header"
case(
    name,
    "A column named twice: the file stops (which one is right?).",
    {
        "victims.csv": [
            VICTIMS_HEADER + ",gender",
            *(row + ",female" for row in VICTIMS),
            f"v4,25-34,female,white,no,no,,{secret(name)}",
        ]
    },
    error("victims.csv", "column gender appears twice in the header"),
)

name = "duplicate_header_case"
case(
    name,
    "Header names compare without case and surrounding spaces: 'Gender' and ' gender ' clash.",
    {
        "victims.csv": [
            VICTIMS_HEADER.replace("gender", "Gender") + ", gender ",
            *(row + ",female" for row in VICTIMS),
            f"v4,25-34,female,white,no,no,,{secret(name)}",
        ]
    },
    error("victims.csv", "column gender appears twice in the header"),
)

name = "missing_required_header"
case(
    name,
    "A required column (source) absent from the header: the file stops, naming the column.",
    {
        "referrals.csv": [
            REFERRALS_HEADER.replace(",source,", ","),
            *(row.replace(",police,", ",").replace(",self,", ",") for row in REFERRALS),
            referral(secret(name)).replace(",police,", ","),
        ]
    },
    error("referrals.csv", "required column source is missing"),
)

required_referral_columns = [
    "referral_id",
    "victim_id",
    "crime_type",
    "hate_crime",
    "domestic_abuse",
    "enhanced_rights",
    "source",
    "referral_date",
]
name = "missing_optional_columns"
case(
    name,
    "Optional columns may be absent: they read as empty and are recorded as not in the file.",
    {
        "victims.csv": [VICTIMS_HEADER.rsplit(",", 1)[0], *(r.rsplit(",", 1)[0] for r in VICTIMS)],
        "referrals.csv": [
            ",".join(required_referral_columns),
            "r1,v1,burglary_residential,no,no,yes,police,2026-01-05",
            "r2,v2,theft,false,false,false,self,2026-02-03",
            "r3,v3,violence_with_injury,n,y,1,police,2026-04-03",
            f"{secret(name)},v1,theft,no,no,no,police,",
        ],
    },
    quarantine(
        {"referrals.csv": [[4, "missing_value", "referral_date"]]},
        BASE_LOADED,
        checks=[
            {
                "sql": "select table_name, column_name from meta.source_columns "
                "where not in_file and table_name in ('victims', 'referrals') order by all",
                "rows": [
                    ["referrals", "assessment_date"],
                    ["referrals", "closed_date"],
                    ["referrals", "closure_reason"],
                    ["referrals", "consent_date"],
                    ["referrals", "crime_date"],
                    ["referrals", "first_contact_date"],
                    ["referrals", "reported_date"],
                    ["victims", "area"],
                ],
            }
        ],
    ),
)

name = "extra_columns"
case(
    name,
    "Columns outside the contract are ignored, never read, and listed in the load report "
    "(the secret sits in an ignored column of good rows: it must not be loaded).",
    {
        "victims.csv": [
            VICTIMS_HEADER + ",shoe_size,case_ref",
            *(row + f",9,{secret(name, i)}" for i, row in enumerate(VICTIMS)),
        ]
    },
    quarantine(
        {},
        BASE_LOADED,
        checks=[
            {
                "sql": "select column_name from meta.load_issues "
                "where kind = 'ignored_column' order by 1",
                "rows": [["case_ref"], ["shoe_size"]],
            }
        ],
        output_contains=["victims.csv: column shoe_size is not in the contract"],
    ),
)

for name, file, column, header_of, rows_of in [
    ("identifier_post_code", "victims.csv", "Post Code", VICTIMS_HEADER, VICTIMS),
    ("identifier_dob", "victims.csv", "DOB", VICTIMS_HEADER, VICTIMS),
    ("identifier_email", "referrals.csv", "e-mail", REFERRALS_HEADER, REFERRALS),
]:
    case(
        name,
        f"A direct identifier column ({column!r}) stops the build before anything is loaded.",
        {
            file: [
                f"{header_of},{column}",
                *(f"{row},{secret(name, i)}" for i, row in enumerate(rows_of)),
            ]
        },
        error(file, f"column {column.lower()} looks like a direct identifier"),
    )

name = "identifier_nhs_number"
case(
    name,
    "An NHS number column in an optional table stops the build.",
    {
        "health_use.csv": [
            HEALTH_HEADER + ",NHS_Number",
            f"r1,pre_6m,3,1,self_report,{secret(name)}",
        ]
    },
    error("health_use.csv", "column nhs_number looks like a direct identifier"),
)

name = "identifier_case_notes"
case(
    name,
    "Free-text case notes in a Parquet file stop the build.",
    {
        "assessments.parquet": parquet(
            "select 'a1' as assessment_id, 'r1' as referral_id, 'intake' as stage, "
            f"date '2026-01-08' as assessment_date, 14 as swemwbs, '{secret(name)}' as \"Case notes\""
        )
    },
    error("assessments.parquet", "column case notes looks like a direct identifier"),
)

# Issue 12 (outside attack): identifiers hidden by nesting, look-alike letters, abbreviations.

name = "identifier_nested_struct"
case(
    name,
    "A Parquet struct column full_name (first, last): the stop sees the column itself, not "
    "only its inner fields.",
    {
        "victims.csv": None,
        "victims.parquet": parquet(
            "select 'v' || i as victim_id, '25-34' as age_band, 'female' as gender, "
            "'white' as ethnic_group, 'no' as disability, 'no' as lgbt, "
            f"{{'first': '{secret(name)}', 'last': 'x'}} as full_name from range(1, 4) t(i)"
        ),
    },
    error("victims.parquet", "column full_name looks like a direct identifier"),
)

name = "identifier_nested_field"
case(
    name,
    "A harmless-looking Parquet struct (extras) whose inner field is a phone number.",
    {
        "services.parquet": parquet(
            "select 's1' as service_id, 'r1' as referral_id, 'victim_support' as agency, "
            "'advocacy' as service_type, date '2026-01-10' as start_date, "
            f"{{'phone': '{secret(name)}'}} as extras"
        ),
    },
    error("services.parquet", "column extras.phone looks like a direct identifier"),
)

name = "identifier_nested_map_list"
case(
    name,
    "A Parquet map nhs_number and a list email: named by the column, not key_value/element.",
    {
        "services.parquet": parquet(
            "select 's1' as service_id, 'r1' as referral_id, 'victim_support' as agency, "
            "'advocacy' as service_type, date '2026-01-10' as start_date, "
            f"map(['k'], ['{secret(name)}']) as nhs_number, ['x'] as email"
        ),
    },
    error("services.parquet", "column nhs_number looks like a direct identifier"),
)

name = "nested_contract_column"
case(
    name,
    "A contract column written as a Parquet struct: one plain value per row is needed.",
    {
        "services.parquet": parquet(
            f"select {{'id': '{secret(name)}'}} as service_id, 'r1' as referral_id, "
            "'victim_support' as agency, 'advocacy' as service_type, "
            "date '2026-01-10' as start_date"
        ),
    },
    error("services.parquet", "column service_id is a nested Parquet column"),
)

for name, column, shown in [
    ("identifier_cyrillic_name", "n\u0430me", "n\\u0430me"),
    ("identifier_cyrillic_postcode", "pos\u0442code", "pos\\u0442code"),
    ("identifier_fullwidth_name", "\uff4e\uff41\uff4d\uff45", "\\uff4e\\uff41\\uff4d\\uff45"),
    ("identifier_abbreviation_nhs_no", "NHS_No", "nhs_no"),
    ("identifier_abbreviation_tel", "Tel", "tel"),
    ("identifier_free_text_remarks", "Remarks", "remarks"),
]:
    case(
        name,
        f"A look-alike or abbreviated identifier column ({shown}) stops the build; the "
        "message shows its name escaped.",
        {
            "victims.csv": [
                f"{VICTIMS_HEADER},{column}",
                *(f"{row},{secret(name, i)}" for i, row in enumerate(VICTIMS)),
            ]
        },
        error("victims.csv", f"column {shown} looks like a direct identifier"),
    )

name = "column_name_controls"
case(
    name,
    "An extra column whose name holds an escape sequence and a right-to-left override is "
    "ignored, and its name is escaped on the terminal and in the warehouse.",
    {
        "victims.csv": [
            f"{VICTIMS_HEADER},shoe\x1b[31m\u202esize",
            *(f"{row},{secret(name, i)}" for i, row in enumerate(VICTIMS)),
        ]
    },
    quarantine(
        {},
        BASE_LOADED,
        checks=[
            {
                "sql": "select column_name from meta.load_issues where kind = 'ignored_column'",
                "rows": [["shoe\\x1b[31m\\u202esize"]],
            }
        ],
        output_contains=["column shoe\\x1b[31m\\u202esize is not in the contract"],
    ),
)

name = "repeated_header_row"
case(
    name,
    "The header line again mid-file (two exports pasted together): quarantined as "
    "repeated_header, not loaded as a victim called victim_id.",
    {
        "victims.csv": [VICTIMS_HEADER, VICTIMS[0], VICTIMS_HEADER.upper(), *VICTIMS[1:]],
        "referrals.csv": orphan_row(name),
    },
    quarantine(
        {
            "victims.csv": [[2, "repeated_header", None]],
            "referrals.csv": [[4, "orphan", "victim_id"]],
        },
        {"victims.csv": 3, "referrals.csv": 3},
        checks=[
            {
                "sql": "select count(*) from meta.load_issues where kind = 'code_unmapped'",
                "rows": [[0]],
            }
        ],
    ),
)

# ---------------------------------------------------------------------------
# Dates

name = "excel_serial_dates"
case(
    name,
    "Excel serial day numbers are rejected, never converted.",
    {
        "referrals.csv": [
            REFERRALS_HEADER,
            *REFERRALS,
            referral(secret(name, 1), referral_date="46062"),
            referral(secret(name, 2), referral_date="46062.5"),
        ]
    },
    quarantine(
        {
            "referrals.csv": [
                [4, "invalid_date", "referral_date"],
                [5, "invalid_date", "referral_date"],
            ]
        },
        BASE_LOADED,
    ),
)

name = "ambiguous_dates"
case(
    name,
    "01/02/2026 is 1 February (UK order), never 2 January: with a police report on 20 January "
    "r4 is in order; 02/01/2026 (2 January) is before the report and is quarantined.",
    {
        "referrals.csv": [
            REFERRALS_HEADER,
            *REFERRALS,
            referral("r4", reported_date="2026-01-20", referral_date="01/02/2026"),
            referral(secret(name), reported_date="2026-01-20", referral_date="02/01/2026"),
        ]
    },
    quarantine(
        {"referrals.csv": [[5, "date_order", "referral_date"]]},
        {"victims.csv": 3, "referrals.csv": 4},
        checks=[
            {
                "sql": "select referral_date::varchar from raw.referrals where referral_id = 'r4'",
                "rows": [["2026-02-01"]],
            }
        ],
    ),
)

uk_referrals = [
    "r1,v1,burglary_residential,no,no,yes,police,02/01/2026,03/01/2026,,05/01/2026,06/01/2026,"
    "08/01/2026,01/03/2026,support_completed",
    "r2,v2,theft,false,false,false,self,,,,03/02/2026,,,,",
    "r3,v3,violence_with_injury,n,y,1,police,01/04/2026,01/04/2026,02/04/2026,03/04/2026,,,,",
]
name = "us_dates"
case(
    name,
    "With date_format 'uk', US-order dates (month 13, 29 February 2026) are rejected; "
    "13/01/2026 is 13 January.",
    {
        "manifest.json": {**MANIFEST, "date_format": "uk"},
        "referrals.csv": [
            REFERRALS_HEADER,
            *uk_referrals,
            referral(secret(name, 1), referral_date="01/13/2026"),
            referral(secret(name, 2), referral_date="02/29/2026"),
            referral("r4", referral_date="13/01/2026"),
        ],
    },
    quarantine(
        {
            "referrals.csv": [
                [4, "invalid_date", "referral_date"],
                [5, "invalid_date", "referral_date"],
            ]
        },
        {"victims.csv": 3, "referrals.csv": 4},
        checks=[
            {
                "sql": "select referral_id, referral_date::varchar, closed_date::varchar "
                "from raw.referrals order by 1",
                "rows": [
                    ["r1", "2026-01-05", "2026-03-01"],
                    ["r2", "2026-02-03", None],
                    ["r3", "2026-04-03", None],
                    ["r4", "2026-01-13", None],
                ],
            }
        ],
    ),
)

name = "iso_pinned"
case(
    name,
    "With date_format 'iso', a DD/MM/YYYY date is rejected.",
    {
        "manifest.json": {**MANIFEST, "date_format": "iso"},
        "referrals.csv": [
            REFERRALS_HEADER,
            *REFERRALS,
            referral(secret(name), referral_date="05/02/2026"),
        ],
    },
    quarantine({"referrals.csv": [[4, "invalid_date", "referral_date"]]}, BASE_LOADED),
)

name = "two_digit_years"
case(
    name,
    "Two-digit years and single-digit ISO parts are rejected, never guessed.",
    {
        "referrals.csv": [
            REFERRALS_HEADER,
            *REFERRALS,
            referral(secret(name, 1), referral_date="05/01/26"),
            referral(secret(name, 2), referral_date="26-01-05"),
            referral(secret(name, 3), referral_date="2026-1-5"),
        ]
    },
    quarantine(
        {
            "referrals.csv": [
                [4, "invalid_date", "referral_date"],
                [5, "invalid_date", "referral_date"],
                [6, "invalid_date", "referral_date"],
            ]
        },
        BASE_LOADED,
    ),
)

name = "implausible_years"
case(
    name,
    "Years before 1900 are typing slips (0226 for 2026) and are rejected (decision: one such "
    "date would stretch every monthly series back centuries); 1900 itself is accepted.",
    {
        "referrals.csv": [
            REFERRALS_HEADER,
            *REFERRALS,
            referral(secret(name, 1), referral_date="0226-01-05"),
            referral(secret(name, 2), referral_date="05/01/0226"),
            referral(secret(name, 3), reported_date="1899-12-31"),
            referral("r4", reported_date="1900-01-01"),
        ]
    },
    quarantine(
        {
            "referrals.csv": [
                [4, "invalid_date", "referral_date"],
                [5, "invalid_date", "referral_date"],
                [6, "invalid_date", "reported_date"],
            ]
        },
        {"victims.csv": 3, "referrals.csv": 4},
        checks=[
            {
                "sql": "select reported_date::varchar from raw.referrals where referral_id = 'r4'",
                "rows": [["1900-01-01"]],
            }
        ],
    ),
)

name = "timestamps"
case(
    name,
    "Timestamps give their date; a timestamp with a UTC offset is not a contract form.",
    {
        "referrals.csv": [
            REFERRALS_HEADER,
            *REFERRALS,
            referral("r4", referral_date="2026-03-04 14:05:00"),
            referral("r5", referral_date="04/03/2026 14:05"),
            referral("r6", referral_date="2026-03-04T14:05"),
            referral(secret(name), referral_date="2026-03-04 14:05 +0100"),
        ]
    },
    quarantine(
        {"referrals.csv": [[7, "invalid_date", "referral_date"]]},
        {"victims.csv": 3, "referrals.csv": 6},
        checks=[
            {
                "sql": "select referral_id, referral_date::varchar from raw.referrals "
                "where referral_id in ('r4', 'r5', 'r6') order by 1",
                "rows": [["r4", "2026-03-04"], ["r5", "2026-03-04"], ["r6", "2026-03-04"]],
            }
        ],
    ),
)

name = "future_dates"
case(
    name,
    "Dates after the as-of date (31 October 2026) are quarantined; the as-of date itself is not.",
    {
        "referrals.csv": [
            REFERRALS_HEADER,
            *REFERRALS,
            referral("r4", referral_date="2026-10-31"),
            referral(secret(name, 1), referral_date="2026-11-01"),
        ],
        "assessments.csv": [
            ASSESSMENTS_HEADER,
            "a1,r1,intake,2026-10-31,14,5",
            f"{secret(name, 2)},r2,intake,2027-01-01,14,5",
        ],
        "funding.csv": [
            FUNDING_HEADER,
            "2026-10,victim_support,1000",
            f"2026-11,victim_support,{secret(name, 3)}",
        ],
    },
    quarantine(
        {
            "referrals.csv": [[5, "future_date", "referral_date"]],
            "assessments.csv": [[2, "future_date", "assessment_date"]],
            "funding.csv": [[2, "future_date", "month"]],
        },
        {"victims.csv": 3, "referrals.csv": 4, "assessments.csv": 1, "funding.csv": 1},
    ),
)

# ---------------------------------------------------------------------------
# Values

name = "out_of_range_scores"
case(
    name,
    "Scores outside their ranges, and non-integers, are quarantined; the bounds themselves load.",
    {
        "assessments.csv": [
            "assessment_id,referral_id,stage,assessment_date,swemwbs,life_satisfaction,coping,safety",
            "a1,r1,intake,2026-01-08,7,0,1,5",
            "a2,r1,exit,2026-02-20,35,10,5,1",
            f"{secret(name, 1)},r1,review,2026-02-01,6,,,",
            f"{secret(name, 2)},r1,review,2026-02-02,36,,,",
            f"{secret(name, 3)},r1,review,2026-02-03,,11,,",
            f"{secret(name, 4)},r1,review,2026-02-04,,-1,,",
            f"{secret(name, 5)},r1,review,2026-02-05,,,0,",
            f"{secret(name, 6)},r1,review,2026-02-06,,,,6",
            f"{secret(name, 7)},r1,review,2026-02-07,20.5,,,",
            f"{secret(name, 8)},r1,review,2026-02-08,twenty,,,",
        ]
    },
    quarantine(
        {
            "assessments.csv": [
                [3, "out_of_range", "swemwbs"],
                [4, "out_of_range", "swemwbs"],
                [5, "out_of_range", "life_satisfaction"],
                [6, "out_of_range", "life_satisfaction"],
                [7, "out_of_range", "coping"],
                [8, "out_of_range", "safety"],
                [9, "invalid_number", "swemwbs"],
                [10, "invalid_number", "swemwbs"],
            ]
        },
        {**BASE_LOADED, "assessments.csv": 2},
    ),
)

name = "money_and_numbers"
case(
    name,
    "£ signs and thousands separators are read; '12,50' (a decimal comma) is not guessed; "
    "negative costs and exponents are rejected.",
    {
        "services.csv": [
            SERVICES_HEADER,
            's1,r1,victim_support,target_hardening,2026-01-10,,"£1,250.00"',
            "s2,r1,victim_support,practical_help,2026-01-10,,12.5",
            "s3,r1,victim_support,advocacy,2026-01-10,,",
            f'{secret(name, 1)},r1,victim_support,advocacy,2026-01-10,,"12,50"',
            f"{secret(name, 2)},r1,victim_support,advocacy,2026-01-10,,-5",
            f"{secret(name, 3)},r1,victim_support,advocacy,2026-01-10,,1e3",
            f"{secret(name, 4)},r1,victim_support,advocacy,2026-01-10,2026-01-09,",
        ]
    },
    quarantine(
        {
            "services.csv": [
                [4, "invalid_number", "cost_gbp"],
                [5, "out_of_range", "cost_gbp"],
                [6, "invalid_number", "cost_gbp"],
                [7, "date_order", "end_date"],
            ]
        },
        {**BASE_LOADED, "services.csv": 3},
        checks=[
            {
                "sql": "select service_id, cost_gbp from raw.services order by 1",
                "rows": [["s1", 1250.0], ["s2", 12.5], ["s3", None]],
            }
        ],
    ),
)

name = "booleans"
case(
    name,
    "true/false, yes/no, y/n, 1/0 in any case; anything else, or a blank, is quarantined.",
    {
        "referrals.csv": [
            REFERRALS_HEADER,
            *REFERRALS,
            referral("r4", hate_crime="TRUE", domestic_abuse="Yes", enhanced_rights="Y"),
            referral("r5", hate_crime="0", domestic_abuse="N", enhanced_rights="False"),
            referral(secret(name, 1), hate_crime="maybe"),
            referral(secret(name, 2), domestic_abuse=""),
        ]
    },
    quarantine(
        {
            "referrals.csv": [
                [6, "invalid_bool", "hate_crime"],
                [7, "missing_value", "domestic_abuse"],
            ]
        },
        {"victims.csv": 3, "referrals.csv": 5},
        checks=[
            {
                "sql": "select referral_id, hate_crime, domestic_abuse, enhanced_rights "
                "from raw.referrals where referral_id in ('r4', 'r5') order by 1",
                "rows": [["r4", True, True, True], ["r5", False, False, False]],
            }
        ],
    ),
)

name = "codes_case_and_spaces"
case(
    name,
    "Values are trimmed of white space (spaces, tabs, Excel's no-break space) and codes are "
    "matched ignoring case; an unknown code is quarantined.",
    {
        "victims.csv": [VICTIMS_HEADER, *VICTIMS, " v4 , 35-44 , Female ,WHITE,No,NO,"],
        "referrals.csv": [
            REFERRALS_HEADER,
            *REFERRALS,
            referral("r4", victim_id="v4\u00a0", crime_type=" Theft\t", source="POLICE"),
            referral(secret(name), crime_type="bike_theft"),
        ],
    },
    quarantine(
        {"referrals.csv": [[5, "unknown_code", "crime_type"]]},
        {"victims.csv": 4, "referrals.csv": 4},
        checks=[
            {
                "sql": "select victim_id, age_band, gender, ethnic_group, disability, lgbt "
                "from raw.victims where victim_id = 'v4'",
                "rows": [["v4", "35-44", "female", "white", "no", "no"]],
            },
            {
                "sql": "select crime_type, source from raw.referrals where referral_id = 'r4'",
                "rows": [["theft", "police"]],
            },
        ],
    ),
)

name = "unknown_demographic_codes"
case(
    name,
    "An unknown demographic code reads as 'unknown' and is counted (code_unmapped); the row "
    "loads but the unmapped value itself is kept nowhere.",
    {
        "victims.csv": [
            VICTIMS_HEADER,
            *VICTIMS,
            f"v4,25-34,martian {secret(name)},white,no,no,",
            "v5,25-34,female,White British,no,no,",
            "v6,,female,white,no,no,",
        ]
    },
    quarantine(
        {},
        {"victims.csv": 6, "referrals.csv": 3},
        checks=[
            {
                "sql": "select victim_id, age_band, gender, ethnic_group from raw.victims "
                "where victim_id in ('v4', 'v5', 'v6') order by 1",
                "rows": [
                    ["v4", "25-34", "unknown", "white"],
                    ["v5", "25-34", "female", "unknown"],
                    ["v6", "unknown", "female", "white"],
                ],
            },
            {
                "sql": "select column_name, rows from meta.load_issues "
                "where kind = 'code_unmapped' order by 1",
                "rows": [["ethnic_group", 1], ["gender", 1]],
            },
        ],
        output_contains=["code_unmapped victims.csv: gender: 1 values read as unknown"],
    ),
)

name = "code_map"
case(
    name,
    "code_map.csv maps the CMS's labels to contract codes before validation; a label it does "
    "not map is an unknown code.",
    {
        "code_map.csv": [
            "table,column,source_value,code",
            "referrals,crime_type,Burglary - dwelling,burglary_residential",
            "referrals,source,Police referral,police",
            "victims,gender,F,female",
        ],
        "victims.csv": [VICTIMS_HEADER, *VICTIMS, "v4,25-34,F,white,no,no,"],
        "referrals.csv": [
            REFERRALS_HEADER,
            *REFERRALS,
            referral("r4", crime_type="Burglary - dwelling", source="Police referral"),
            referral(secret(name), crime_type="Shoplifting", source="Police referral"),
        ],
    },
    quarantine(
        {"referrals.csv": [[5, "unknown_code", "crime_type"]]},
        {"victims.csv": 4, "referrals.csv": 4},
        checks=[
            {
                "sql": "select crime_type, source from raw.referrals where referral_id = 'r4'",
                "rows": [["burglary_residential", "police"]],
            },
            {"sql": "select gender from raw.victims where victim_id = 'v4'", "rows": [["female"]]},
        ],
    ),
)

name = "code_map_unknown_column"
case(
    name,
    "A code_map.csv row naming a column the contract does not have stops the build.",
    {
        "code_map.csv": [
            "table,column,source_value,code",
            "referrals,crime_type,Burglary - dwelling,burglary_residential",
            "referrals,offence,Theft,theft",
        ],
        "referrals.csv": orphan_row(name),
    },
    error("code_map.csv", "row 2 names no contract column"),
)

for name, table, column in [
    ("code_map_id_column", "victims", "victim_id"),
    ("code_map_date_column", "referrals", "referral_date"),
]:
    case(
        name,
        f"A code_map.csv row for {column} (not a code) would rewrite ids or dates: refused.",
        {
            "code_map.csv": [
                "table,column,source_value,code",
                "referrals,crime_type,Burglary - dwelling,burglary_residential",
                f"{table},{column},v1,{secret(name)}",
            ],
            "referrals.csv": orphan_row(name),
        },
        error("code_map.csv", f"row 2 maps {table}.{column}, which is not a code column"),
    )

name = "blank_required_values"
case(
    name,
    "A blank required value quarantines the row (missing_value, first such column).",
    {
        "referrals.csv": [
            REFERRALS_HEADER,
            *REFERRALS,
            referral(secret(name, 1), referral_date=""),
            referral("", crime_type=secret(name, 2)),
            referral(secret(name, 3), victim_id=""),
        ]
    },
    quarantine(
        {
            "referrals.csv": [
                [4, "missing_value", "referral_date"],
                [5, "missing_value", "referral_id"],
                [6, "missing_value", "victim_id"],
            ]
        },
        BASE_LOADED,
    ),
)

name = "closure_inconsistent"
case(
    name,
    "closure_reason is present if and only if closed_date is.",
    {
        "referrals.csv": [
            REFERRALS_HEADER,
            *REFERRALS,
            referral(secret(name, 1), closed_date="2026-03-01"),
            referral(secret(name, 2), closure_reason="declined"),
        ]
    },
    quarantine(
        {
            "referrals.csv": [
                [4, "inconsistent", "closure_reason"],
                [5, "inconsistent", "closure_reason"],
            ]
        },
        BASE_LOADED,
    ),
)

name = "agency_referral_rules"
case(
    name,
    "A partner referral sent before the hub received the case, or decided without an outcome "
    "date, is quarantined.",
    {
        "agency_referrals.csv": [
            AGENCY_HEADER,
            "g1,r1,hate_crime,2026-01-06,accepted,2026-01-07",
            "g2,r1,lgbt,2026-01-06,pending,",
            f"{secret(name, 1)},r1,lgbt,2026-01-06,declined,",
            f"{secret(name, 2)},r1,lgbt,2026-01-04,pending,",
        ]
    },
    quarantine(
        {
            "agency_referrals.csv": [
                [3, "missing_value", "outcome_date"],
                [4, "date_order", "sent_date"],
            ]
        },
        {**BASE_LOADED, "agency_referrals.csv": 2},
    ),
)

name = "population_mismatch"
case(
    name,
    "A population category that is not a code of its characteristic, a negative count, an "
    "unknown basis.",
    {
        "population.csv": [
            POPULATION_HEADER,
            "recorded_victims,gender,female,1200",
            "recorded_victims,gender,asian,50",
            "recorded_victims,ethnic_group,white,-1",
            f"{secret(name)},gender,male,1100",
        ]
    },
    quarantine(
        {
            "population.csv": [
                [2, "inconsistent", "category"],
                [3, "out_of_range", "people"],
                [4, "unknown_code", "basis"],
            ]
        },
        {**BASE_LOADED, "population.csv": 1},
    ),
)

# ---------------------------------------------------------------------------
# Keys and orphans

name = "orphans_levels"
case(
    name,
    "Orphans at every level: a duplicated victim quarantines both rows, so that victim's "
    "referral is an orphan, and so are that referral's assessments, partner referrals and "
    "surveys (grandchildren); rows pointing at ids that never existed are orphans too.",
    {
        "victims.csv": [
            VICTIMS_HEADER,
            VICTIMS[0],
            f"v2,75+,male,asian,yes,unknown,{secret(name, 1)}",
            f"v2,75+,male,asian,yes,unknown,{secret(name, 2)}",
            VICTIMS[2],
        ],
        "referrals.csv": [
            REFERRALS_HEADER,
            REFERRALS[0],
            referral(secret(name, 3), victim_id="v2"),
            referral(secret(name, 4), victim_id=secret(name, 5)),
            referral("r4", victim_id="v3"),
        ],
        "assessments.csv": [
            ASSESSMENTS_HEADER,
            "a1,r1,intake,2026-01-08,14,5",
            f"a2,{secret(name, 3)},intake,2026-02-11,14,5",
            f"a3,{secret(name, 6)},intake,2026-02-11,14,5",
        ],
        "services.csv": [
            SERVICES_HEADER,
            f"s1,{secret(name, 4)},victim_support,advocacy,2026-02-11,,",
        ],
        "agency_referrals.csv": [
            AGENCY_HEADER,
            f"g1,{secret(name, 3)},lgbt,2026-02-11,pending,",
            "g2,r1,hate_crime,2026-01-06,accepted,2026-01-07",
        ],
        "exit_surveys.csv": [SURVEYS_HEADER, f"{secret(name, 3)},2026-03-01,5,4,yes,3,2"],
        "health_use.csv": [HEALTH_HEADER, f"{secret(name, 4)},pre_6m,3,1,self_report"],
        "repeat_crimes.csv": [
            REPEATS_HEADER,
            f"{secret(name, 7)},v2,2026-05-01,theft",
            "c2,v1,2026-05-01,theft",
        ],
    },
    quarantine(
        {
            "victims.csv": [[2, "duplicate_key", "victim_id"], [3, "duplicate_key", "victim_id"]],
            "referrals.csv": [[2, "orphan", "victim_id"], [3, "orphan", "victim_id"]],
            "assessments.csv": [[2, "orphan", "referral_id"], [3, "orphan", "referral_id"]],
            "services.csv": [[1, "orphan", "referral_id"]],
            "agency_referrals.csv": [[1, "orphan", "referral_id"]],
            "exit_surveys.csv": [[1, "orphan", "referral_id"]],
            "health_use.csv": [[1, "orphan", "referral_id"]],
            "repeat_crimes.csv": [[1, "orphan", "victim_id"]],
        },
        {
            "victims.csv": 2,
            "referrals.csv": 2,
            "assessments.csv": 1,
            "services.csv": 0,
            "agency_referrals.csv": 1,
            "exit_surveys.csv": 0,
            "health_use.csv": 0,
            "repeat_crimes.csv": 1,
        },
    ),
)

name = "duplicates"
case(
    name,
    "A duplicated key quarantines every row sharing it, in every table; at most one intake "
    "and one exit per referral. (health_use, exit_surveys, funding and population rows have "
    "no free-text column to carry the secret.)",
    {
        "referrals.csv": [
            REFERRALS_HEADER,
            *REFERRALS,
            referral(secret(name, 1)),
            referral(secret(name, 1)),
        ],
        "assessments.csv": [
            ASSESSMENTS_HEADER,
            f"{secret(name, 2)},r1,intake,2026-01-08,14,5",
            f"{secret(name, 3)},r1,intake,2026-01-09,15,5",
            "a3,r1,exit,2026-02-27,21,7",
            f"{secret(name, 4)},r2,review,2026-02-10,18,6",
            f"{secret(name, 4)},r2,review,2026-02-11,19,6",
        ],
        "health_use.csv": [
            HEALTH_HEADER,
            "r1,pre_6m,3,1,self_report",
            "r1,pre_6m,4,1,linked_record",
            "r1,post_6m,1,0,self_report",
        ],
        "exit_surveys.csv": [
            SURVEYS_HEADER,
            "r1,2026-03-01,5,4,yes,3,2",
            "r1,2026-03-02,4,4,yes,3,2",
        ],
        "funding.csv": [
            FUNDING_HEADER,
            "2026-01,victim_support,10000",
            "2026-01,victim_support,12000",
            "2026-01,hate_crime,5000",
        ],
        "population.csv": [
            POPULATION_HEADER,
            "recorded_victims,gender,female,1200",
            "recorded_victims,gender,female,1300",
            "residents,gender,female,90000",
        ],
    },
    quarantine(
        {
            "referrals.csv": [
                [4, "duplicate_key", "referral_id"],
                [5, "duplicate_key", "referral_id"],
            ],
            "assessments.csv": [
                [1, "duplicate_key", "stage"],
                [2, "duplicate_key", "stage"],
                [4, "duplicate_key", "assessment_id"],
                [5, "duplicate_key", "assessment_id"],
            ],
            "health_use.csv": [
                [1, "duplicate_key", "referral_id"],
                [2, "duplicate_key", "referral_id"],
            ],
            "exit_surveys.csv": [
                [1, "duplicate_key", "referral_id"],
                [2, "duplicate_key", "referral_id"],
            ],
            "funding.csv": [[1, "duplicate_key", "month"], [2, "duplicate_key", "month"]],
            "population.csv": [[1, "duplicate_key", "basis"], [2, "duplicate_key", "basis"]],
        },
        {
            **BASE_LOADED,
            "assessments.csv": 1,
            "health_use.csv": 1,
            "exit_surveys.csv": 0,
            "funding.csv": 1,
            "population.csv": 1,
        },
    ),
)

# ---------------------------------------------------------------------------
# Degenerate files

name = "empty_file"
case(
    name,
    "A 0-byte required file stops the build.",
    {
        "victims.csv": b"",
        "assessments.csv": [ASSESSMENTS_HEADER, f"{secret(name)},r1,intake,2026-01-08,14,5"],
    },
    error("victims.csv", "is empty: no header row"),
)

name = "empty_optional_file"
case(
    name,
    "A 0-byte optional file stops the build too (decision: a file that is present must have "
    "its header; leave the file out to say the table is absent).",
    {
        "services.csv": b"",
        "assessments.csv": [ASSESSMENTS_HEADER, f"{secret(name)},r1,intake,2026-01-08,14,5"],
    },
    error("services.csv", "is empty: no header row"),
)

name = "header_only"
case(
    name,
    "A header-only file loads no rows but the table is present (a zero, not 'no data').",
    {
        "services.csv": [SERVICES_HEADER],
        "referrals.csv": [REFERRALS_HEADER, *REFERRALS, referral(secret(name), victim_id="v9")],
    },
    quarantine(
        {"referrals.csv": [[4, "orphan", "victim_id"]]},
        {**BASE_LOADED, "services.csv": 0},
        checks=[
            {
                "sql": "select present, rows_loaded from meta.source_tables "
                "where table_name in ('services', 'assessments') order by table_name desc",
                "rows": [[True, 0], [False, 0]],
            }
        ],
    ),
)

# ---------------------------------------------------------------------------
# Parquet

name = "parquet_zero_bytes"
case(
    name,
    "A 0-byte Parquet file stops the build.",
    {
        "services.parquet": b"",
        "assessments.csv": [ASSESSMENTS_HEADER, f"{secret(name)},r1,intake,2026-01-08,14,5"],
    },
    error("services.parquet", "is not a readable Parquet file"),
)

services_parquet = parquet(
    "select 's' || i as service_id, 'r1' as referral_id, 'victim_support' as agency, "
    "'advocacy' as service_type, date '2026-01-10' + i::int as start_date, "
    f"'{secret('parquet_truncated')}' || i as cost_gbp from range(200) t(i)"
)
name = "parquet_truncated"
case(
    name,
    "A Parquet file cut short (an interrupted copy) stops the build.",
    {"services.parquet": services_parquet[: len(services_parquet) // 2]},
    error("services.parquet", "is not a readable Parquet file"),
)

name = "parquet_text_types"
case(
    name,
    "A Parquet file whose dates, booleans and codes are all strings, dates as DD/MM/YYYY: read "
    "like CSV text; an impossible date is quarantined.",
    {
        "referrals.csv": None,
        "referrals.parquet": parquet(
            "select * from (values "
            "('r1', 'v1', 'burglary_residential', 'N', 'N', 'Y', 'police', '05/01/2026', '01/03/2026', 'support_completed'), "
            "('r2', 'v2', 'theft', 'N', 'N', 'N', 'self', '03/02/2026', null, null), "
            "('r3', 'v3', 'violence_with_injury', 'N', 'Y', 'Y', 'police', '03/04/2026', null, null), "
            f"('{secret(name)}', 'v1', 'theft', 'N', 'N', 'N', 'police', '13/25/2026', null, null)"
            ") t(referral_id, victim_id, crime_type, hate_crime, domestic_abuse, enhanced_rights, "
            "source, referral_date, closed_date, closure_reason)"
        ),
    },
    quarantine(
        {"referrals.parquet": [[4, "invalid_date", "referral_date"]]},
        {"victims.csv": 3, "referrals.parquet": 3},
        checks=[
            {
                "sql": "select referral_id, referral_date::varchar, hate_crime, enhanced_rights "
                "from raw.referrals order by 1",
                "rows": [
                    ["r1", "2026-01-05", False, True],
                    ["r2", "2026-02-03", False, False],
                    ["r3", "2026-04-03", False, True],
                ],
            }
        ],
    ),
)

name = "parquet_typed"
case(
    name,
    "Typed Parquet dates, timestamps (with and without zone) and decimals are read as values, "
    "whatever the manifest's date_format (here 'uk', for the CSV files).",
    {
        "manifest.json": {**MANIFEST, "date_format": "uk"},
        "referrals.csv": [REFERRALS_HEADER, *uk_referrals],
        "services.parquet": parquet(
            "select * from (values "
            "('s1', 'r1', 'victim_support', 'target_hardening', date '2026-01-10', "
            "timestamp '2026-01-12 10:30', 120.50::decimal(10, 2)), "
            "('s2', 'r2', 'victim_support', 'advocacy', date '2026-02-04', null, null), "
            f"('{secret(name)}', 'r2', 'victim_support', 'advocacy', date '2026-02-04', null, "
            "-5.00::decimal(10, 2))"
            ") t(service_id, referral_id, agency, service_type, start_date, end_date, cost_gbp)"
        ),
        "repeat_crimes.parquet": parquet(
            "select 'c1' as crime_ref, 'v1' as victim_id, "
            "timestamptz '2026-05-01 00:30:00+01' as crime_date, 'theft' as crime_type"
        ),
    },
    quarantine(
        {"services.parquet": [[3, "out_of_range", "cost_gbp"]]},
        {**BASE_LOADED, "services.parquet": 2, "repeat_crimes.parquet": 1},
        checks=[
            {
                "sql": "select service_id, start_date::varchar, end_date::varchar, cost_gbp "
                "from raw.services order by 1",
                "rows": [
                    ["s1", "2026-01-10", "2026-01-12", 120.5],
                    ["s2", "2026-02-04", None, None],
                ],
            },
            {
                # 00:30 at UTC+1 is 23:30 UTC on 30 April, and 00:30 BST on 1 May in London.
                "sql": "select crime_date::varchar from raw.repeat_crimes",
                "rows": [["2026-05-01"]],
            },
        ],
    ),
)

name = "parquet_and_csv"
case(
    name,
    "The same table as CSV and Parquet: which is right? The build stops.",
    {
        "victims.parquet": parquet(
            f"select '{secret(name)}' as victim_id, '25-34' as age_band, 'female' as gender, "
            "'white' as ethnic_group, 'no' as disability, 'no' as lgbt"
        )
    },
    error("victims.parquet", "both victims.csv and victims.parquet are present"),
)

# ---------------------------------------------------------------------------
# Manifest, code map, folders

name = "manifest_bad_as_of"
case(
    name,
    "The manifest's as_of must be YYYY-MM-DD.",
    {
        "manifest.json": {**MANIFEST, "as_of": "31/10/2026"},
        "referrals.csv": [REFERRALS_HEADER, *REFERRALS, referral(secret(name), victim_id="v9")],
    },
    error("manifest.json", "'as_of' must be a YYYY-MM-DD date"),
)

for name, as_of in [
    ("manifest_as_of_basic_format", "20261031"),
    ("manifest_as_of_week_date", "2026-W44-6"),
    ("manifest_as_of_number", 20261031),
]:
    case(
        name,
        f"as_of {as_of!r}: Python reads it as a date, the contract does not (YYYY-MM-DD only).",
        {
            "manifest.json": {**MANIFEST, "as_of": as_of},
            "referrals.csv": orphan_row(name),
        },
        error("manifest.json", "'as_of' must be a YYYY-MM-DD date"),
    )

name = "manifest_deeply_nested"
case(
    name,
    "A manifest nested 20,000 deep (40 kB) stops with a one-line error, not a RecursionError.",
    {
        "manifest.json": (
            '{"as_of": "2026-10-31", "extra": ' + "[" * 20000 + "]" * 20000 + "}"
        ).encode(),
        "referrals.csv": orphan_row(name),
    },
    error("manifest.json", "is nested more than 8 levels deep"),
)

name = "manifest_not_json"
case(
    name,
    "A manifest that is not JSON stops the build.",
    {"manifest.json": b"{as_of: 2026-10-31, period: 2026-10", "referrals.csv": orphan_row(name)},
    error("manifest.json", "not valid JSON"),
)

name = "manifest_bad_date_format"
case(
    name,
    "date_format is 'iso' or 'uk', never 'us'.",
    {"manifest.json": {**MANIFEST, "date_format": "us"}, "referrals.csv": orphan_row(name)},
    error("manifest.json", "date_format must be 'iso' or 'uk'"),
)

name = "manifest_bad_coverage"
case(
    name,
    "A coverage date must be YYYY-MM-DD.",
    {
        "manifest.json": {**MANIFEST, "coverage": {"health_use": "30/09/2026"}},
        "referrals.csv": orphan_row(name),
    },
    error("manifest.json", "'coverage.health_use' must be a YYYY-MM-DD date"),
)

name = "no_as_of"
case(
    name,
    "No --as-of, no manifest as_of, and a folder not named by its period: the build asks.",
    {
        "manifest.json": None,
        "referrals.csv": [REFERRALS_HEADER, *REFERRALS, referral(secret(name), victim_id="v9")],
    },
    error("extract", "no as-of date"),
)

name = "missing_required_table"
case(
    name,
    "No referrals file: the build stops.",
    {
        "referrals.csv": None,
        "assessments.csv": [ASSESSMENTS_HEADER, f"{secret(name)},r1,intake,2026-01-08,14,5"],
    },
    error("extract", "required table referrals is missing"),
)

name = "table_file_is_folder"
case(
    name,
    "A folder named like a table file is not silently skipped: the build stops.",
    {"services.csv/README.txt": [f"{secret(name)}"]},
    error("services.csv", "is a folder, not a file"),
)

name = "unknown_files_ignored"
case(
    name,
    "Files that are not contract tables are never opened, and are listed as ignored.",
    {
        "notes.txt": [f"call back {secret(name, 1)}"],
        "victims_old.csv": [VICTIMS_HEADER, f"{secret(name, 2)},25-34,female,white,no,no,"],
    },
    quarantine(
        {},
        BASE_LOADED,
        checks=[
            {
                "sql": "select file_name from meta.load_issues where kind = 'ignored_file' "
                "order by 1",
                "rows": [["notes.txt"], ["victims_old.csv"]],
            }
        ],
    ),
)

name = "snapshot_folders"
case(
    name,
    "A folder of period snapshots: only the latest (2026-10) is read, its as-of date from its "
    "name; the older one (which would stop the build) is never opened.",
    {
        "2026-09/victims.csv": [
            VICTIMS_HEADER + ",Full Name",
            *(f"{row},{secret(name, 1)}" for row in VICTIMS),
        ],
        "2026-09/referrals.csv": [REFERRALS_HEADER, *REFERRALS],
        "2026-10/victims.csv": [VICTIMS_HEADER, *VICTIMS],
        "2026-10/referrals.csv": [
            REFERRALS_HEADER,
            *REFERRALS,
            referral(secret(name, 2), victim_id="v9"),
        ],
    },
    quarantine(
        {"referrals.csv": [[4, "orphan", "victim_id"]]},
        BASE_LOADED,
        checks=[
            {
                "sql": "select as_of::varchar, as_of_source, period from meta.build",
                "rows": [["2026-10-31", "folder name", "2026-10"]],
            }
        ],
    ),
    base=False,
)


# ---------------------------------------------------------------------------
# Excel workbooks (issue 17). Written uncompressed (a valid .xlsx), so the cases' SECRET-
# values are findable in the bytes, with fixed times, so the bytes are reproducible.

XLSX_TIME = (2026, 1, 1, 0, 0, 0)


def cells(line: str, dates: bool = True) -> list:
    """A CSV line of the corpus as the cells a system's export holds: ISO dates as date
    cells (with ``dates``), the rest as text."""
    out: list = []
    for value in line.split(","):
        if dates and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            out.append(dt.date.fromisoformat(value))
        else:
            out.append(value or None)
    return out


def xlsx(
    sheets: dict[str, list[list]],
    hidden: tuple[str, ...] = (),
    formulas: dict[tuple[int, str], str] | None = None,
) -> bytes:
    """The bytes of a workbook with these sheets (rows of cells), reproducibly. ``formulas``
    puts, at (sheet number from 1, cell such as C2), a cell's XML as Excel saves a formula:
    the formula and its cached value (openpyxl writes formulas without one)."""
    book = Workbook()
    book.remove(book.active)
    for sheet_name, rows in sheets.items():
        sheet = book.create_sheet(sheet_name)
        for row in rows:
            sheet.append(row)
        if sheet_name in hidden:
            sheet.sheet_state = "hidden"
    book.properties.creator = "corpus"
    buffer = io.BytesIO()
    book.save(buffer)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            for (number, ref), cell_xml in (formulas or {}).items():
                if info.filename == f"xl/worksheets/sheet{number}.xml":
                    data = re.sub(
                        rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)'.encode(), cell_xml.encode(), data
                    )
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", b"2026-01-01T00:00:00Z", data
                )
            target.writestr(zipfile.ZipInfo(info.filename, XLSX_TIME), data)
    return out.getvalue()


XLSX_REFERRALS = [REFERRAL_COLUMNS, *(cells(line) for line in REFERRALS)]

name = "xlsx_workbook_per_table"
case(
    name,
    "referrals.xlsx, one workbook per table, its one sheet named Export: date cells read as "
    "dates, a serial number in a date column as a date; an orphan quarantined by its sheet row "
    "(the header is on row 2, below an empty row 1).",
    {
        "referrals.csv": None,
        "referrals.xlsx": xlsx(
            {
                "Export": [
                    [],
                    REFERRAL_COLUMNS,
                    *XLSX_REFERRALS[1:],
                    cells(referral("r4", referral_date="2026-02-11")),
                    cells(referral(secret(name), victim_id="v9")),
                ]
            }
        ),
    },
    quarantine(
        {"referrals.xlsx!Export": [[7, "orphan", "victim_id"]]},
        {"victims.csv": 3, "referrals.xlsx!Export": 4},
        checks=[
            {
                "sql": "select referral_id, referral_date::varchar from raw.referrals "
                "where referral_id in ('r1', 'r4') order by 1",
                "rows": [["r1", "2026-01-05"], ["r4", "2026-02-11"]],
            }
        ],
    ),
)

name = "xlsx_serial_date"
case(
    name,
    "A number in a date cell is an Excel serial (46063 is 2026-02-10); the same digits typed "
    "as text are not a date, never guessed.",
    {
        "referrals.csv": None,
        "referrals.xlsx": xlsx(
            {
                "referrals": [
                    *XLSX_REFERRALS,
                    [*cells(referral("r4"))[:10], 46063],
                    [*cells(referral(secret(name)))[:10], "46063"],
                ]
            }
        ),
    },
    quarantine(
        {"referrals.xlsx!referrals": [[6, "invalid_date", "referral_date"]]},
        {"victims.csv": 3, "referrals.xlsx!referrals": 4},
        checks=[
            {
                "sql": "select referral_date::varchar from raw.referrals where referral_id = 'r4'",
                "rows": [["2026-02-10"]],
            }
        ],
    ),
)

name = "xlsx_hidden_sheet"
case(
    name,
    "A hidden sheet is never read (its rows would load unseen) and is reported.",
    {
        "referrals.csv": None,
        "referrals.xlsx": xlsx(
            {
                "referrals": XLSX_REFERRALS,
                "old": [REFERRAL_COLUMNS, cells(referral(secret(name)))],
            },
            hidden=("old",),
        ),
    },
    quarantine(
        {},
        {"victims.csv": 3, "referrals.xlsx!referrals": 3},
        output_contains=["referrals.xlsx!old: a hidden sheet, not read"],
    ),
)

name = "xlsx_two_sheets_one_table"
case(
    name,
    "A workbook with two sheets for one table ('referrals' and 'referrals ', names compare "
    "without case and surrounding spaces): which is right? The build stops.",
    {
        "referrals.csv": None,
        "hub.xlsx": xlsx(
            {
                "referrals": XLSX_REFERRALS,
                "referrals ": [REFERRAL_COLUMNS, cells(referral(secret(name)))],
            }
        ),
    },
    error("hub.xlsx", "has two sheets for the table referrals"),
)

name = "xlsx_sheet_missing"
case(
    name,
    "A workbook of tables without the required referrals sheet: the build stops.",
    {
        "referrals.csv": None,
        "hub.xlsx": xlsx({"Referrals export": [REFERRAL_COLUMNS, cells(referral(secret(name)))]}),
    },
    error("extract", "required table referrals is missing"),
)

name = "xlsx_identifier_column"
case(
    name,
    "A sheet with a client's name column stops the build, as in a CSV file.",
    {
        "referrals.csv": None,
        "hub.xlsx": xlsx(
            {
                "referrals": [
                    [*REFERRAL_COLUMNS, "Client Name"],
                    *([*row, secret(name)] for row in XLSX_REFERRALS[1:]),
                ]
            }
        ),
    },
    error("hub.xlsx!referrals", "column client name looks like a direct identifier"),
)

name = "xlsx_formula_cached_value"
case(
    name,
    "Formula cells give the value Excel saved with them, never the formula's text: a funding "
    "amount =SUM(9000,250.5) loads as 9250.5; a crime type computed as a text that is no code "
    "is quarantined (its formula text is kept nowhere).",
    {
        "referrals.csv": None,
        "referrals.xlsx": xlsx(
            {"referrals": [*XLSX_REFERRALS, cells(referral("r4", crime_type="placeholder"))]},
            formulas={
                (1, "C5"): f'<c r="C5" t="str"><f>"{secret(name)}"&amp;"-typed"</f>'
                f"<v>{secret(name)}</v></c>"
            },
        ),
        "funding.xlsx": xlsx(
            {"funding": [FUNDING_HEADER.split(","), ["2026-01", "victim_support", 0]]},
            formulas={(1, "C2"): '<c r="C2"><f>SUM(9000,250.5)</f><v>9250.5</v></c>'},
        ),
    },
    quarantine(
        {"referrals.xlsx!referrals": [[5, "unknown_code", "crime_type"]]},
        {"victims.csv": 3, "referrals.xlsx!referrals": 3, "funding.xlsx!funding": 1},
        checks=[{"sql": "select amount_gbp from raw.funding", "rows": [[9250.5]]}],
    ),
)

XLSX_SYSTEM_NAMES = {"referral_id": "Case Ref", "referral_date": "Date Referred"}
name = "xlsx_column_map"
case(
    name,
    "The system's own column names, mapped by column_map.csv; a label code_map.csv does not "
    "map is still an unknown code, quarantined by its sheet row.",
    {
        "referrals.csv": None,
        "referrals.xlsx": xlsx(
            {
                "referrals": [
                    [XLSX_SYSTEM_NAMES.get(c, c) for c in REFERRAL_COLUMNS],
                    *XLSX_REFERRALS[1:],
                    cells(referral("r4", crime_type=secret(name))),
                ]
            }
        ),
        "column_map.csv": [
            "table,source_column,contract_column",
            "referrals,Case Ref,referral_id",
            "referrals,Date Referred,referral_date",
        ],
    },
    quarantine(
        {"referrals.xlsx!referrals": [[5, "unknown_code", "crime_type"]]},
        {"victims.csv": 3, "referrals.xlsx!referrals": 3},
    ),
)

name = "xlsx_column_map_unmapped_required"
case(
    name,
    "A column map for referrals that leaves the required referral_date neither mapped nor in "
    "the sheet: the build stops, naming the map's line.",
    {
        "referrals.csv": None,
        "hub.xlsx": xlsx(
            {
                "referrals": [
                    [XLSX_SYSTEM_NAMES.get(c, c) for c in REFERRAL_COLUMNS],
                    cells(referral(secret(name))),
                ]
            }
        ),
        "column_map.csv": ["table,source_column,contract_column", "referrals,Case Ref,referral_id"],
    },
    error("column_map.csv", "line 2: the required column referrals.referral_date is neither"),
)


# ---------------------------------------------------------------------------


def write_case(name: str, spec: dict) -> None:
    folder = HERE / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    for file_name, content in spec["files"].items():
        path = folder / "extract" / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict):
            path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(text(content))
    expected = {"description": spec["description"], **spec["expected"]}
    (folder / "expected.json").write_text(dumps(expected) + "\n", encoding="utf-8")


def dumps(value: object) -> str:
    """Indented JSON with each innermost list ([row, rule, column], a result row) on one line."""
    text_ = json.dumps(value, indent=2, ensure_ascii=False)
    return re.sub(
        r"\[\n\s+([^\[\]{}]*?)\n\s*\]",
        lambda m: "[" + ", ".join(item.strip() for item in m.group(1).split(",\n")) + "]",
        text_,
    )


def main() -> None:
    for old in HERE.iterdir():
        if old.is_dir() and (old / "expected.json").exists() and old.name not in CASES:
            shutil.rmtree(old)
    for name, spec in CASES.items():
        write_case(name, spec)
    print(f"{len(CASES)} cases written to {HERE}")


if __name__ == "__main__":
    main()
