"""Reloads and re-issues: the same extract gives the same indicator tables, byte for byte, and
a folder of period snapshots always builds from its latest folder and nothing else.

The stateful test drives sequences of loads (a new period folder), re-issues (a period's
folder replaced), withdrawals (a folder removed), rebuilds and failed builds against a model
that is deliberately simple: the latest period folder's content determines ``raw.*`` exactly,
its as-of date is that month's last day, and the same content always gives the same marts.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from metrics.cli import main
from metrics.generate import generate

# ---------------------------------------------------------------------------
# Helpers


def marts_csv(db: Path, out: Path, schemas: tuple[str, ...] = ("marts",)) -> dict[str, bytes]:
    """Every table of ``schemas`` as CSV bytes, rows in a fixed order (``order by all``)."""
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where schema_name in (select unnest(?::varchar[])) order by all",
            [list(schemas)],
        ).fetchall()
        result = {}
        for schema, table in tables:
            target = out / f"{schema}.{table}.csv"
            con.execute(
                f"copy (select * from {schema}.{table} order by all) to '{target}' (header)"
            )
            result[f"{schema}.{table}"] = target.read_bytes()
    finally:
        con.close()
    return result


def first_difference(first: dict[str, bytes], second: dict[str, bytes]) -> str | None:
    """The first table and line where two dumps differ, for the assertion message."""
    for table in sorted(set(first) | set(second)):
        a, b = first.get(table, b"").splitlines(), second.get(table, b"").splitlines()
        for line_a, line_b in zip(a, b, strict=False):
            if line_a != line_b:
                return f"{table}:\n  {line_a.decode()}\n  {line_b.decode()}"
        if len(a) != len(b):
            return f"{table}: {len(a)} lines against {len(b)}"
    return None


def build_cli(input_dir: Path, db: Path, *extra: str) -> int:
    return main(["build", "--input", str(input_dir), "--db", str(db), "--quiet", *extra])


# ---------------------------------------------------------------------------
# 1. Same extract twice → identical indicator tables


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    generate(out / "csv", referrals=1500, seed=11, end="2026-10", fmt="csv", quiet=True)
    generate(out / "parquet", referrals=1500, seed=11, end="2026-10", fmt="parquet", quiet=True)
    return out


@pytest.fixture(scope="module")
def csv_build(generated, tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """The CSV extract built once (the first build each test below compares against): the
    warehouse folder and its marts, raw and meta tables as CSV."""
    folder = tmp_path_factory.mktemp("csv_build")
    db = folder / "warehouse" / "w.duckdb"
    assert build_cli(generated / "csv", db) == 0
    return db, marts_csv(db, folder / "dump", ("marts", "raw", "meta"))


def only(dump: dict[str, bytes], schemas: tuple[str, ...]) -> dict[str, bytes]:
    return {name: data for name, data in dump.items() if name.split(".")[0] in schemas}


def test_same_extract_twice_gives_byte_identical_marts(generated, csv_build, tmp_path):
    first = only(csv_build[1], ("marts", "raw"))
    db = tmp_path / "second" / "w.duckdb"
    assert build_cli(generated / "csv", db) == 0
    second = marts_csv(db, tmp_path / "second-csv", ("marts", "raw"))
    assert "marts.indicator_monthly" in first and "raw.referrals" in first
    # The indicator table is not trivially empty: 1,500 referrals give some 'ok' values.
    assert first["marts.indicator_monthly"].count(b",ok,") > 0
    assert first_difference(first, second) is None


def test_rebuilding_over_the_same_warehouse_is_idempotent(generated, csv_build, tmp_path):
    """Building again into the same path (the swap over a live file) changes no table."""
    shutil.copytree(csv_build[0].parent, tmp_path / "warehouse")
    db = tmp_path / "warehouse" / "w.duckdb"
    before = dict(csv_build[1])
    assert build_cli(generated / "csv", db) == 0
    after = marts_csv(db, tmp_path / "after", ("marts", "raw", "meta"))
    # meta.build differs only in built_at (a timestamp): compare it without that column.
    before.pop("meta.build"), after.pop("meta.build")
    assert first_difference(before, after) is None


def test_csv_and_parquet_of_the_same_data_give_identical_marts(generated, csv_build, tmp_path):
    db = tmp_path / "parquet" / "w.duckdb"
    assert build_cli(generated / "parquet", db) == 0
    parquet = marts_csv(db, tmp_path / "parquet-out", ("marts", "raw"))
    assert first_difference(only(csv_build[1], ("marts", "raw")), parquet) is None


# ---------------------------------------------------------------------------
# 2. A corrected re-issue replaces its month


@dataclass(frozen=True)
class Variant:
    """A small valid extract: victims and referrals (as typed tuples), optional assessments."""

    victims: tuple[tuple, ...]
    referrals: tuple[tuple, ...]
    assessments: tuple[tuple, ...] | None = None

    def write(self, folder: Path) -> None:
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        _write_csv(folder / "victims.csv", VICTIM_COLUMNS, self.victims)
        _write_csv(folder / "referrals.csv", REFERRAL_COLUMNS, self.referrals)
        if self.assessments is not None:
            _write_csv(folder / "assessments.csv", ASSESSMENT_COLUMNS, self.assessments)


VICTIM_COLUMNS = ("victim_id", "age_band", "gender", "ethnic_group", "disability", "lgbt")
REFERRAL_COLUMNS = (
    "referral_id",
    "victim_id",
    "crime_type",
    "hate_crime",
    "domestic_abuse",
    "enhanced_rights",
    "source",
    "referral_date",
    "closed_date",
    "closure_reason",
)
ASSESSMENT_COLUMNS = ("assessment_id", "referral_id", "stage", "assessment_date", "swemwbs")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _write_csv(path: Path, columns: tuple[str, ...], rows: tuple[tuple, ...]) -> None:
    lines = [",".join(columns), *(",".join(_text(v) for v in row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


D = dt.date
V1 = ("v1", "25-34", "female", "white", "no", "no")
V2 = ("v2", "75+", "male", "asian", "yes", "unknown")
V3 = ("v3", "0-17", "non_binary", "mixed", "no", "yes")
R1 = ("r1", "v1", "burglary_residential", False, False, True, "police", D(2026, 7, 1),
      D(2026, 7, 20), "support_completed")  # fmt: skip
R2 = ("r2", "v2", "theft", False, False, False, "self", D(2026, 7, 3), None, None)
R3 = ("r3", "v3", "violence_with_injury", False, True, True, "police", D(2026, 7, 8), None, None)
VARIANTS = (
    Variant((V1, V2, V3), (R1, R2, R3)),
    # A correction: r2 was a robbery, recorded as a theft.
    Variant((V1, V2, V3), (R1, ("r2", *R2[1:2], "robbery", *R2[3:]), R3)),
    # An erasure request honoured (v3 and r3 gone) and a new case.
    Variant(
        (V1, V2),
        (
            R1,
            R2,
            (
                "r4",
                "v1",
                "fraud",
                False,
                False,
                False,
                "partner_agency",
                D(2026, 7, 15),
                None,
                None,
            ),
        ),  # fmt: skip
    ),
    # Assessments added by the hub's CMS upgrade.
    Variant(
        (V1, V2, V3),
        (R1, R2, R3),
        (("a1", "r1", "intake", D(2026, 7, 2), 14), ("a2", "r1", "exit", D(2026, 7, 19), 22)),
    ),
)


def raw_rows(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "victims": con.execute(
                f"select {', '.join(VICTIM_COLUMNS)} from raw.victims order by all"
            ).fetchall(),
            "referrals": con.execute(
                f"select {', '.join(REFERRAL_COLUMNS)} from raw.referrals order by all"
            ).fetchall(),
            "assessments": con.execute(
                f"select {', '.join(ASSESSMENT_COLUMNS)} from raw.assessments order by all"
            ).fetchall(),
            "build": con.execute("select as_of, period, as_of_source from meta.build").fetchall(),
        }
    finally:
        con.close()


def expected_rows(variant: Variant, period: str) -> dict[str, list[tuple]]:
    year, month = (int(x) for x in period.split("-"))
    month_end = (D(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)
    return {
        "victims": sorted(variant.victims),
        "referrals": sorted(variant.referrals),
        "assessments": sorted(variant.assessments or ()),
        "build": [(month_end, period, "folder name")],
    }


def test_a_corrected_reissue_replaces_its_month(tmp_path):
    snapshots = tmp_path / "snapshots"
    VARIANTS[0].write(snapshots / "2026-09")
    VARIANTS[0].write(snapshots / "2026-10")
    db = tmp_path / "w.duckdb"
    assert build_cli(snapshots, db) == 0
    assert raw_rows(db) == expected_rows(VARIANTS[0], "2026-10")
    # October is re-issued: r2 corrected to a robbery. The build reads the new folder only.
    VARIANTS[1].write(snapshots / "2026-10")
    assert build_cli(snapshots, db) == 0
    rows = raw_rows(db)
    assert rows == expected_rows(VARIANTS[1], "2026-10")
    assert rows["referrals"][1][:3] == ("r2", "v2", "robbery")
    # Re-issued again with an erasure (v3, r3 removed): nothing of them survives anywhere in raw.
    VARIANTS[2].write(snapshots / "2026-10")
    assert build_cli(snapshots, db) == 0
    assert raw_rows(db) == expected_rows(VARIANTS[2], "2026-10")
    con = duckdb.connect(str(db), read_only=True)
    referral_ids = {
        r for (r,) in con.execute("select referral_id from marts.fct_referrals").fetchall()
    }
    con.close()
    assert referral_ids == {"r1", "r2", "r4"}


# ---------------------------------------------------------------------------
# 3. Stateful: sequences of load, re-issue, withdrawal, rebuild and failed build

PERIODS = ("2026-08", "2026-09", "2026-10")


class SnapshotFolder(RuleBasedStateMachine):
    """The warehouse built from a folder of period snapshots, against a dict model."""

    def __init__(self) -> None:
        super().__init__()
        self.model: dict[str, int] = {}  # period -> variant index in the folder
        self.built: tuple[str, int] | None = None  # (period, variant) the warehouse holds
        self.marts_seen: dict[tuple[str, int], dict[str, bytes]] = {}
        self.builds = 0
        self.root = Path(tempfile.mkdtemp(prefix="hubvalue-reissue-"))
        self.snapshots = self.root / "snapshots"
        self.snapshots.mkdir()
        self.db = self.root / "warehouse" / "w.duckdb"

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    @initialize(period=st.sampled_from(PERIODS), variant=st.integers(0, len(VARIANTS) - 1))
    def first_load(self, period: str, variant: int) -> None:
        self.load_or_reissue(period, variant)

    @rule(period=st.sampled_from(PERIODS), variant=st.integers(0, len(VARIANTS) - 1))
    def load_or_reissue(self, period: str, variant: int) -> None:
        """A new period's folder, or a re-issue replacing an existing one."""
        VARIANTS[variant].write(self.snapshots / period)
        self.model[period] = variant

    @precondition(lambda self: len(self.model) > 1)
    @rule(data=st.data())
    def withdraw(self, data) -> None:
        period = data.draw(st.sampled_from(sorted(self.model)))
        shutil.rmtree(self.snapshots / period)
        del self.model[period]

    @precondition(lambda self: bool(self.model))
    @rule()
    def build(self) -> None:
        latest = max(self.model)
        if self.built is not None and latest < self.built[0]:
            # the latest folder left is older than what the warehouse holds (a newer one
            # was withdrawn): building it would roll the dashboard back, so it is refused
            # and nothing changes (issue 12, case 4; --allow-older would build it)
            assert build_cli(self.snapshots, self.db) == 2
            return
        assert build_cli(self.snapshots, self.db) == 0
        self.builds += 1
        self.built = (latest, self.model[latest])
        self._check_marts_repeat()

    @precondition(lambda self: self.built is not None)
    @rule()
    def rebuild_from_scratch(self) -> None:
        """Delete the warehouse and its quarantine store, build again: the same content."""
        self.db.unlink()
        self.db.with_name("w.quarantine.duckdb").unlink()
        self.built = None  # no warehouse to be older than
        self.build()

    @precondition(lambda self: self.built is not None)
    @rule()
    def failed_build_changes_nothing(self) -> None:
        """A newer period folder that stops the build: the warehouse keeps what it had."""
        quarantine = self.db.with_name("w.quarantine.duckdb")
        before = (self.db.read_bytes(), quarantine.read_bytes())
        broken = self.snapshots / "2026-11"
        VARIANTS[0].write(broken)
        lines = (broken / "victims.csv").read_text(encoding="utf-8").splitlines()
        lines = [lines[0] + ",Surname", *(line + ",x" for line in lines[1:])]
        (broken / "victims.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert build_cli(self.snapshots, self.db) == 2
        shutil.rmtree(broken)
        assert (self.db.read_bytes(), quarantine.read_bytes()) == before

    def _check_marts_repeat(self) -> None:
        key = self.built
        marts = marts_csv(self.db, self.root / f"marts-{self.builds}")
        if key in self.marts_seen:
            assert first_difference(marts, self.marts_seen[key]) is None, key
        else:
            self.marts_seen[key] = marts

    @invariant()
    def warehouse_matches_the_model(self) -> None:
        if self.built is None:
            return
        period, variant = self.built
        assert raw_rows(self.db) == expected_rows(VARIANTS[variant], period)


SnapshotFolder.TestCase.settings = settings(
    max_examples=3,
    stateful_step_count=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_snapshot_folder_state_machine = SnapshotFolder.TestCase


class SnapshotFolderLong(SnapshotFolder):
    pass


SnapshotFolderLong.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.slow
def test_snapshot_folder_state_machine_long_run():
    SnapshotFolderLong.TestCase().runTest()
