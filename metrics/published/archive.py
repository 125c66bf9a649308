"""The archive of public releases: every quarter's published tables, kept across builds.

A DuckDB file beside the warehouse (`<name>.releases.duckdb`, like the quarantine
store), never opened by the dashboard. Each row is one release of one quarter: its
sequence number (1 for the first, then additions and revisions), the build that made it,
its table names, the protected release itself
(`ProtectedRelease.to_dict(atoms=False, earlier=False)`: the published values, which
hidden cells are small and each table's spec) and the true count each cell was published
from, so that a later build can bind it to its own people frames and audit a new release
of the quarter against it. Which hidden cells are small, and the true
counts, are not public: the archive is private, like the warehouse and the quarantine
store.

A rebuild never loses a release: rows are only added.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from metrics import file_read
from metrics.disclosure import ProtectedRelease

TABLE = "public_releases"
KINDS = ("first", "addition", "revision")


def archive_path_for(db_path: str | Path) -> Path:
    """The archive beside a warehouse: data/warehouse.duckdb -> data/warehouse.releases.duckdb."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + ".releases.duckdb")


@dataclass(frozen=True)
class ArchivedRelease:
    """One release of one quarter."""

    period: str
    sequence: int
    kind: str
    build_id: str
    created_at: dt.datetime
    tables: tuple[str, ...]
    dropped: tuple[str, ...]
    protected: ProtectedRelease
    audit: str
    counts: dict[str, int]  # cell id -> the true count it was published from (private)

    @property
    def release_id(self) -> str:
        return f"public/{self.period}/{self.sequence}"


class ReleaseArchive:
    """Read and add releases; the file is created on the first write."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def releases(self, periods: Iterable[str] | None = None) -> dict[str, list[ArchivedRelease]]:
        """The releases of each period asked for (all if None), oldest first."""
        if not self.path.exists():
            return {}
        with file_read.read_only(self.path) as con:
            found = con.execute(
                "select count(*) from duckdb_tables() where table_name = ? "
                "and database_name = current_database()",
                [TABLE],
            ).fetchone()[0]
            if not found:
                return {}
            rows = con.execute(
                f"""
                select period, sequence, kind, build_id, created_at, tables, dropped,
                    protected, audit, counts
                from {TABLE}
                where $all or list_contains($periods, period)
                order by period, sequence
                """,
                {"all": periods is None, "periods": list(periods or [])},
            ).fetchall()
        out: dict[str, list[ArchivedRelease]] = {}
        for period, seq, kind, build_id, created, tables, dropped, protected, audit, counts in rows:
            out.setdefault(period, []).append(
                ArchivedRelease(
                    period,
                    int(seq),
                    kind,
                    build_id,
                    created,
                    tuple(tables),
                    tuple(dropped),
                    ProtectedRelease.from_dict(json.loads(protected)),
                    audit,
                    {k: int(v) for k, v in json.loads(counts).items()},
                )
            )
        return out

    def add(self, releases: Sequence[ArchivedRelease]) -> None:
        """Add releases in one transaction (nothing is added if one fails)."""
        if not releases:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with file_read.writable(self.path) as con:
            con.execute(
                f"""
                create table if not exists {TABLE} (
                    release_id varchar primary key,
                    period varchar not null,
                    sequence integer not null,
                    kind varchar not null,
                    build_id varchar,
                    created_at timestamp not null,
                    tables varchar[] not null,
                    dropped varchar[] not null,
                    protected varchar not null,
                    audit varchar not null,
                    counts varchar not null
                )
                """
            )
            con.begin()
            try:
                for r in releases:
                    if r.kind not in KINDS:
                        raise ValueError("unknown kind of release")
                    con.execute(
                        f"insert into {TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [
                            r.release_id,
                            r.period,
                            r.sequence,
                            r.kind,
                            r.build_id,
                            r.created_at,
                            list(r.tables),
                            list(r.dropped),
                            json.dumps(r.protected.to_dict(atoms=False, earlier=False)),
                            r.audit,
                            json.dumps(r.counts),
                        ],
                    )
                con.commit()
            except BaseException:
                con.rollback()
                raise
