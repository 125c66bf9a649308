"""Ingestion: every row read is loaded or quarantined, with the right reason, and no value leaks.

Each case starts from a small valid extract, breaks one thing, and checks the
load report, the quarantine store and the text a user would see.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from metrics.ingest import ingest
from metrics.snapshot import ExtractError, locate
from tests.ingest_support import REFERRALS, VICTIMS, write_extract

AS_OF = "2026-10-31"
# Values that must never be printed: each is unique enough to search for.
SECRET_VICTIM = "VQ7SECRETX"

def load(folder: Path, as_of: str | None = AS_OF):
    con = duckdb.connect()
    con.execute("create schema quarantine")
    result = ingest(con, locate(folder, as_of))
    return con, result


def file_report(result, file_name: str):
    return next(f for f in result.report.files if f.file_name == file_name)


def quarantined(con, table: str) -> list[tuple[int, str, str]]:
    return con.execute(
        "select record_number, rule, column_name from quarantine.rows where table_name = ? "
        "order by record_number",
        [table],
    ).fetchall()


def assert_accounting(result) -> None:
    for f in result.report.files:
        assert f.rows_read == f.rows_loaded + f.rows_quarantined, f.file_name


def test_valid_extract_loads_every_row(tmp_path):
    con, result = load(
        write_extract(tmp_path / "x", {"victims.csv": VICTIMS, "referrals.csv": REFERRALS})
    )
    assert file_report(result, "victims.csv").rows_loaded == 3
    assert file_report(result, "referrals.csv").rows_loaded == 3
    assert con.execute("select count(*) from quarantine.rows").fetchone()[0] == 0
    # Types are the contract's: r3 is a domestic abuse referral, consented on 2 April.
    row = con.execute(
        "select domestic_abuse, enhanced_rights, consent_date from raw.referrals where referral_id = 'r3'"
    ).fetchone()
    assert row == (True, True, dt.date(2026, 4, 2))


def test_crlf_and_windows_1252(tmp_path):
    # Windows-1252 with CRLF: an area with a curly apostrophe (0x92) and an e-acute (0xE9).
    victims = [VICTIMS[0] + ",area", VICTIMS[1] + ",St Mary\u2019s Caf\u00e9"]
    victims += [row + "," for row in VICTIMS[2:]]
    folder = write_extract(
        tmp_path / "x",
        {
            "victims.csv": ("\r\n".join(victims) + "\r\n").encode("cp1252"),
            "referrals.csv": ("\r\n".join(REFERRALS) + "\r\n").encode("cp1252"),
        },
    )
    con, result = load(folder)
    assert file_report(result, "victims.csv").encoding == "cp1252"
    area = con.execute("select area from raw.victims where victim_id = 'v1'").fetchone()[0]
    assert area == "St Mary\u2019s Caf\u00e9"
    assert file_report(result, "referrals.csv").rows_loaded == 3


def test_utf8_bom_header_is_read(tmp_path):
    folder = write_extract(tmp_path / "x", {"referrals.csv": REFERRALS})
    (folder / "victims.csv").write_bytes(("\n".join(VICTIMS) + "\n").encode("utf-8-sig"))
    con, result = load(folder)
    assert file_report(result, "victims.csv").rows_loaded == 3


def test_uk_and_iso_dates_and_timestamps(tmp_path):
    referrals = REFERRALS[:1] + [
        "r1,v1,theft,no,no,no,police,,,,05/01/2026,2026-01-06 14:05:00,,,",
        "r2,v2,theft,no,no,no,police,,,,06/01/2026 09:30,,,,",
    ]
    con, _ = load(
        write_extract(tmp_path / "x", {"victims.csv": VICTIMS, "referrals.csv": referrals})
    )
    rows = con.execute(
        "select referral_date, first_contact_date from raw.referrals order by 1"
    ).fetchall()
    assert rows == [(dt.date(2026, 1, 5), dt.date(2026, 1, 6)), (dt.date(2026, 1, 6), None)]


def test_us_dates_serials_and_two_digit_years_are_rejected_not_guessed(tmp_path):
    referrals = REFERRALS[:1] + [
        "r1,v1,theft,no,no,no,police,,,,01/13/2026,,,,",  # US order: month 13 does not exist
        "r2,v2,theft,no,no,no,police,,,,46023,,,,",  # Excel serial number
        "r3,v3,theft,no,no,no,police,,,,05/01/26,,,,",  # two-digit year
    ]
    con, result = load(
        write_extract(tmp_path / "x", {"victims.csv": VICTIMS, "referrals.csv": referrals})
    )
    assert quarantined(con, "referrals") == [
        (1, "invalid_date", "referral_date"),
        (2, "invalid_date", "referral_date"),
        (3, "invalid_date", "referral_date"),
    ]
    assert_accounting(result)


def test_manifest_pins_date_format(tmp_path):
    referrals = REFERRALS[:1] + ["r1,v1,theft,no,no,no,police,,,,2026-01-05,,,,"]
    folder = write_extract(
        tmp_path / "x",
        {"victims.csv": VICTIMS, "referrals.csv": referrals},
        manifest={"as_of": AS_OF, "date_format": "uk"},
    )
    con, _ = load(folder, as_of=None)
    assert quarantined(con, "referrals") == [(1, "invalid_date", "referral_date")]


def test_unknown_codes(tmp_path):
    victims = VICTIMS[:1] + ["v1,25-34,martian,white,no,no", "v2,75+,male,,yes,unknown"]
    referrals = REFERRALS[:1] + [
        "r1,v1,shoplifting,no,no,no,police,,,,2026-01-05,,,,",
        "r2,v2,THEFT,no,no,no,police,,,,2026-01-05,,,,",
    ]
    con, result = load(
        write_extract(tmp_path / "x", {"victims.csv": victims, "referrals.csv": referrals})
    )
    # Demographic: an unknown code becomes 'unknown' and is counted; a blank is just unknown.
    assert con.execute(
        "select gender, ethnic_group from raw.victims order by victim_id"
    ).fetchall() == [
        ("unknown", "white"),
        ("male", "unknown"),
    ]
    assert file_report(result, "victims.csv").code_unmapped == {"gender": 1}
    # Any other unknown code rejects the row; codes are matched ignoring case.
    assert quarantined(con, "referrals") == [(1, "unknown_code", "crime_type")]
    assert con.execute("select crime_type from raw.referrals").fetchall() == [("theft",)]


def test_code_map_is_applied_before_validation(tmp_path):
    referrals = REFERRALS[:1] + [
        "r1,v1,Burglary - dwelling,no,no,no,Police referral,,,,2026-01-05,,,,"
    ]
    folder = write_extract(
        tmp_path / "x",
        {
            "victims.csv": VICTIMS,
            "referrals.csv": referrals,
            "code_map.csv": [
                "table,column,source_value,code",
                "referrals,crime_type,Burglary - dwelling,burglary_residential",
                "referrals,source,Police referral,police",
            ],
        },
    )
    con, _ = load(folder)
    assert con.execute("select crime_type, source from raw.referrals").fetchall() == [
        ("burglary_residential", "police")
    ]


def test_orphans_duplicates_and_parent_quarantine(tmp_path):
    victims = VICTIMS[:1] + [
        "v1,25-34,female,white,no,no",
        "v1,35-44,female,white,no,no",  # duplicate key: both rows go
        "v2,75+,male,asian,yes,unknown",
    ]
    referrals = REFERRALS[:1] + [
        "r1,v1,theft,no,no,no,police,,,,2026-01-05,,,,",  # parent quarantined → orphan
        f"r2,{SECRET_VICTIM},theft,no,no,no,police,,,,2026-01-05,,,,",  # unknown victim → orphan
        "r3,v2,theft,no,no,no,police,,,,2026-01-05,,,,",
        "r3,v2,theft,no,no,no,police,,,,2026-01-06,,,,",  # duplicate referral ids
    ]
    con, result = load(
        write_extract(tmp_path / "x", {"victims.csv": victims, "referrals.csv": referrals})
    )
    assert quarantined(con, "victims") == [
        (1, "duplicate_key", "victim_id"),
        (2, "duplicate_key", "victim_id"),
    ]
    assert quarantined(con, "referrals") == [
        (1, "orphan", "victim_id"),
        (2, "orphan", "victim_id"),
        (3, "duplicate_key", "referral_id"),
        (4, "duplicate_key", "referral_id"),
    ]
    assert_accounting(result)
    assert SECRET_VICTIM not in "\n".join(result.report.lines())


def test_ragged_rows_and_quoted_newlines(tmp_path):
    referrals = REFERRALS[:1] + [
        "r1,v1,theft,no,no,no,police,,,,2026-01-05,,,,",
        "r2,v2,theft,no,no,no,police,,,,2026-01-05,,,",  # one field short
        f'"r3",v3,theft,no,no,no,police,,,,2026-01-05,,,,,{SECRET_VICTIM}',  # one too many
        '"r\n4",v3,theft,no,no,no,police,,,,2026-01-05,,,,',  # quoted newline: one record
        "r5,v3,theft,no,no,no,police,,,,2026-01-05,,,,",
    ]
    con, result = load(
        write_extract(tmp_path / "x", {"victims.csv": VICTIMS, "referrals.csv": referrals})
    )
    assert quarantined(con, "referrals") == [(2, "malformed_row", None), (3, "malformed_row", None)]
    assert sorted(
        r[0] for r in con.execute("select referral_id from raw.referrals").fetchall()
    ) == sorted(
        [
            "r1",
            "r\n4",
            "r5",
        ]
    )
    report = file_report(result, "referrals.csv")
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (5, 3, 2)
    assert SECRET_VICTIM not in "\n".join(result.report.lines())


def test_header_only_file_loads_nothing_and_is_present(tmp_path):
    folder = write_extract(
        tmp_path / "x",
        {
            "victims.csv": VICTIMS,
            "referrals.csv": REFERRALS,
            "exit_surveys.csv": [
                "referral_id,survey_date,satisfaction,listened_to,family_benefited,goals_set,goals_achieved"
            ],
        },
    )
    con, result = load(folder)
    assert result.present_tables["exit_surveys"] is True
    assert result.present_tables["services"] is False
    assert file_report(result, "exit_surveys.csv").rows_read == 0


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"victims.csv": b"", "referrals.csv": REFERRALS}, "victims.csv: is empty"),
        ({"victims.csv": VICTIMS}, "required table referrals is missing"),
        (
            {
                "victims.csv": [VICTIMS[0].replace(",lgbt", "")]
                + [r.rsplit(",", 1)[0] for r in VICTIMS[1:]],
                "referrals.csv": REFERRALS,
            },
            "victims.csv: required column lgbt is missing",
        ),
        (
            {
                "victims.csv": [VICTIMS[0] + ",Post Code"]
                + [r + f",{SECRET_VICTIM}" for r in VICTIMS[1:]],
                "referrals.csv": REFERRALS,
            },
            "victims.csv: column post code looks like a direct identifier",
        ),
        (
            {
                "victims.csv": [VICTIMS[0] + ",gender"] + [r + ",male" for r in VICTIMS[1:]],
                "referrals.csv": REFERRALS,
            },
            "victims.csv: column gender appears twice",
        ),
        (
            {
                "victims.csv": VICTIMS,
                "referrals.csv": REFERRALS,
                "services.parquet": b"PAR1 truncated",
            },
            "services.parquet: is not a readable Parquet file",
        ),
        (
            {"victims.csv": VICTIMS, "referrals.csv": REFERRALS, "services.parquet": b""},
            "services.parquet: is not a readable Parquet file",
        ),
    ],
)
def test_extract_errors_stop_before_loading(tmp_path, files, message):
    folder = write_extract(tmp_path / "x", files)
    with pytest.raises(ExtractError) as info:
        load(folder)
    assert message in str(info.value)
    assert SECRET_VICTIM not in str(info.value)


def test_parquet_extract_loads_like_csv(tmp_path):
    csv_folder = write_extract(
        tmp_path / "csv", {"victims.csv": VICTIMS, "referrals.csv": REFERRALS}
    )
    pq = tmp_path / "pq"
    pq.mkdir()
    con = duckdb.connect()
    for table in ("victims", "referrals"):
        con.execute(
            f"copy (select * from read_csv('{csv_folder / (table + '.csv')}', all_varchar = true)) "
            f"to '{pq / (table + '.parquet')}' (format parquet)"
        )
    con_csv, _ = load(csv_folder)
    con_pq, result = load(pq)
    query = "select * from raw.referrals order by referral_id"
    assert con_csv.execute(query).fetchall() == con_pq.execute(query).fetchall()
    assert file_report(result, "referrals.parquet").rows_loaded == 3


def test_future_dates_and_date_order(tmp_path):
    referrals = (
        REFERRALS[:1]
        + [
            "r1,v1,theft,no,no,no,police,,,,2026-11-01,,,,",  # after the as-of date
            "r2,v2,theft,no,no,no,police,2026-02-05,2026-02-04,,2026-02-06,,,,",  # reported before the crime
            "r3,v3,theft,no,no,no,police,,,,2026-02-06,,,2026-02-05,declined",  # closed before referral
            "r4,v3,theft,no,no,no,police,,,,2026-02-06,,,2026-02-07,",  # closed without a reason
        ]
    )
    con, result = load(
        write_extract(tmp_path / "x", {"victims.csv": VICTIMS, "referrals.csv": referrals})
    )
    assert quarantined(con, "referrals") == [
        (1, "future_date", "referral_date"),
        (2, "date_order", "reported_date"),
        (3, "date_order", "closed_date"),
        (4, "inconsistent", "closure_reason"),
    ]
    assert_accounting(result)


def test_agency_referral_rules(tmp_path):
    agency = [
        "agency_referral_id,referral_id,agency,sent_date,outcome,outcome_date",
        "a1,r1,hate_crime,2026-01-06,accepted,2026-01-07",
        "a2,r1,lgbt,2026-01-06,declined,",  # decided without an outcome date
        "a3,r1,lgbt,2026-01-04,pending,",  # sent before the referral arrived (5 Jan)
        "a4,r1,lgbt,2026-01-06,pending,",
    ]
    con, result = load(
        write_extract(
            tmp_path / "x",
            {"victims.csv": VICTIMS, "referrals.csv": REFERRALS, "agency_referrals.csv": agency},
        )
    )
    assert quarantined(con, "agency_referrals") == [
        (2, "missing_value", "outcome_date"),
        (3, "date_order", "sent_date"),
    ]
    assert_accounting(result)


def test_scores_out_of_range_and_swemwbs_metric(tmp_path):
    assessments = [
        "assessment_id,referral_id,stage,assessment_date,swemwbs,swemwbs_metric,life_satisfaction,coping",
        "s1,r1,intake,2026-01-08,14,,5,2",
        "s2,r1,exit,2026-02-20,36,,7,4",  # raw SWEMWBS above 35
        "s3,r1,review,2026-02-01,,19.98,,",  # a value of the conversion table
        "s4,r1,review,2026-02-02,,20.00,,",  # not a value of the table
        "s5,r1,review,2026-02-03,,,11,",  # life satisfaction above 10
        "s6,r1,intake,2026-01-09,,,,",  # a second intake: both intakes go
    ]
    con, result = load(
        write_extract(
            tmp_path / "x",
            {"victims.csv": VICTIMS, "referrals.csv": REFERRALS, "assessments.csv": assessments},
        )
    )
    assert quarantined(con, "assessments") == [
        (1, "duplicate_key", "stage"),
        (2, "out_of_range", "swemwbs"),
        (4, "out_of_range", "swemwbs_metric"),
        (5, "out_of_range", "life_satisfaction"),
        (6, "duplicate_key", "stage"),
    ]
    assert_accounting(result)


def test_ignored_columns_and_files_are_reported(tmp_path):
    folder = write_extract(
        tmp_path / "x",
        {
            "victims.csv": [VICTIMS[0] + ",shoe_size"] + [r + ",9" for r in VICTIMS[1:]],
            "referrals.csv": REFERRALS,
            "readme.txt": ["hello"],
        },
    )
    _, result = load(folder)
    assert file_report(result, "victims.csv").ignored_columns == ["shoe_size"]
    assert result.report.other_files == ["readme.txt"]


def test_as_of_precedence(tmp_path):
    folder = write_extract(
        tmp_path / "2026-09",
        {"victims.csv": VICTIMS, "referrals.csv": REFERRALS},
    )
    assert locate(folder).as_of == dt.date(2026, 9, 30)  # folder name
    (folder / "manifest.json").write_text(json.dumps({"as_of": "2026-09-15"}))
    assert locate(folder).as_of == dt.date(2026, 9, 15)  # manifest beats folder
    assert locate(folder, "2026-09-20").as_of == dt.date(2026, 9, 20)  # flag beats both
    unnamed = write_extract(
        tmp_path / "extract", {"victims.csv": VICTIMS, "referrals.csv": REFERRALS}
    )
    with pytest.raises(ExtractError, match="no as-of date"):
        locate(unnamed)


def test_latest_period_folder_is_used(tmp_path):
    write_extract(
        tmp_path / "all" / "2026-09", {"victims.csv": VICTIMS, "referrals.csv": REFERRALS}
    )
    write_extract(
        tmp_path / "all" / "2026-10", {"victims.csv": VICTIMS, "referrals.csv": REFERRALS}
    )
    snapshot = locate(tmp_path / "all")
    assert snapshot.folder.name == "2026-10"
    assert snapshot.as_of == dt.date(2026, 10, 31)
