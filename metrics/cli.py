"""The ``hubvalue`` command: generate, build, check, template, serve, report, bench.

Errors are printed as one line naming the file and rule; a data value never
reaches the terminal. Unexpected failures print only the kind of error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from metrics import args as check
from metrics.lock import DEFAULT_WAIT_SECONDS
from metrics.refusals import BuildRefused
from metrics.snapshot import ExtractError


def _print(message: str) -> None:
    # One write per line: tables load on two threads, and print() writes the text and its
    # newline separately, so two messages could run together.
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _cmd_generate(args: argparse.Namespace) -> int:
    from metrics.generate import generate

    if args.format == "xlsx":
        from metrics.excel_write import generate_workbook as generate
    summary = generate(
        Path(args.out),
        referrals=args.referrals,
        seed=args.seed,
        end=args.end,
        months=args.months,
        **({} if args.format == "xlsx" else {"fmt": args.format}),
        quiet=args.quiet,
        progress=None if args.quiet else _print,
    )
    if not args.quiet:
        for line in summary.lines():
            print(line)
    if args.example_assumptions:
        from metrics.hub_register import write_example

        written = write_example(args.example_assumptions)
        if not args.quiet:
            print(f"example hub register: {written} (use: build --assumptions {written})")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from metrics.build import build
    from metrics.hub_register import read_hub_register
    from metrics.refusals import AssumptionsRefused
    from metrics.register import RegisterError

    # a hub's own register is checked before anything is touched
    try:
        hub = read_hub_register(args.assumptions) if args.assumptions else None
    except RegisterError as exc:
        raise AssumptionsRefused(f"--assumptions {exc}") from None
    result = build(
        Path(args.input),
        Path(args.db),
        as_of=args.as_of,
        base_year=args.price_base_year,
        progress=None if args.quiet else _print,
        threads=args.threads,
        memory_limit=args.memory_limit,
        max_line_bytes=args.max_line_bytes,
        allow_older=args.allow_older,
        lock_wait=args.wait,
        column_map=args.column_map,
        hub=hub,
    )
    if not args.quiet:
        for line in result.lines():
            print(line)
        if hub is not None:
            print(f"assumptions {hub.file_name}: {len(hub.overrides)} overrides "
                  f"(sha256 {hub.sha256[:12]})")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from metrics.check import check as check_extract

    result = check_extract(
        Path(args.input),
        as_of=args.as_of,
        max_line_bytes=args.max_line_bytes,
        column_map=args.column_map,
        db_path=args.db,
        allow_older=args.allow_older,
        progress=None if args.quiet else _print,
    )
    for line in result.lines():
        print(line)
    return 0


def _cmd_template(args: argparse.Namespace) -> int:
    from metrics.template import write_template

    print(f"template written to {write_template(Path(args.out))}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from dashboard.serve import serve

    return serve(Path(args.db), port=args.port, audience=args.audience, headless=args.headless)


def _cmd_report(args: argparse.Namespace) -> int:
    from metrics.report.command import main as report_main

    return report_main(args)


def _cmd_publish(args: argparse.Namespace) -> int:
    from metrics.published.revise import main as publish_main

    return publish_main(args)


def _cmd_lake_export(args: argparse.Namespace) -> int:
    from metrics.lake import export_area

    written = export_area(Path(args.db), Path(args.lake), args.area)
    if not args.quiet:
        print(f"area {args.area}: {len(written)} tables written to {args.lake}")
    return 0


def _cmd_lake_build(args: argparse.Namespace) -> int:
    from metrics.lake_build import LakeError, build_lake
    from metrics.spark.session import SparkUnavailable

    try:
        result = build_lake(
            Path(args.lake), Path(args.out), engine=args.engine, conf=dict(args.conf or []),
            progress=None if args.quiet else _print,
        )
    except (LakeError, SparkUnavailable) as exc:
        _print(f"hubvalue lake build: error: {exc}; nothing was changed")
        return 2
    if not args.quiet:
        for line in result.lines():
            print(line)
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from metrics.bench import main as bench_main

    return bench_main(args)


class _Parser(argparse.ArgumentParser):
    """argparse, with a bad argument reported in one line (no usage block)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _add_generate(sub: argparse._SubParsersAction) -> None:
    gen = sub.add_parser("generate", help="write a realistic synthetic hub extract")
    gen.add_argument(
        "--out", required=True, type=check.path_text, help="folder to write the extract into"
    )
    gen.add_argument(
        "--referrals",
        type=check.referrals,
        default=20000,
        help=f"number of referrals, 1 to {check.MAX_REFERRALS:,} (default 20000)",
    )
    gen.add_argument("--seed", type=check.seed, default=42, help="0 or more (default 42)")
    gen.add_argument(
        "--end",
        type=check.end_month,
        help="last month of referrals, YYYY-MM (default: the month before today)",
    )
    gen.add_argument(
        "--months",
        type=check.months,
        default=24,
        help=f"months of referrals, 1 to {check.MAX_MONTHS} (default 24)",
    )
    gen.add_argument(
        "--format",
        choices=("csv", "parquet", "xlsx"),
        default="csv",
        help="csv or parquet: a file per table; xlsx: extract.xlsx, a sheet per table",
    )
    gen.add_argument(
        "--example-assumptions",
        type=check.path_text,
        metavar="FILE",
        help="also write an example hub register (override file) for build --assumptions",
    )
    gen.add_argument("--quiet", action="store_true", help="no progress or summary")
    gen.set_defaults(func=_cmd_generate)


