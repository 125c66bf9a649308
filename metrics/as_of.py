"""Is the as-of date backed by the extract? Checked after the rows are loaded, before
the models run.

The as-of date decides which months and quarters count as closed, and a closed quarter
is published and then frozen (spec rule 4). An as-of date later than what the extract
covers would publish months the extract knows nothing about as zeros. So the build
refuses when the as-of date is more than the allowance after:

* the end of the period the extract declares (the manifest's `period`, else the
  snapshot folder's name such as `2026-11/`, else the manifest's own `as_of`): a later
  as-of date given with `--as-of` would close months that are not in the snapshot. An
  as-of date the extract declares itself is its own statement of when it was taken:
  quiet months before it are true zeros;
* the newest date in the hub's own records, when the extract declares none of these
  (the `--as-of` date is then the only claim of how far the extract reaches): referral, contact,
  assessment and closure dates, agency referral dates, service dates, assessment dates
  and exit survey dates. Police and NHS tables have their own coverage dates and are not
  used; neither are funding and population, which can be planned ahead.

The allowance is the manifest's `as_of_allowance_days` (a whole number of days, 0 to
366), default 31: a snapshot may be taken up to a month after its period ends, or after
the last record. The error names the rule and dates of the extract's own period, never a
value from a record.
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb

from metrics.period import month_end
from metrics.snapshot import ExtractError, Snapshot, read_manifest

DEFAULT_ALLOWANCE_DAYS = 31
MAX_ALLOWANCE_DAYS = 366
ALLOWANCE_KEY = "as_of_allowance_days"
RULE = "as_of_not_covered"
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")

# table -> date columns of the hub's own records
HUB_DATES = {
    "referrals": ("referral_date", "first_contact_date", "assessment_date", "closed_date"),
    "agency_referrals": ("sent_date", "outcome_date", "first_contact_date", "ended_date"),
    "services": ("start_date", "end_date"),
    "assessments": ("assessment_date",),
    "exit_surveys": ("survey_date",),
}


def allowance_days(manifest: dict) -> int:
    """The manifest's allowance, checked; the default when it says nothing."""
    value = manifest.get(ALLOWANCE_KEY, DEFAULT_ALLOWANCE_DAYS)
    if isinstance(value, bool) or not isinstance(value, int) or not (
        0 <= value <= MAX_ALLOWANCE_DAYS
    ):
        raise ExtractError(
            f"'{ALLOWANCE_KEY}' must be a whole number of days from 0 to {MAX_ALLOWANCE_DAYS}",
            file="manifest.json",
            rule="manifest",
        )
    return value


def declared_period_end(snapshot: Snapshot, manifest: dict) -> tuple[dt.date, str] | None:
    """The last day the extract declares it covers, and where it says so: the end of
    the manifest's `period`, else of the folder's period name, else the manifest's own
    `as_of`; None when it declares none of these."""
    for text, where in ((manifest.get("period"), "manifest.json"), (snapshot.folder.name, "")):
        match = _PERIOD.match(str(text or ""))
        if match and 1 <= int(match.group(2)) <= 12:
            source = where or f"the folder name {snapshot.folder.name}"
            return month_end(dt.date(int(match.group(1)), int(match.group(2)), 1)), source
    if "as_of" in manifest:
        try:
            return dt.date.fromisoformat(str(manifest["as_of"])), "manifest.json's as_of"
        except ValueError:
            return None
    return None


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from duckdb_columns() where schema_name = 'raw' "
        "and table_name = ? and database_name = current_database()",
        [table],
    ).fetchall()
    return {r[0] for r in rows}


def newest_hub_date(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The newest date in the hub's own loaded records (None if there is none: an
    extract without records publishes nothing, whatever its as-of date)."""
    parts = []
    for table, columns in HUB_DATES.items():
        present = _columns(con, table)
        parts += [f"select max({c}) as d from raw.{table}" for c in columns if c in present]
    if not parts:
        return None
    found = con.execute(f"select max(d) from ({' union all '.join(parts)})").fetchone()[0]
    return found


def check_as_of(con: duckdb.DuckDBPyConnection, snapshot: Snapshot) -> None:
    """Raise ExtractError (rule `as_of_not_covered`) when the as-of date is later than the
    extract covers, by more than the allowance. `con` holds the loaded `raw` tables."""
    manifest = read_manifest(snapshot.folder)
    allowance = allowance_days(manifest)
    as_of = snapshot.as_of
    declared = declared_period_end(snapshot, manifest)
    hint = (
        f"give an as-of date the extract covers, or set '{ALLOWANCE_KEY}' in manifest.json "
        f"(now {allowance} days)"
    )
    if declared is not None:
        end, where = declared
        if as_of > end + dt.timedelta(days=allowance):
            raise ExtractError(
                f"the as-of date {as_of.isoformat()} is {(as_of - end).days} days after the "
                f"end of the extract's period ({end.isoformat()}, from {where}); {hint}",
                file="--as-of" if snapshot.as_of_source == "flag" else "manifest.json",
                rule=RULE,
            )
        return
    newest = newest_hub_date(con)
    if newest is not None and as_of > newest + dt.timedelta(days=allowance):
        raise ExtractError(
            f"the as-of date {as_of.isoformat()} is more than {allowance} days after the "
            f"newest date in the hub's records, and the extract declares no period or "
            f"as-of date; {hint}",
            file="--as-of" if snapshot.as_of_source == "flag" else "manifest.json",
            rule=RULE,
        )
