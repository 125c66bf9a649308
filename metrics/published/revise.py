"""`hubvalue publish --db PATH --revise 2026/27-Q1 --reason "..."`: a scheduled,
audited revision of a published quarter (spec rule 4: a closed period's figures change
only in a revision, audited together with the release it revises).

The quarter's tables are protected again from the warehouse as built, audited with
every earlier release of the quarter (the archive beside the warehouse), and, if the
audit passes, written as a new release of kind `revision`; the revision (quarter, reason,
time, build id) is recorded in the archive and published in `published.revisions`,
which the public bulletin prints. The warehouse is changed on a copy that replaces it
only when everything has passed: a refused revision changes nothing in the warehouse
and the published figures stay as they were. Messages name the quarter, rules and cell
ids, never a count.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from metrics.published.archive import archive_path_for
from metrics.published.revisions import RevisionError, check_reason
from metrics.published.step import write_public_release
from metrics.report.periods import PeriodError, parse_period

EXIT_REFUSED = 2  # bad arguments, or nothing to revise
EXIT_AUDIT = 3  # the revision failed disclosure control: nothing was changed


class RevisionRefused(RuntimeError):
    """The revised release could not be protected or failed its audit."""


@dataclass
class RevisionResult:
    period: str
    sequence: int
    build_id: str
    lines: list[str]


def _published(con: duckdb.DuckDBPyConnection, label: str) -> bool:
    found = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'published' "
        "and table_name = 'periods'"
    ).fetchone()[0]
    if not found:
        return False
    return bool(con.execute(
        "select count(*) from published.periods where period = ? and status = 'published'",
        [label],
    ).fetchone()[0])


def revise_quarter(db_path: str | Path, quarter: str, reason: str) -> RevisionResult:
    """Revise one published quarter of the warehouse at `db_path` (see the module)."""
    reason = check_reason(reason)
    try:
        period = parse_period(quarter)
    except PeriodError:
        raise RevisionError("--revise: give a financial quarter such as 2026/27-Q1") from None
    if period.kind != "quarter":
        raise RevisionError("--revise: the public release is revised by financial quarter "
                            "(such as 2026/27-Q1)")
    db_path = Path(db_path)
    if not db_path.is_file():
        raise RevisionError(f"--db: there is no warehouse at {db_path} (run hubvalue build)")
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.revise.tmp")
    tmp.unlink(missing_ok=True)
    with open(db_path, "rb") as source, open(tmp, "wb") as target:
        while chunk := source.read(1 << 20):
            target.write(chunk)
    try:
        con = duckdb.connect(str(tmp))
        try:
            if not _published(con, period.label):
                raise RevisionError(
                    f"--revise: {period.label} has no published release to revise"
                )
            result = write_public_release(
                con, archive=archive_path_for(db_path), revise=[period.label], reason=reason
            )
            [outcome] = [q for q in result.quarters if q.period.label == period.label]
            made = [r for r in result.written if r.period == period.label]
            if outcome.message or not made or made[0].kind != "revision":
                raise RevisionRefused(
                    f"{period.label}: {outcome.message or 'no revision was made'}"
                )
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(tmp, db_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return RevisionResult(period.label, made[0].sequence, result.build_id, result.lines())


def main(args: argparse.Namespace) -> int:
    """The CLI entry: the exit code; messages carry no value from the data."""
    try:
        result = revise_quarter(Path(args.db), args.revise, args.reason)
    except RevisionError as exc:
        print(f"hubvalue publish: {exc}", file=sys.stderr, flush=True)
        return EXIT_REFUSED
    except RevisionRefused as exc:
        print(f"hubvalue publish: the revision failed disclosure control and was not "
              f"written; the published figures are unchanged: {exc}",
              file=sys.stderr, flush=True)
        return EXIT_AUDIT
    for line in result.lines:
        print(line, file=sys.stderr, flush=True)
    print(f"hubvalue publish: {result.period} revised (release {result.sequence}, "
          f"build {result.build_id})", file=sys.stderr, flush=True)
    return 0
