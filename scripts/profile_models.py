"""Profile the SQL models: CPU and wall time per model, and compare model outputs.

Usage (from the repository root):

    # copy raw/meta/ref from a built warehouse (or build them from an extract) into a work file
    python scripts/profile_models.py prepare --from-warehouse W.duckdb --db work.duckdb
    python scripts/profile_models.py prepare --from-extract DIR --db work.duckdb

    # run every model on a copy of work.duckdb (or --in-memory), print CPU (process time,
    # all threads) and wall per model; --repeat N shows the least of N runs; --as-build
    # builds the ephemeral models in an in-memory catalog, as a build does (without it
    # they are tables in the file, so their times include writing them there)
    python scripts/profile_models.py run --db work.duckdb [--threads 2] [--sql-dir sql]
        [--in-memory] [--as-build] [--repeat N] [--keep out.duckdb]

    # every intermediate and mart table of A equals the one of B (as multisets of rows;
    # double columns may differ in the last bits, as two runs of the same SQL do)
    python scripts/profile_models.py compare --db A.duckdb --against B.duckdb
        [--removed schema.table ...]

CPU time is ``time.process_time`` around each model, so it adds up the DuckDB
threads and is less disturbed by other work on a shared machine than wall time.
Output names models and counts only, never values of records.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from metrics.models import SQL_DIR, Model, run_models  # noqa: E402

RELATIVE_TOLERANCE = 1e-9


def _quote(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _input_tables(con: duckdb.DuckDBPyConnection, database: str) -> list[tuple[str, str]]:
    return con.execute(
        "select schema_name, table_name from duckdb_tables() "
        "where database_name = ? and schema_name not in ('staging', 'intermediate', 'marts') "
        "order by 1, 2",
        [database],
    ).fetchall()


def prepare_from_warehouse(source: Path, db: Path) -> None:
    """Copy every non-model table (raw, meta, ref, ...) of ``source`` into a fresh ``db``."""
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    con.execute(f"attach {_quote(source)} as source (read_only)")
    for schema, table in _input_tables(con, "source"):
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"create table {schema}.{table} as select * from source.{schema}.{table}")
    con.execute("detach source")
    con.execute("checkpoint")
    con.close()


def prepare_from_extract(extract: Path, db: Path) -> None:
    """Build a warehouse from ``extract`` with hubvalue's build, then keep its input tables."""
    from metrics.build import build

    with tempfile.TemporaryDirectory() as tmp:
        built = Path(tmp) / "built.duckdb"
        build(extract, built)
        prepare_from_warehouse(built, db)


def _connect_for_run(
    db: Path, config: dict, keep: Path | None, in_memory: bool
) -> tuple[duckdb.DuckDBPyConnection, Path | None]:
    """A connection holding the input tables of ``db``: in memory, or in a copy of the file."""
    if in_memory:
        con = duckdb.connect(":memory:", config=config)
        con.execute(f"attach {_quote(db)} as source (read_only)")
        for schema, table in _input_tables(con, "source"):
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create table {schema}.{table} as select * from source.{schema}.{table}")
        con.execute("detach source")
        return con, None
    target = keep or db.with_name(db.stem + ".run.duckdb")
    target.unlink(missing_ok=True)
    Path(str(target) + ".wal").unlink(missing_ok=True)
    shutil.copyfile(db, target)
    return duckdb.connect(str(target), config=config), target