def _add_build(sub: argparse._SubParsersAction) -> None:
    bld = sub.add_parser("build", help="validate an extract and build the warehouse")
    bld.add_argument(
        "--input",
        required=True,
        type=check.path_text,
        help="extract folder, or a folder of YYYY-MM snapshots",
    )
    bld.add_argument(
        "--db", default="data/warehouse.duckdb", type=check.path_text, help="warehouse path"
    )
    bld.add_argument("--as-of", help="as-of date YYYY-MM-DD (else manifest, else folder name)")
    bld.add_argument(
        "--price-base-year",
        type=check.price_base_year,
        help="price base year such as 2026/27 (default: as-of year)",
    )
    bld.add_argument(
        "--threads",
        type=check.threads,
        help=f"DuckDB threads, 1 to {check.THREADS_PER_CPU} per CPU (default: all cores; "
        "one for an extract under 1 MiB)",
    )
    bld.add_argument(
        "--memory-limit",
        type=check.memory_limit,
        help="DuckDB memory limit, e.g. 8GB, 500MB or 50%% (default 5GB, or half the memory "
        "if less than 10GB)",
    )
    bld.add_argument(
        "--allow-older",
        action="store_true",
        help="build a snapshot older than the warehouse's (quarters already published stay)",
    )
    bld.add_argument(
        "--wait",
        type=check.lock_wait,
        default=DEFAULT_WAIT_SECONDS,
        metavar="SECONDS",
        help="wait this long for another build on the same --db to finish, then give up "
        f"(default {DEFAULT_WAIT_SECONDS:g}; 0: do not wait)",
    )
    bld.add_argument(
        "--max-line-bytes",
        type=int,
        help="longest CSV line read, in bytes (default 1048576): a longer header stops the "
        "file, a longer row is quarantined (line_too_long)",
    )
    bld.add_argument("--column-map", type=check.path_text, help=COLUMN_MAP_HELP)
    bld.add_argument(
        "--assumptions",
        type=check.path_text,
        metavar="FILE",
        help="a hub's own register: a CSV with the register's columns whose rows override "
        "the shipped rows of the same name (checked first; refused with one line)",
    )
    bld.add_argument("--quiet", action="store_true")
    bld.set_defaults(func=_cmd_build)


COLUMN_MAP_HELP = (
    "CSV of table,source_column,contract_column naming the system's own columns "
    "(default: column_map.csv in the extract folder, if any)"
)


def _add_check(sub: argparse._SubParsersAction) -> None:
    chk = sub.add_parser(
        "check", help="dry run: validate an extract and print its load report, writing nothing"
    )
    chk.add_argument(
        "--input",
        required=True,
        type=check.path_text,
        help="extract folder, or a folder of YYYY-MM snapshots",
    )
    chk.add_argument("--as-of", help="as-of date YYYY-MM-DD (else manifest, else folder name)")
    chk.add_argument("--column-map", type=check.path_text, help=COLUMN_MAP_HELP)
    chk.add_argument(
        "--max-line-bytes", type=int, help="longest CSV line read, in bytes (default 1048576)"
    )
    chk.add_argument(
        "--db",
        type=check.path_text,
        help="also check the extract is not older than this warehouse (read only)",
    )
    chk.add_argument("--allow-older", action="store_true", help="as hubvalue build")
    chk.add_argument("--quiet", action="store_true", help="no progress lines")
    chk.set_defaults(func=_cmd_check)


def _add_template(sub: argparse._SubParsersAction) -> None:
    tpl = sub.add_parser(
        "template", help="write an empty extract workbook: a sheet per table, drop-down codes"
    )
    tpl.add_argument(
        "--out", default="hub_extract_template.xlsx", type=check.path_text, help="workbook"
    )
    tpl.set_defaults(func=_cmd_template)


def _add_serve(sub: argparse._SubParsersAction) -> None:
    srv = sub.add_parser("serve", help="serve the dashboard")
    srv.add_argument("--db", default="data/warehouse.duckdb", type=check.path_text,
                     help="a warehouse file, or a national output folder (hubvalue lake "
                     "build: an area choice appears when it holds several areas)")
    srv.add_argument("--port", type=check.port, default=8501, help="1 to 65535 (default 8501)")
    srv.add_argument("--audience", choices=("manager", "pcc", "public"), default="manager")
    srv.add_argument("--headless", action="store_true", help="do not open a browser")
    srv.set_defaults(func=_cmd_serve)


