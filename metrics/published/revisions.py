"""The record of scheduled revisions, kept in the release archive beside the releases
(its own table, `public_revisions`: one row per revision made: the quarter, the release
it made, the reason given, when, and the build of the warehouse it was made from).

The reason is published with the quarter's figures (`published.revisions`, the
bulletin's revisions section), so it is checked: plain words, no figures.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from metrics import file_read

TABLE = "public_revisions"
COLUMNS = ["period", "sequence", "reason", "revised_at", "build_id"]
MAX_REASON = 200
_REASON = re.compile(r"^[A-Za-z][A-Za-z ,.;:'()/&-]*$")


class RevisionError(ValueError):
    """A revision cannot be made (the message names the argument and rule, no values)."""


@dataclass(frozen=True)
class Revision:
    period: str
    sequence: int  # the release the revision made
    reason: str
    revised_at: dt.datetime
    build_id: str


def check_reason(reason: str) -> str:
    """The reason as published: plain words and punctuation, 5 to 200 characters, no
    digits (a number in a published text could be read as a count)."""
    text = " ".join(str(reason or "").split())
    if not 5 <= len(text) <= MAX_REASON or not _REASON.match(text):
        raise RevisionError(
            "--reason: give the reason in plain words (5 to 200 letters, spaces and "
            "punctuation, no digits): it is published with the revised figures"
        )
    return text


def add_revisions(archive: str | Path, revisions: Sequence[Revision]) -> None:
    """Add revision records to the archive (created if need be), in one transaction."""
    if not revisions:
        return
    path = Path(archive)
    path.parent.mkdir(parents=True, exist_ok=True)
    with file_read.writable(path) as con:
        con.execute(
            f"""
            create table if not exists {TABLE} (
                period varchar not null,
                sequence integer not null,
                reason varchar not null,
                revised_at timestamp not null,
                build_id varchar,
                primary key (period, sequence)
            )
            """
        )
        con.begin()
        try:
            for r in revisions:
                con.execute(f"insert into {TABLE} values (?, ?, ?, ?, ?)",
                            [r.period, r.sequence, r.reason, r.revised_at, r.build_id])
            con.commit()
        except BaseException:
            con.rollback()
            raise


def read_revisions(archive: str | Path | None) -> pd.DataFrame:
    """Every revision recorded in the archive, oldest first (no rows if none)."""
    empty = pd.DataFrame(columns=COLUMNS)
    if archive is None or not Path(archive).exists():
        return empty
    with file_read.read_only(archive) as con:
        found = con.execute(
            "select count(*) from duckdb_tables() where table_name = ? "
            "and database_name = current_database()",
            [TABLE],
        ).fetchone()[0]
        if not found:
            return empty
        return con.execute(
            f"select {', '.join(COLUMNS)} from {TABLE} order by revised_at, period, sequence"
        ).df()