def _run_once(
    db: Path,
    threads: int,
    sql_dir: Path,
    keep: Path | None,
    in_memory: bool,
    preserve_insertion_order: bool = True,
    as_build: bool = False,
) -> dict[str, tuple[float, float]]:
    """{model: (cpu s, wall s)} of one run of every model, plus a ``total`` entry."""
    config = {"threads": threads, "preserve_insertion_order": preserve_insertion_order}
    con, target = _connect_for_run(db, config, keep, in_memory)
    timings: dict[str, tuple[float, float]] = {}
    clock = {"cpu": time.process_time(), "wall": time.perf_counter()}

    def on_model(model: Model, _seconds: float) -> None:
        cpu, wall = time.process_time(), time.perf_counter()
        timings[model.qualified_name] = (cpu - clock["cpu"], wall - clock["wall"])
        clock["cpu"], clock["wall"] = cpu, wall

    started_cpu, started_wall = time.process_time(), time.perf_counter()
    if as_build:
        con.execute("attach ':memory:' as scratch")
    run_models(con, sql_dir=sql_dir, on_model=on_model, scratch="scratch" if as_build else None)
    if as_build:
        con.execute("detach scratch")
    if not in_memory:
        con.execute("checkpoint")
    timings["total"] = (time.process_time() - started_cpu, time.perf_counter() - started_wall)
    con.close()
    if target is not None and keep is None:
        target.unlink(missing_ok=True)
    return timings


def run(
    db: Path,
    threads: int,
    sql_dir: Path,
    keep: Path | None,
    in_memory: bool,
    repeat: int = 1,
    as_build: bool = False,
) -> None:
    """Run the models ``repeat`` times and print the least CPU and wall time per model.

    The least of several runs is the least disturbed by other work on a shared machine.
    The file-backed run ends with a checkpoint, as a build does (counted in the total).
    """
    runs = [
        _run_once(db, threads, sql_dir, keep, in_memory, as_build=as_build) for _ in range(repeat)
    ]
    best = {
        name: (min(r[name][0] for r in runs), min(r[name][1] for r in runs)) for name in runs[0]
    }
    total = best.pop("total")
    print(f"{'model':<50} {'cpu s':>8} {'wall s':>8}   ({repeat} run(s), least of each)")
    for name, (cpu, wall) in sorted(best.items(), key=lambda item: -item[1][0]):
        print(f"{name:<50} {cpu:8.2f} {wall:8.2f}")
    print(f"{'sum of models':<50} {sum(c for c, _ in best.values()):8.2f}")
    print(f"{'total (least run)':<50} {total[0]:8.2f} {total[1]:8.2f}")


def _compare_with_tolerance(con: duckdb.DuckDBPyConnection, name: str, columns: list[tuple]) -> str:
    """Rows that differ only in double columns, by at most ``RELATIVE_TOLERANCE``.

    Sums of doubles depend on the order DuckDB's threads add them up, so two runs of the
    same SQL can differ in the last bits; the other columns must match exactly and be a key.
    """
    keys = [c[0] for c in columns if c[1] != "DOUBLE"]
    doubles = [c[0] for c in columns if c[1] == "DOUBLE"]
    if not doubles or not keys:
        return "DIFFERENT"
    key_list = ", ".join(f'"{k}"' for k in keys)
    for source in (name, f"other.{name}"):
        rows, distinct_keys = con.execute(
            f"select count(*), count(distinct ({key_list})) from {source}"
        ).fetchone()
        if rows != distinct_keys:
            return "DIFFERENT"
    on = " and ".join(f'a."{k}" is not distinct from b."{k}"' for k in keys)
    close = " and ".join(
        f'(a."{d}" is not distinct from b."{d}" or abs(a."{d}" - b."{d}") '
        f'<= {RELATIVE_TOLERANCE} * greatest(abs(a."{d}"), abs(b."{d}"), 1))'
        for d in doubles
    )
    relative = ", ".join(
        f'coalesce(abs(a."{d}" - b."{d}") / nullif(greatest(abs(a."{d}"), abs(b."{d}")), 0), 0)'
        for d in doubles
    )
    unmatched, largest = con.execute(
        f"select count(*) filter (where a.present is null or b.present is null "
        f"or not coalesce({close}, false)), max(greatest({relative}, 0)) "
        f"from (select *, true as present from {name}) as a "
        f"full outer join (select *, true as present from other.{name}) as b on {on}"
    ).fetchone()
    if unmatched:
        return "DIFFERENT"
    return f"same within tolerance (largest relative difference {largest:.1e})"


