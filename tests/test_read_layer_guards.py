"""The read layer: the marts are the contract (docs/architecture.md).

Guards over the source: no Python outside the model runner, the build and the ingest
names an intermediate or raw table; the dashboard imports only the read layer of
`metrics`; every named query in sql/queries is used and every one used exists; the
queries read only the contract's schemas. And the layer itself: audiences, parameters,
missing tables, and the marts it reads, on hand-worked rows.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from metrics import models, read
from tests.support import referral, victim, warehouse_from_rows

ROOT = Path(__file__).resolve().parent.parent
# the modules that write the warehouse: they may name its private layers
WRITERS = {"metrics/models.py", "metrics/build.py", "metrics/ingest.py", "metrics/bench.py"}
PRIVATE_REFERENCE = re.compile(r"\b(intermediate|raw|staging)\.[a-z_]")
RUN_CALL = re.compile(r"read\.run\(\s*[a-z_.]+,\s*\"([a-z_]+)\"")
READ_LAYER = {"metrics.queries", "metrics.read", "metrics.period_figures"}
# Pure rules the dashboard shares with the reports (each rule once): they compute and
# format, and read nothing from the warehouse or from disk.
SHARED_RULES = {"metrics.formatting", "metrics.period", "metrics.register", "metrics.change",
                "metrics.maturity", "metrics.cohorts", "metrics.valuation", "metrics.hub_evidence",
                "metrics.register_listing"}
# Which warehouse file of a national output (hubvalue lake build) to open: paths only,
# no query; the file is then read through the read layer like any warehouse.
WAREHOUSE_CHOICE = {"metrics.national"}


def _python_files(*folders: str) -> list[Path]:
    return sorted(p for f in folders for p in (ROOT / f).rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_no_python_outside_the_writers_names_an_intermediate_or_raw_table():
    offenders = [
        f"{_relative(path)}:{number}"
        for path in _python_files("metrics", "dashboard")
        if _relative(path) not in WRITERS
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PRIVATE_REFERENCE.search(line)
    ]
    assert offenders == []


def test_the_scan_finds_a_private_table_where_there_is_one():
    assert PRIVATE_REFERENCE.search('frame(con, "select * from intermediate.int_referral_base")')
    assert PRIVATE_REFERENCE.search("from raw.referrals")
    assert not PRIVATE_REFERENCE.search("coverage_raw.items()")


def _metrics_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "metrics"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "metrics":
                found |= {f"metrics.{a.name}" for a in node.names}
            elif node.module.split(".")[0] == "metrics":
                found.add(node.module)
    return found


def test_the_dashboard_imports_only_the_read_layer_of_metrics():
    imported = {
        f"{_relative(path)}: {name}"
        for path in _python_files("dashboard")
        for name in _metrics_imports(path)
        if name not in READ_LAYER | SHARED_RULES | WAREHOUSE_CHOICE
    }
    assert imported == set()


def test_the_import_scan_sees_both_forms(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from metrics import queries, contract\nimport metrics.report.data\n")
    assert _metrics_imports(module) == {"metrics.queries", "metrics.contract",
                                        "metrics.report.data"}


def _names_run() -> set[str]:
    return {
        name
        for path in _python_files("metrics", "dashboard")
        for name in RUN_CALL.findall(path.read_text(encoding="utf-8"))
    }


def test_every_named_query_is_used_and_every_one_used_exists():
    files = {p.stem for p in (ROOT / "sql" / "queries").glob("*.sql")}
    used = _names_run()
    assert files - used == set(), "named queries nobody runs"
    assert used - files == set(), "queries run that have no file"


def test_every_named_query_parses_and_reads_only_the_contract_schemas():
    loaded = read.load()
    assert set(loaded) == {p.stem for p in (ROOT / "sql" / "queries").glob("*.sql")}
    for query in loaded.values():
        schemas = {t.split(".")[0] for t in query.tables}
        assert schemas <= set(read.ALLOWED_SCHEMAS), query.name
        assert query.tables, query.name
        if "public" in query.audiences:
            assert schemas == {"published"}, query.name


@pytest.mark.parametrize("text, rule", [
    ("select 1", "first line"),
    ("-- audiences: everyone\nselect 1", "unknown audience"),
    ("-- audiences: manager\nselect * from intermediate.int_referral_base", "intermediate"),
    ("-- audiences: manager\nselect * from raw.referrals", "raw.referrals"),
    ("-- audiences: public\nselect * from marts.fct_referrals", "published tables only"),
])
def test_a_query_file_breaking_a_rule_is_refused_naming_it(text, rule):
    with pytest.raises(read.QueryFileError, match=rule) as refused:
        read.parse("bad", text)
    assert str(refused.value).startswith("bad.sql: ")


def test_the_model_runner_does_not_take_the_named_queries_for_models():
    found = models.discover()
    assert [m.path for m in found if m.path.parent.name == "queries"] == []
    assert {m.layer for m in found} == set(models.LAYERS)


# --- the layer on a warehouse built from hand-written rows ---------------------------------

AS_OF = "2026-03-31"


@pytest.fixture(scope="module")
def con():
    rows = {
        "victims": [victim("v1"), {**victim("v2"), "lgbt": None}],
        "referrals": [
            # not contacted, not closed: first contact overdue (deadline 2 working days)
            referral("r1", "v1", "2026-03-02"),
            # contacted: not overdue
            referral("r2", "v2", "2026-03-02", first_contact_date="2026-03-03",
                     crime_type="fraud"),
        ],
    }
    connection = warehouse_from_rows(rows, AS_OF)
    yield connection
    connection.close()


def test_column_completeness_counts_the_loaded_rows_and_values(con):
    frame = read.run(con, "completeness", "manager")
    counts = {(t, c): (n, v) for t, c, n, v in frame.itertuples(index=False)}
    # two victims, one with lgbt recorded; two referrals, one with a first contact
    assert counts[("victims", "lgbt")] == (2, 1)
    assert counts[("victims", "victim_id")] == (2, 2)
    assert counts[("referrals", "first_contact_date")] == (2, 1)
    assert counts[("services", "referral_id")] == (0, 0)


def test_the_exceptions_mart_lists_the_overdue_first_contact_by_agency(con):
    listed = read.run(con, "exceptions_first_contact", "manager", agency="all",
                      crime_type="all")
    assert list(listed["referral_id"]) == ["r1"]
    # referred Monday 2 March, deadline 2 working days later (Wednesday 4 March):
    # 19 working days before Tuesday 31 March
    assert list(listed["working_days_past_deadline"]) == [19]
    lgbt = read.run(con, "exceptions_first_contact", "manager", agency="lgbt",
                    crime_type="all")
    assert lgbt.empty
    overdue = read.run(con, "overdue", "manager")
    assert overdue.to_dict("records") == [
        {"kind": "first_contact", "case_id": "r1", "agency": "victim_support",
         "responsible_agency": "victim_support",
         "deadline_date": pd.Timestamp("2026-03-04"), "working_days_past_deadline": 19}]


def test_an_audience_not_named_by_the_query_is_refused(con):
    with pytest.raises(read.NotPermitted, match="not available to the pcc view"):
        read.run(con, "exceptions_first_contact", "pcc", agency="all", crime_type="all")
    with pytest.raises(read.NotPermitted, match="unknown audience"):
        read.run(con, "load_report", "everyone")
    with pytest.raises(read.NotPermitted):
        read.run(con, "build_identity", "public")


def test_parameters_must_match_the_query(con):
    with pytest.raises(TypeError, match="missing: crime_type"):
        read.run(con, "exceptions_first_contact", "manager", agency="all")
    with pytest.raises(TypeError, match="not in the query: month"):
        read.run(con, "load_report", "manager", month="2026-01")


def test_a_table_missing_from_the_warehouse_is_named():
    empty = duckdb.connect()
    try:
        with pytest.raises(read.NotInWarehouse, match="marts.health_pairs"):
            read.run(empty, "methods_notes", "manager")
    finally:
        empty.close()
