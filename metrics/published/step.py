"""The release step: build the public release in the warehouse, from the marts.

Which quarters: every financial quarter from the hub's first month that has ended by the
as-of date and is covered by the extract (`quarters.publishable_quarters`).

What each quarter gets, given the releases of it already in the archive:

* none yet: its *first* release, every table of the public report (the referral
  tables, and the base and met tables of each person-level outcome measurable in every
  month of the quarter);
* some: its published figures stay as they are (spec rule 4: the figures of a closed
  period change only in a scheduled revision). An outcome that has become measurable
  since is published in an *addition*, audited together with the quarter's earlier
  releases;
* a quarter named in `revise`: a *revision*, every table computed again and audited
  together with all its earlier releases, which stay in the archive.

A release that cannot be protected, or fails its audit, is not written: a quarter
without an earlier release is then left out of the public tables (refused), and one with
earlier releases keeps their figures. The manager and PCC views never read these tables,
so the rest of the warehouse is usable either way.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from metrics import queries, read
from metrics.disclosure import DisclosureError, ProtectedRelease, publish
from metrics.disclosure.rules import (
    MIN_PERSONS_STATISTIC,
    MIN_PERSONS_WELLBEING_MEAN,
    ROUNDING_BASE,
    SENSITIVE_THRESHOLD,
    THRESHOLD,
)
from metrics.period import Period
from metrics.published import figures, frames, protect, specs
from metrics.published.archive import ArchivedRelease, ReleaseArchive
from metrics.published.comparison import protect_comparisons
from metrics.published.quarters import publishable_quarters
from metrics.published.revisions import COLUMNS as REVISION_COLUMNS
from metrics.published.revisions import Revision, add_revisions, read_revisions
from metrics.published.schema import write_schema
from metrics.report import data

# the release is worked out from the rows the manager sees, then protected and audited
READER = data.READER

RULES = (
    f"counts of people (distinct victims); counts of 1 to {THRESHOLD - 1} hidden as [c] "
    f"(1 to {SENSITIVE_THRESHOLD - 1} in a cut by a sensitive dimension); every other count "
    f"rounded to the nearest {ROUNDING_BASE}, totals rounded separately; rates from the "
    "rounded counts, withheld when a part is hidden; further cells hidden until an "
    "automated linear-programming audit shows that no hidden small count can be narrowed "
    "down from the published figures of this release and of the quarter's earlier "
    "releases; a breakdown in which one category holds everyone hidden or left out; "
    "money rounded to 3 significant figures and shown only with at least "
    f"{THRESHOLD} people behind it; no statistic over fewer than {MIN_PERSONS_STATISTIC} "
    f"people ({MIN_PERSONS_WELLBEING_MEAN} for pre/post wellbeing means)"
)
METHODS = (
    "Quarterly tables for the whole hub, from the hub's case records as built into this "
    "warehouse. A person is counted once in a table however many referrals they had. A "
    "quarter is published once it has ended and its figures stay as first published; an "
    "outcome that becomes measurable later is added, and figures change only in a "
    "scheduled revision, audited together with the figures it revises. Other indicators "
    "(referral counts, medians, modelled estimates) are not in the public release."
)
DEFAULT_REASON = "scheduled revision"
PARAMETERS_NOTE = "the assumptions register with every parameter's source: table parameters"


@dataclass
class QuarterOutcome:
    period: Period
    status: str  # published, refused, or none (nothing published yet, nothing new)
    kind: str  # the kind of release made in this build, or "archived"
    message: str = ""


@dataclass
class ReleaseResult:
    """What the step did; `lines()` is safe for the build log (no values)."""

    build_id: str
    quarters: list[QuarterOutcome]
    tables: int
    cells: int
    hidden: int
    seconds: float
    archive: Path | None
    written: list[ArchivedRelease] = field(default_factory=list)

    @property
    def refused(self) -> list[QuarterOutcome]:
        return [q for q in self.quarters if q.message]

    @property
    def passed(self) -> bool:
        return not self.refused

    def lines(self) -> list[str]:
        published = [q for q in self.quarters if q.status == "published"]
        new = [q for q in self.quarters if q.kind in ("first", "addition", "revision")
               and not q.message]
        out = [
            f"public release: {len(published)} quarters published ({len(new)} new or "
            f"changed releases, {len(published) - len(new)} as already published), "
            f"{self.tables} tables, {self.cells} cells, {self.hidden} hidden; "
            f"audit {'passed' if self.passed else 'refused some releases'} "
            f"({self.seconds:.1f} s)"
        ]
        for q in self.refused:
            out.append(f"public release {q.period.label} ({q.kind}) not written: {q.message}")
        if not self.quarters:
            out.append("public release: no complete quarter with referral facts to publish")
        if self.archive is None:
            out.append("public release: no archive of earlier releases was given")
        return out


def _comparisons(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The comparison population of every month (marts.equity_reach): its people and
    share of its characteristic, by basis (the share is worked out here when the table
    does not carry it)."""
    columns = ["month", "basis", "basis_label", "characteristic", "category",
               "comparison_people", "comparison_share"]
    if not queries.has_table(con, "marts", "equity_reach"):
        return pd.DataFrame(columns=columns)
    present = set(queries.table_columns(con, "marts", "equity_reach"))
    out = read.run(con, "comparison_population", READER)
    if "comparison_share" in present:
        shares = read.run(con, "comparison_population_shares", READER)
        out = out.merge(shares, on=["month", "basis", "characteristic", "category"],
                        how="left")
    else:
        known = out["category"] != "unknown"
        totals = out[known].groupby(["month", "basis", "characteristic"])[
            "comparison_people"].transform("sum")
        out["comparison_share"] = (out.loc[known, "comparison_people"] / totals)
    out = out[out["comparison_share"].notna()].reset_index(drop=True)
    out["month"] = [pd.Timestamp(m).date() for m in out["month"]]
    return out[columns]