def compare(db: Path, against: Path, removed: frozenset[str] = frozenset()) -> bool:
    """Every intermediate and mart table: same columns and same multiset of rows.

    ``removed`` names tables (``schema.table``) that are gone on purpose; new tables
    are listed and do not count as a difference.
    """
    con = duckdb.connect(str(db), read_only=True)
    con.execute(f"attach {_quote(against)} as other (read_only)")
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() "
        "where database_name = 'other' and schema_name in ('intermediate', 'marts') order by 1, 2"
    ).fetchall()
    mine = {
        (s, t)
        for s, t in con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = current_database() and schema_name in ('intermediate', 'marts')"
        ).fetchall()
    }
    all_equal = True
    for schema, table in tables:
        name = f"{schema}.{table}"
        if (schema, table) not in mine:
            expected = name in removed
            print(f"{name:<50} " + ("removed on purpose" if expected else "missing"))
            all_equal = all_equal and expected
            continue
        columns_here = con.execute(f"describe {name}").fetchall()
        columns_there = con.execute(f"describe other.{name}").fetchall()
        if [c[:2] for c in columns_here] != [c[:2] for c in columns_there]:
            print(f"{name:<50} columns differ")
            all_equal = False
            continue
        rows = con.execute(f"select count(*) from {name}").fetchone()[0]
        only_here = con.execute(
            f"select count(*) from (select * from {name} except all select * from other.{name})"
        ).fetchone()[0]
        only_there = con.execute(
            f"select count(*) from (select * from other.{name} except all select * from {name})"
        ).fetchone()[0]
        verdict = "same"
        if only_here or only_there:
            verdict = _compare_with_tolerance(con, name, columns_here)
        all_equal = all_equal and verdict != "DIFFERENT"
        print(
            f"{name:<50} rows {rows:>9} only here {only_here:>6} only there {only_there:>6} "
            + verdict
        )
    extra = sorted(mine - set(tables))
    for schema, table in extra:
        print(f"{schema + '.' + table:<50} new (not in the other warehouse)")
    con.close()
    print("identical" if all_equal else "DIFFERENCES FOUND")
    return all_equal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    prepare = commands.add_parser("prepare", help="make a work file with the input tables")
    source = prepare.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-warehouse", type=Path)
    source.add_argument("--from-extract", type=Path)
    prepare.add_argument("--db", type=Path, required=True)
    runner = commands.add_parser("run", help="run the models and time each one")
    runner.add_argument("--db", type=Path, required=True)
    runner.add_argument("--threads", type=int, default=2)
    runner.add_argument("--sql-dir", type=Path, default=SQL_DIR)
    runner.add_argument("--keep", type=Path, help="write the models into this file and keep it")
    runner.add_argument("--in-memory", action="store_true", help="run in memory, not in a file")
    runner.add_argument("--repeat", type=int, default=1, help="runs; the least time is shown")
    runner.add_argument(
        "--as-build",
        action="store_true",
        help="ephemeral models in an in-memory catalog, as a build makes them",
    )
    comparer = commands.add_parser("compare", help="compare model tables of two warehouses")
    comparer.add_argument("--db", type=Path, required=True)
    comparer.add_argument("--against", type=Path, required=True)
    comparer.add_argument(
        "--removed", nargs="*", default=[], help="schema.table names removed on purpose"
    )
    args = parser.parse_args(argv)
    if args.command == "prepare":
        if args.from_warehouse:
            prepare_from_warehouse(args.from_warehouse, args.db)
        else:
            prepare_from_extract(args.from_extract, args.db)
    elif args.command == "run":
        run(args.db, args.threads, args.sql_dir, args.keep, args.in_memory, args.repeat,
            args.as_build)
    else:
        return 0 if compare(args.db, args.against, frozenset(args.removed)) else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
