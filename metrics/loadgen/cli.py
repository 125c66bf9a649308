"""``hubvalue loadgen`` / ``python -m metrics.loadgen``: many people on one server.

    hubvalue loadgen --db warehouse.duckdb --sessions 10 25 50 --duration 90

With ``--db`` each session count gets a fresh ``hubvalue serve`` on a free loopback
port (so its memory is its own), which is stopped afterwards; with ``--url`` the
generator loads a server already running on this machine (``--server-pid`` to measure
its memory and CPU). ``--browser`` keeps one real Chromium session in the run.
The figures are printed and written as JSON to ``--out``. The exit code is 1 when any
page run had an error, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

DEFAULT_OUT = Path("artifacts") / "load"


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", help="warehouse to serve on a loopback port for the run")
    where.add_argument("--url", help="a server already running on this machine "
                                     "(http://127.0.0.1:PORT)")
    parser.add_argument("--server-pid", type=int,
                        help="with --url: the server's process id, to measure its memory")
    parser.add_argument("--audience", choices=("manager", "pcc", "public"), default="manager")
    parser.add_argument("--sessions", type=int, nargs="+", default=[10],
                        help="people at once; several counts run one after another")
    parser.add_argument("--duration", type=float, default=60.0,
                        help="seconds during which people start pages (default 60)")
    parser.add_argument("--arrive-within", type=float, default=10.0,
                        help="people arrive at random within these seconds (default 10)")
    parser.add_argument("--read", type=float, nargs=2, default=[5.0, 15.0],
                        metavar=("LOW", "HIGH"),
                        help="seconds a person reads a page (default 5 15)")
    parser.add_argument("--filter-share", type=float, default=0.25,
                        help="share of moves that also change a sidebar filter (default 0.25)")
    parser.add_argument("--page-timeout", type=float, default=60.0,
                        help="seconds before a page counts as timed out (default 60)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--browser", action="store_true",
                        help="keep one real Chromium session in the run")
    parser.add_argument("--label", default="", help="name for the figures (default: the "
                                                    "warehouse file's name)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="folder for the JSON figures")
    parser.set_defaults(func=main_with_args)
    return parser


def add_parser(subparsers) -> None:
    """The one hook ``metrics/cli.py`` calls to offer ``hubvalue loadgen``."""
    add_arguments(subparsers.add_parser(
        "loadgen", help="many sessions at once over Streamlit's protocol: page times, "
                        "errors, server memory"))


def _problem(args: argparse.Namespace) -> str:
    """A one-line reason the arguments cannot run, or ''."""
    if args.db and not Path(args.db).is_file():
        return f"--db: no warehouse file at {args.db}"
    if args.url:
        from metrics.loadgen.protocol import require_loopback

        try:
            require_loopback(args.url)
        except ValueError as exc:
            return str(exc)
    if any(n < 1 for n in args.sessions):
        return "--sessions: each count must be at least 1"
    if args.duration <= 0 or args.page_timeout <= 0 or args.arrive_within < 0:
        return "--duration and --page-timeout must be positive, --arrive-within not negative"
    low, high = args.read
    if low < 0 or high < low:
        return "--read: LOW HIGH must satisfy 0 <= LOW <= HIGH"
    if not 0 <= args.filter_share <= 1:
        return "--filter-share: must be between 0 and 1"
    return ""


def main_with_args(args: argparse.Namespace) -> int:
    # imported here: building the parser must stay light for every hubvalue command
    from metrics.loadgen import report
    from metrics.loadgen.measure import measure
    from metrics.loadgen.people import Pace
    from metrics.loadgen.server import served

    problem = _problem(args)
    if problem:
        print(f"hubvalue loadgen: error: {problem}", file=sys.stderr)
        return 2
    label = args.label or (Path(args.db).stem if args.db else "server")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    any_errors = False
    for sessions in args.sessions:
        pace = Pace(duration_s=args.duration, arrive_within_s=args.arrive_within,
                    read_s=tuple(args.read), filter_share=args.filter_share,
                    page_timeout_s=args.page_timeout, seed=args.seed)
        if args.db:
            server = served(Path(args.db), audience=args.audience)
        else:
            server = contextlib.nullcontext((args.url.rstrip("/"), args.server_pid))
        with server as (url, pid):
            result = measure(url, pid, sessions, pace, label=label,
                             with_browser=args.browser)
        (out / f"loadgen_{label}_{sessions}.json").write_text(json.dumps(result, indent=2))
        print(report.describe(result), flush=True)
        any_errors = failed(result) or any_errors
    return 1 if any_errors else 0


def failed(result: dict) -> bool:
    """Whether the run saw an error: in a page run or the warm-up, a connection, or
    what the Chromium session drew (a title other than the page's, an error box)."""
    pages = result["pages"]
    if pages["error_count"] or pages.get("warm_up_errors"):
        return True
    check = result.get("browser") or {}
    return check.get("pages") is not None and bool(
        not check["all_titles_match"] or check["browser_errors"] or check["browser_failures"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m metrics.loadgen",
                                     description=__doc__.split("\n\n")[0])
    args = add_arguments(parser).parse_args(argv)
    return args.func(args)
