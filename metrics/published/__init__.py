"""The public release: the fixed, audited tables the public audience reads.

`write_public_release(con, build_id=..., archive=archive_path_for(db_path))` runs after
the SQL models, on the build's read-write connection. It builds every complete financial
quarter's public tables (the tables of the public transparency report: people referred
by characteristic and crime type, people by stage, each person-level outcome's base and
met), protects them with `metrics.disclosure.publish`, audits them with the linear
programme, together with the quarter's earlier releases kept in the archive, and writes
them with the dashboard's indicator rows and reach figures into the `published` schema
(docs/disclosure.md, "The public release"). The `public` audience of `metrics.queries`
reads nothing else.

Modules: `frames` (people frames, SQL), `specs` (the tables), `protect` (publish and
audit one quarter), `archive` (earlier releases across builds), `figures` (dashboard rows
from protected tables), `schema` (writing `published`), `step` (the whole step).
"""

from metrics.published.archive import ArchivedRelease, ReleaseArchive, archive_path_for
from metrics.published.step import QuarterOutcome, ReleaseResult, write_public_release

__all__ = [
    "ArchivedRelease",
    "QuarterOutcome",
    "ReleaseArchive",
    "ReleaseResult",
    "archive_path_for",
    "write_public_release",
]