def _areas(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every area among the victims (marts.areas): the area table's categories, so an
    area nobody was referred from in a quarter is published as 0 (none: no such mart)."""
    if not queries.has_table(con, "marts", "areas"):
        return []
    return list(read.run(con, "areas", data.READER)["area"])


def _latest_comparisons(comparisons: pd.DataFrame, last: dt.date) -> pd.DataFrame:
    before = comparisons[comparisons["month"] <= last]
    if before.empty:
        return before
    return before[before["month"] == before["month"].max()]


@dataclass
class _Plan:
    period: Period
    kind: str  # first, addition, revision, archived
    outcomes: list[str]  # outcomes whose tables this release adds
    referral_tables: bool
    earlier: list[ArchivedRelease]


def _plan(
    period: Period,
    statuses: dict[str, str],
    earlier: list[ArchivedRelease],
    revise: bool,
) -> _Plan:
    measurable = [i for i in data.PERSON_OUTCOMES if statuses.get(i) == "ok"]
    if revise or not earlier:
        return _Plan(period, "revision" if revise and earlier else "first", measurable, True,
                     earlier)
    have = {t for r in earlier for t in r.tables}
    new = [i for i in measurable if specs.outcome_tables(i)[0] not in have]
    return _Plan(period, "addition" if new else "archived", new, False, earlier)


def _state(earlier: Sequence[ArchivedRelease]) -> tuple[dict[str, ProtectedRelease], set[str]]:
    """Each published table of a quarter and the release holding it (a later release of
    the same table, a revision, replaces the earlier one)."""
    tables: dict[str, ProtectedRelease] = {}
    dropped: set[str] = set()
    for release in sorted(earlier, key=lambda r: r.sequence):
        if release.kind == "revision":
            tables, dropped = {}, set()
        for name in release.tables:
            tables[name] = release.protected
        dropped |= set(release.dropped)
        dropped -= set(release.tables)
    return tables, dropped


def write_public_release(
    con: duckdb.DuckDBPyConnection,
    build_id: str | None = None,
    archive: str | Path | None = None,
    revise: Iterable[str] = (),
    protector: protect.Protector = publish,
    reason: str = DEFAULT_REASON,
) -> ReleaseResult:
    """Build, protect, audit and write the public release into the `published` schema of
    the warehouse open on `con` (read-write; the marts must exist).

    archive: the file that keeps every quarter's releases across builds
    (`archive_path_for(db_path)`); None keeps nothing and audits against nothing earlier.
    revise: quarters ("2026/27-Q1") to publish again as a scheduled revision.
    protector: `publish` (tests pass an under-protecting one to see the audit stop it).
    reason: why the quarters in `revise` are revised, recorded with each revision made
    (in the archive and `published.revisions`; `revise.revise_quarter` checks it).
    """
    started = time.perf_counter()
    build = read.run(con, "build_info", READER).iloc[0]
    build_id = str(build_id or build["build_id"])
    as_of = pd.Timestamp(build["as_of"]).date()
    # people are counted from the referral facts: without them nothing can be published
    facts = queries.has_table(con, "marts", "fct_referrals")
    quarters = publishable_quarters(con) if facts else []
    revise = set(revise)
    store = ReleaseArchive(archive) if archive is not None else None
    archived = store.releases([q.label for q in quarters]) if store else {}
    catalogue = read.run(con, "catalogue", READER)
    pooled = (
        queries.pooled_quarters(con, quarters[0].first, quarters[-1].last)
        if quarters
        else pd.DataFrame(columns=["bucket", "indicator_id", "status"])
    )
    pooled["bucket"] = [pd.Timestamp(b).date() for b in pooled["bucket"]]
    plans = []
    for quarter in quarters:
        rows = pooled[pooled["bucket"] == quarter.first]
        statuses = dict(zip(rows["indicator_id"], rows["status"], strict=True))
        plans.append(
            _plan(quarter, statuses, archived.get(quarter.label, []), quarter.label in revise)
        )
    work = [p for p in plans if p.kind != "archived"]
    starts = [p.period.first for p in work]
    referred = frames.split_by_quarter(frames.referred_frame(con, starts), starts) if work else {}
    areas = _areas(con)
    wanted = sorted(
        {i for p in work for i in p.outcomes if i in frames.OTHER_OUTCOMES}
        | {
            t.namespace.split(":", 1)[1]
            for p in work
            for r in p.earlier
            for t in r.protected.tables
            if t.namespace.startswith("outcome:")
        }
    )
    outcome_people = (
        frames.split_by_quarter(frames.outcome_frames(con, starts, wanted), starts)
        if work
        else {}
    )

    outcomes: list[QuarterOutcome] = []
    written: list[ArchivedRelease] = []
    published: dict[str, tuple[Period, dict[str, ProtectedRelease]]] = {}
    period_rows = []
    now = dt.datetime.now().replace(microsecond=0)
    for plan in plans:
        tables, dropped = _state(plan.earlier)
        outcome = QuarterOutcome(plan.period, "published" if tables else "none", plan.kind)
        made = None
        if plan.kind != "archived":
            made, message = _make(plan, referred, outcome_people, protector, build_id, now,
                                  areas)
            if made is None:
                outcome.message = message
            else:
                written.append(made)
                if made.kind == "revision":
                    tables, dropped = {}, set()
                tables.update({name: made.protected for name in made.tables})
                dropped = (dropped | set(made.dropped)) - set(made.tables)
        if tables:
            outcome.status = "published"
            published[plan.period.label] = (plan.period, tables)
        elif outcome.message:
            outcome.status = "refused"
        outcomes.append(outcome)
        history = [*plan.earlier, *([made] if made else [])]
        period_rows.append(
            {
                "period": plan.period.label,
                "first_month": plan.period.first,
                "last_month": plan.period.last,
                "status": outcome.status,
                "releases": len(history),
                "first_build_id": history[0].build_id if history else None,
                "last_kind": history[-1].kind if history else None,
                "audit": outcome.message or (history[-1].audit if history else ""),
            }
        )
    made_revisions = [
        Revision(r.period, r.sequence, reason, now, build_id)
        for r in written if r.kind == "revision"
    ]
    if store is not None:
        store.add(written)
        add_revisions(store.path, made_revisions)
    revisions = read_revisions(store.path) if store is not None else pd.DataFrame(
        [vars(r) for r in made_revisions], columns=REVISION_COLUMNS)

    frames_out = _outputs(con, published, pooled, catalogue)
    cells = frames_out["tables"]
    result = ReleaseResult(
        build_id,
        outcomes,
        tables=int(cells[["period", "table_name"]].drop_duplicates().shape[0]) if len(cells)
        else 0,
        cells=len(cells),
        hidden=int(cells["count"].isna().sum()) if len(cells) else 0,
        seconds=0.0,
        archive=None if archive is None else Path(archive),
        written=written,
    )
    frames_out["periods"] = pd.DataFrame(period_rows)
    frames_out["revisions"] = revisions[revisions["period"].isin(list(published))]
    frames_out["release"] = pd.DataFrame(
        [
            {
                "build_id": build_id,
                "as_of": as_of,
                "released_at": now,
                "status": _overall(outcomes),
                "quarters": sorted(published),
                "refused": [q.period.label for q in result.refused],
                "audit": "passed" if result.passed else "; ".join(
                    f"{q.period.label}: {q.message}" for q in result.refused
                ),
                "tables": result.tables,
                "cells": result.cells,
                "hidden": result.hidden,
                "archive": "" if archive is None else Path(archive).name,
                "rules": RULES,
                "methods": METHODS,
                "parameters_note": PARAMETERS_NOTE,
            }
        ]
    )
    write_schema(con, frames_out)
    result.seconds = time.perf_counter() - started
    return result


def _overall(outcomes: list[QuarterOutcome]) -> str:
    if not outcomes:
        return "empty"
    if any(q.message for q in outcomes):
        return "partial" if any(q.status == "published" for q in outcomes) else "refused"
    return "published"


def _make(
    plan: _Plan,
    referred: dict[dt.date, pd.DataFrame],
    outcome_people: dict[dt.date, pd.DataFrame],
    protector: protect.Protector,
    build_id: str,
    now: dt.datetime,
    areas: Sequence[str] = (),
) -> tuple[ArchivedRelease | None, str]:
    """Protect and audit a quarter's new release: (the release, "") or (None, why not).
    referred, outcome_people: each quarter's rows of the people frames."""
    label, first = plan.period.label, plan.period.first
    quarter_referred = referred[first]
    by_namespace, dropped = specs.quarter_specs(
        label, quarter_referred, plan.outcomes, plan.referral_tables, areas
    )
    earlier = [(r.protected, r.counts) for r in plan.earlier]
    namespaces = set(by_namespace) | {t.namespace for e, _ in earlier for t in e.tables}
    quarter_outcomes = protect.split_outcomes(outcome_people[first])
    people = {
        ns: protect.namespace_frame(ns, label, quarter_referred, quarter_outcomes)
        for ns in namespaces
    }
    try:
        protected, counts = protect.protect_quarter(people, by_namespace, earlier, protector)
    except DisclosureError as error:
        return None, str(error)  # counts, rule names and cell ids only
    except ValueError as error:
        return None, _safe_reason(error)
    names = tuple(t.name for t in protected.tables)
    sequence = max((r.sequence for r in plan.earlier), default=0) + 1
    return (
        ArchivedRelease(label, sequence, plan.kind, build_id, now, names,
                        tuple(sorted(dropped)), _kept(protected), "passed", counts),
        "",
    )


OWN_MESSAGES = ("an earlier release", "no people frame", "no count kept")


def _safe_reason(error: ValueError) -> str:
    """Our own messages name tables and cells; any other could quote a value."""
    text = str(error)
    if text.startswith(OWN_MESSAGES):
        return text
    return f"the release could not be made from the people frames ({type(error).__name__})"


def _kept(protected: ProtectedRelease) -> ProtectedRelease:
    """The release as the archive keeps it (without atoms and earlier releases)."""
    return ProtectedRelease.from_dict(protected.to_dict(atoms=False, earlier=False))


def _outputs(
    con: duckdb.DuckDBPyConnection,
    published: dict[str, tuple[Period, dict[str, ProtectedRelease]]],
    pooled: pd.DataFrame,
    catalogue: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    comparisons = _comparisons(con)
    protected_comparisons: dict[object, pd.DataFrame] = {}
    breakdowns: dict[tuple, dict] = {}  # each distinct breakdown protected once
    table_rows, indicator_rows, reach_rows = [], [], []
    for label in sorted(published, key=lambda k: published[k][0].first):
        period, releases = published[label]
        tables = figures.QuarterTables(releases)
        table_rows += figures.table_rows(label, tables)
        rows = pooled[pooled["bucket"] == period.first]
        indicator_rows += figures.indicator_rows(label, period.first, catalogue, rows, tables)
        latest = _latest_comparisons(comparisons, period.last)
        month = latest["month"].iloc[0] if len(latest) else None
        if month not in protected_comparisons:  # counts of people: protected (rule 2, 3)
            protected_comparisons[month] = protect_comparisons(latest, breakdowns)
        reach_rows += figures.reach_rows(label, period.last, tables,
                                         protected_comparisons[month])
    return {
        "tables": pd.DataFrame(table_rows, columns=figures.TABLE_COLUMNS),
        "indicator_quarter": pd.DataFrame(indicator_rows, columns=figures.INDICATOR_COLUMNS),
        "equity_reach": pd.DataFrame(reach_rows, columns=figures.REACH_COLUMNS),
    }
