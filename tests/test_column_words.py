"""Tables show their columns under words, not machine names (issue 13, item 4): the data
quality page's load report reads "Table", "File", "Rows read", never `table_name` or
`rows_read`; a page's own label wins; the downloads keep the names."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ui import worded_columns
from metrics.formatting import column_name
from tests.app_support import write_model_fixture

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


def test_column_names_in_words():
    assert column_name("table_name") == "Table"
    assert column_name("rows_read") == "Rows read"
    assert column_name("working_days_past_deadline") == "Working days past the deadline"
    assert column_name("some_new_column") == "Some new column"


def test_a_page_label_wins_and_every_other_column_gets_words():
    import streamlit as st

    config = worded_columns(["rows_read", "share_with_value"], {
        "share_with_value": st.column_config.ProgressColumn("Share with a value"),
    })
    assert config["rows_read"]["label"] == "Rows read"
    assert config["share_with_value"]["label"] == "Share with a value"
    assert config["share_with_value"]["type_config"]["type"] == "progress"


@pytest.fixture(scope="module")
def model_db(tmp_path_factory) -> Path:
    db = write_model_fixture(tmp_path_factory.mktemp("words") / "warehouse.duckdb")
    con = duckdb.connect(str(db))
    try:  # a load report as a build writes one: two files, one row quarantined
        con.execute("create or replace table meta.load_report as select * from (values "
                    "('referrals', 'referrals.csv', 12, 11, 1), "
                    "('victims', 'victims.csv', 10, 10, 0)) "
                    "as t(table_name, file_name, rows_read, rows_loaded, rows_quarantined)")
    finally:
        con.close()
    return db


def test_the_data_quality_page_shows_no_machine_column_names(monkeypatch, model_db):
    monkeypatch.setenv("HUBVALUE_DB", str(model_db))
    monkeypatch.setenv("HUBVALUE_AUDIENCE", "manager")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/data_quality.py").run()
    assert not at.exception
    headers = [list(t.value.columns) for t in at.table]
    assert ["Table", "File", "Rows read", "Rows loaded", "Rows quarantined"] in headers
    assert ["Indicator", "Title", "Measures needed"] in headers
    assert not any("_" in str(h) for table in headers for h in table)