def _add_report(sub: argparse._SubParsersAction) -> None:
    rep = sub.add_parser("report", help="write a report for an audience and period")
    rep.add_argument("--db", default="data/warehouse.duckdb", type=check.path_text)
    rep.add_argument("--audience", choices=("manager", "pcc", "public"), required=True)
    rep.add_argument("--period", required=True, help="2026-10, 2026/27-Q2 or 2026/27")
    rep.add_argument("--format", choices=("html", "pdf"), default="html")
    rep.add_argument("--out", required=True, type=check.path_text)
    rep.add_argument("--area", type=check.area_code,
                     help="with --db a national output (hubvalue lake build): the area")
    rep.set_defaults(func=_cmd_report)



def _add_publish(sub: argparse._SubParsersAction) -> None:
    pub = sub.add_parser("publish", help="revise a published quarter (scheduled, audited)")
    pub.add_argument("--db", default="data/warehouse.duckdb", type=check.path_text)
    pub.add_argument("--revise", required=True, help="the quarter to revise, e.g. 2026/27-Q1")
    pub.add_argument("--reason", required=True, help="why, in words (published)")
    pub.set_defaults(func=_cmd_publish)


def _add_lake(sub: argparse._SubParsersAction) -> None:
    lake = sub.add_parser("lake", help="a national lake of areas: export an area, build them all")
    verbs = lake.add_subparsers(dest="lake_command", required=True)
    exp = verbs.add_parser("export", help="write a built warehouse's tables into the lake")
    exp.add_argument("--db", required=True, type=check.path_text, help="a built warehouse")
    exp.add_argument("--lake", required=True, type=check.path_text, help="the lake folder")
    exp.add_argument("--area", required=True, type=check.area_code,
                     help="the area's code: letters, digits, '-' and '_'")
    exp.add_argument("--quiet", action="store_true")
    exp.set_defaults(func=_cmd_lake_export)
    bld = verbs.add_parser("build", help="run every model for every area of the lake")
    bld.add_argument("--lake", required=True, type=check.path_text, help="the lake folder")
    bld.add_argument("--out", required=True, type=check.path_text,
                     help="output folder: stacked Parquet marts and one warehouse per area")
    bld.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                     help="duckdb (default: one machine) or spark (pip install hubvalue[spark])")
    bld.add_argument("--conf", action="append", type=check.spark_setting, metavar="KEY=VALUE",
                     help="a Spark setting, repeatable (e.g. spark.master=spark://host:7077)")
    bld.add_argument("--quiet", action="store_true")
    bld.set_defaults(func=_cmd_lake_build)


def _add_bench(sub: argparse._SubParsersAction) -> None:
    ben = sub.add_parser("bench", help="measure build, pandas reference and dashboard queries")
    ben.add_argument("--referrals", type=check.referrals, nargs="+", default=[10000])
    ben.add_argument(
        "--format",
        choices=("csv", "parquet"),
        nargs="+",
        default=["parquet"],
        help="extract format(s) to measure (default parquet)",
    )
    ben.add_argument("--seed", type=check.seed, default=42)
    ben.add_argument("--out", default="bench", type=check.path_text)
    ben.add_argument(
        "--repeats", type=check.repeats, default=20, help="calls of each dashboard query"
    )
    ben.add_argument(
        "--runs",
        type=check.runs,
        default=1,
        help="runs of the build, core and pandas steps; the median is reported (default 1)",
    )
    ben.add_argument(
        "--baseline",
        type=check.path_text,
        default=None,
        help="an earlier run's results.json to set beside this one "
        "(default: baseline.json in the output folder, when there is one)",
    )
    ben.set_defaults(func=_cmd_bench)


def _add_loadgen(sub: argparse._SubParsersAction) -> None:
    from metrics.loadgen.cli import add_parser as add_loadgen_parser  # hubvalue loadgen

    add_loadgen_parser(sub)


def parser() -> argparse.ArgumentParser:
    root = _Parser(
        prog="hubvalue",
        description="Public-value indicators for a multi-agency victim support hub.",
    )
    sub = root.add_subparsers(dest="command", required=True)
    _add_generate(sub)
    _add_build(sub)
    _add_check(sub)
    _add_template(sub)
    _add_serve(sub)
    _add_report(sub)
    _add_publish(sub)
    _add_bench(sub)
    _add_lake(sub)
    _add_loadgen(sub)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except ExtractError as exc:
        _print(f"hubvalue {args.command}: error: {exc}")
        if args.command == "build":
            _print("nothing was loaded; the previous warehouse is unchanged")
        return 2
    except BuildRefused as exc:
        _print(f"hubvalue {args.command}: error: {exc}; nothing was changed")
        return exc.exit_code
    except KeyboardInterrupt:
        _print(f"hubvalue {args.command}: interrupted; the previous warehouse is unchanged")
        return 130
    except OSError as exc:
        import errno

        reason = (
            "the disk is full"
            if exc.errno == errno.ENOSPC
            else f"a file error ({type(exc).__name__})"
        )
        _print(
            f"hubvalue {args.command}: failed: {reason}; no data values are shown. "
            "The previous warehouse is unchanged."
        )
        return 1
    except Exception as exc:  # noqa: BLE001 - the message may hold data values: show its kind only
        _print(
            f"hubvalue {args.command}: failed ({type(exc).__name__}); "
            "no data values are shown. The previous warehouse is unchanged."
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
