"""`hubvalue report`: a report for one audience and period, as HTML or PDF (the command;
the package's docstring says what the reports are).

Order of work, so that nothing unsafe is ever written: read the warehouse (read-only),
build the report, protect and audit every public figure (`protected`), render the HTML
(and the PDF) and the CSV files into a temporary folder beside `out`, scan the public
outputs (`scan`), and only then move them into place. A release that fails its audit
or its scan leaves no file behind and the command exits non-zero; its message names
rules and table cells, never a value from the data.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from metrics import national
from metrics.disclosure import DisclosureError, publish
from metrics.queries import WarehouseMissing
from metrics.report import data, manager, pcc, public, render, scan
from metrics.report.content import Context
from metrics.report.pdf import PdfUnavailable, write_pdf
from metrics.report.periods import (
    PeriodError,
    check_audience,
    check_covered,
    check_reportable,
    parse_period,
)

EXIT_REFUSED = 2  # the period or audience cannot be reported
EXIT_DISCLOSURE = 3  # the release failed disclosure control: nothing was written
EXIT_MISSING = 4  # no warehouse, or PDF tools missing


class ReleaseBlocked(RuntimeError):
    """The scan found something in a public output that must not be published."""


@dataclass
class Written:
    report: Path
    tables: Path | None = None
    files: list[Path] = field(default_factory=list)


def tables_dir(out: Path) -> Path:
    """Where the public report's CSV tables go: `<out without suffix>.tables/`."""
    return out.with_name(out.stem + ".tables")


def build_report(
    con, audience: str, period_text: str, protector: Callable | None = None
) -> render.Report:
    """Read, build (and for the public, protect and audit) a report; writes nothing.
    `protector` protects each disclosure-controlled release (default: `publish`)."""
    protector = protector or publish
    period = parse_period(period_text)
    check_audience(period, audience)
    build = data.build_info(con)
    check_reportable(period, build.as_of)
    check_covered(period, data.first_month(con))
    ctx = Context(con, period, build, data.catalogue(con))
    if audience == "manager":
        return manager.build(ctx)
    if audience == "pcc":
        return pcc.build(ctx, protector=protector)
    if audience == "public":
        return public.build(ctx, protector=protector)
    raise PeriodError("unknown audience (use manager, pcc or public)")


def _stage(report: render.Report, fmt: str, folder: Path, name: str) -> tuple[Path, Path | None]:
    """Render the report (and the public CSV tables) into `folder`."""
    page = render.html(report)
    target = folder / name
    if fmt == "pdf":
        write_pdf(page, target)
    else:
        target.write_text(page, encoding="utf-8")
    if report.audience != "public":
        return target, None
    tables = folder / "tables"
    tables.mkdir()
    for table in public.csv_tables(report):
        (tables / f"{table.csv_name}.csv").write_text(table.csv_text(), encoding="utf-8")
    return target, tables


def _replace(source: Path, target: Path) -> None:
    if target.is_dir() and not target.is_symlink():
        old = target.with_name(target.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        source.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        source.replace(target)


def write_report(
    db: Path,
    audience: str,
    period_text: str,
    fmt: str,
    out: Path,
    protector: Callable | None = None,
) -> Written:
    """Build, render, check and write one report; raises before writing anything unsafe."""
    if fmt not in ("html", "pdf"):
        raise PeriodError("the format is html or pdf")
    con = data.open_warehouse(db)
    try:
        report = build_report(con, audience, period_text, protector=protector)
    finally:
        con.close()
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".report-", dir=out.parent) as staging:
        folder = Path(staging)
        staged, staged_tables = _stage(report, fmt, folder, out.name)
        if audience == "public":
            paths = [staged, *sorted(staged_tables.glob("*.csv"))]
            findings = scan.scan_public_output(paths)
            if findings:
                raise ReleaseBlocked(scan.summary(findings))
        _replace(staged, out)
        written = Written(out)
        if staged_tables is not None:
            written.tables = tables_dir(out)
            _replace(staged_tables, written.tables)
            written.files = sorted(written.tables.glob("*.csv"))
    return written


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(args: argparse.Namespace) -> int:
    """The CLI entry: returns the exit code; messages carry no value from the data."""
    out = Path(args.out)
    try:
        db = national.warehouse_for(Path(args.db), getattr(args, "area", None))
    except national.AreaError as exc:
        _say(f"hubvalue report: error: {exc}")
        return EXIT_REFUSED
    try:
        written = write_report(db, args.audience, args.period, args.format, out)
    except PeriodError as exc:
        _say(f"hubvalue report: {exc}")
        return EXIT_REFUSED
    except WarehouseMissing:
        _say(f"hubvalue report: there is no warehouse at {args.db} (run hubvalue build)")
        return EXIT_MISSING
    except (PdfUnavailable, scan.ScanUnavailable) as exc:
        _say(f"hubvalue report: {exc}")
        return EXIT_MISSING
    except (DisclosureError, ReleaseBlocked) as exc:
        _say(
            f"hubvalue report: the {args.audience} release failed disclosure control and "
            f"was not written: {exc}"
        )
        return EXIT_DISCLOSURE
    _say(f"hubvalue report: wrote {written.report}")
    if written.tables is not None:
        _say(f"hubvalue report: wrote {len(written.files)} CSV tables to {written.tables}")
    return 0
