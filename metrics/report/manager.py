"""The monthly meeting pack for hub managers.

Exceptions first: open work past a service deadline at the as-of date (counts by
agency, then the pseudonymous case ids), the service standards missed in the period,
and the indicators that moved the wrong way. Then every indicator for the hub against
the previous period and the same period a year before, two 13-month trends, and the
same for each agency. The pack works for a month (its usual use), a quarter or a year.

"Moved the wrong way": a figure is flagged only when its change on the previous period or
the same period last year is beyond noise in the wrong direction (`metrics.change`:
Newcombe's interval for rates, the exact Poisson test for counts of events; money, sums,
modelled estimates and medians are not tested and never flagged). A cohort indicator
whose period is not yet measurable shows its latest measurable cohort of the same length
beneath it, with that cohort's changes (`metrics.period_figures`). Managers
see referral-level figures exactly as the warehouse holds them, without disclosure
control (spec: audiences), and the case lists carry pseudonymous ids only.
"""

from __future__ import annotations

import pandas as pd

from metrics.catalogue import in_place_order
from metrics.period import add_months, month_name
from metrics.report import charts, data, period_rows, value, working_together
from metrics.report import text as fmt
from metrics.report.content import (
    TIMELINESS,
    Context,
    base_cell,
    coverage_note,
    facts,
    figure_row,
    interval_cell,
    status_notes,
    value_cell,
)
from metrics.report.render import Cell, Figure, Report, Section, Table

THEME_ORDER = ("operations", "wellbeing", "prevention", "nhs_demand", "value_for_money", "equity")
LIST_LIMIT = 25
OVERDUE_KINDS = ("first_contact", "agency_acceptance", "mental_health_contact")


def _words(period) -> tuple[str, str, str]:
    noun = {"month": "month", "quarter": "quarter", "year": "year"}[period.kind]
    return f"this {noun}", f"previous {noun}", f"same {noun} last year"


def _overdue_section(overdue: pd.DataFrame, ctx: Context) -> list:
    blocks: list = []
    as_of = fmt.long_date(ctx.build.as_of)
    summary_rows = []
    for kind in OVERDUE_KINDS:
        part = overdue[overdue["kind"] == kind]
        cases = part["case_id"].nunique()
        oldest = int(part["working_days_past_deadline"].max()) if cases else None
        summary_rows.append(
            [
                Cell(fmt.readable(kind)),
                Cell(fmt.count(cases), "number"),
                Cell("–" if oldest is None else
                     f"{fmt.count(oldest)} working day{'' if oldest == 1 else 's'}", "number"),
            ]
        )
    blocks.append(
        Table(
            "overdue_summary",
            f"Open work past a deadline at {as_of}",
            ["Kind", "Cases", "Longest past its deadline"],
            summary_rows,
            notes=[
                "Open now (at the as-of date), whatever the report period: "
                "cases not yet contacted or not yet accepted or seen.",
                "Working days past the deadline: Monday to Friday less bank holidays, "
                "after the deadline up to and including the as-of date, as the "
                "standards count them.",
            ],
        )
    )
    by_agency = []
    for agency in data.AGENCIES:
        counts = [
            overdue[(overdue["kind"] == k) & (overdue["agency"] == agency)]["case_id"].nunique()
            for k in OVERDUE_KINDS
        ]
        if any(counts):
            by_agency.append(
                [Cell(fmt.readable(agency))] + [Cell(fmt.count(c), "number") for c in counts]
            )
    if by_agency:
        blocks.append(
            Table(
                "overdue_by_agency",
                "Open work past a deadline, by agency",
                ["Agency", *[fmt.readable(k) for k in OVERDUE_KINDS]],
                by_agency,
                notes=[
                    "A referral past its first-contact deadline counts for "
                    "every agency involved in it."
                ],
            )
        )
    for kind in OVERDUE_KINDS:
        part = overdue[overdue["kind"] == kind]
        cases = (
            part.groupby("case_id", sort=False)
            .agg(
                days=("working_days_past_deadline", "max"),
                deadline=("deadline_date", "min"),
                responsible=("responsible_agency", "first"),
                agencies=("agency", lambda a: ", ".join(fmt.readable(x) for x in sorted(set(a)))),
            )
            .reset_index()
            .sort_values(["days", "deadline", "case_id"], ascending=[False, True, True])
        )
        if cases.empty:
            continue
        shown = cases.head(LIST_LIMIT)
        notes = []
        if len(cases) > LIST_LIMIT:
            notes.append(
                f"and {len(cases) - LIST_LIMIT:,} more (the full list is on the "
                "dashboard's operations page)"
            )
        blocks.append(
            Table(
                f"overdue_list_{kind}",
                f"{fmt.readable(kind)}: pseudonymous case ids",
                ["Case id", "Responsible agency", "Agencies involved", "Deadline",
                 "Working days past the deadline"],
                [
                    [Cell(str(r.case_id), "id"), Cell(fmt.readable(r.responsible)),
                     Cell(r.agencies), Cell(fmt.short_date(pd.Timestamp(r.deadline).date())),
                     Cell(fmt.count(r.days), "number")]
                    for r in shown.itertuples()
                ],
                notes=notes,
            )
        )
    return blocks


def _standards_table(ctx: Context, current: pd.DataFrame, words: tuple[str, str, str]) -> Table:
    rows = []
    for indicator in TIMELINESS:
        row = figure_row(current, indicator)
        if row is None or row["status"] != "ok" or not row["denominator"]:
            rows.append(
                [Cell(ctx.title(indicator)), value_cell(row, "rate"), Cell(""), Cell(""), Cell("")]
            )
            continue
        missed = row["denominator"] - row["numerator"]
        rows.append(
            [
                Cell(ctx.title(indicator)),
                value_cell(row, "rate"),
                Cell(fmt.count(row["denominator"]), "number"),
                Cell(fmt.count(missed), "number"),
                interval_cell(row, "rate"),
            ]
        )
    return Table(
        "standards",
        f"Service standards, {words[0]} (the whole hub)",
        ["Standard", "On time", "Cases in the base", "Missed", "95% interval"],
        rows,
        notes=[
            "The base counts referrals (or agency referrals) whose deadline has "
            "passed or that were contacted or accepted; 'missed' = base minus on "
            "time."
        ],
    )


def _wrong_way_table(ctx: Context, current, words) -> Table:
    rows = []
    agencies = ["all", *data.AGENCIES]
    for _, entry in ctx.catalogue.iterrows():
        indicator, unit = entry["indicator_id"], entry["unit"]
        for agency in agencies:
            if agency != "all" and current[current["agency"] == agency].empty:
                continue
            cell = ctx.cells(ctx.period, agency).get(indicator)
            reason = period_rows.wrong_way(cell)
            if reason:
                rows.append(
                    [
                        Cell(entry["title"]),
                        Cell(fmt.readable(agency)),
                        Cell(fmt.value_text(cell.shown.value, unit), "number"),
                        period_rows.earlier_value_cell(cell.previous, unit),
                        period_rows.earlier_value_cell(cell.year_earlier, unit),
                        Cell(reason, "flag"),
                    ]
                )
    if not rows:
        rows.append(
            [
                Cell("No indicator moved the wrong way"),
                Cell(""),
                Cell(""),
                Cell(""),
                Cell(""),
                Cell(""),
            ]
        )
    return Table(
        "wrong_way",
        "Indicators that moved the wrong way",
        [
            "Indicator",
            "Agency",
            words[0].capitalize(),
            words[1].capitalize(),
            words[2].capitalize(),
            "Why flagged",
        ],
        rows,
    )


def _glance_tables(
    ctx: Context,
    current,
    previous,
    year_before,
    words,
    agency: str = "all",
    skipped: list[str] | None = None,
) -> list[Table]:
    """One table per theme. With `skipped` (the agency sections), an indicator without a
    value in any of the three periods is left out of the table and its title added to
    `skipped` instead, to keep the pack short."""
    tables = []
    cells = ctx.cells(ctx.period, agency)
    catalogue = ctx.catalogue
    if agency != "all":
        catalogue = catalogue[catalogue["has_agency_rows"].astype(bool)]
    for theme in THEME_ORDER:
        entries = catalogue[catalogue["theme"] == theme]
        rows = []
        for _, entry in entries.iterrows():
            indicator, unit = entry["indicator_id"], entry["unit"]
            if entry["family"] == "equity":  # reach: its own table by characteristic
                continue
            cur = figure_row(current, indicator, agency)
            prev = figure_row(previous, indicator, agency)
            year = figure_row(year_before, indicator, agency)
            stands_in = cells.get(indicator) is not None and cells[indicator].stands_in
            if skipped is not None and not stands_in and not any(
                r is not None and r["status"] == "ok" for r in (cur, prev, year)
            ):
                skipped.append(entry["title"])
                continue
            note = coverage_note(cur)
            cell = cells.get(indicator)
            own = cell is not None and cell.figure.shown
            rows.append(
                [
                    Cell(entry["title"] + (f" ({note})" if note else "")),
                    value_cell(cur, unit),
                    base_cell(cur, unit),
                    interval_cell(cur, unit),
                    value_cell(prev, unit),
                    period_rows.change_cell(cell.previous) if own else Cell(fmt.NO_VALUE),
                    value_cell(year, unit),
                    period_rows.change_cell(cell.year_earlier) if own else Cell(fmt.NO_VALUE),
                ]
            )
            if cell is not None and cell.status == "not_yet_measurable":
                rows.append(_cohort_row(cell))
        if rows:
            key = f"glance_{agency}_{theme}"
            tables.append(
                Table(
                    key,
                    fmt.readable(theme),
                    [
                        "Indicator",
                        words[0].capitalize(),
                        "Base",
                        "95% interval",
                        words[1].capitalize(),
                        "Change",
                        words[2].capitalize(),
                        "Change",
                    ],
                    rows,
                )
            )
    return tables


def _cohort_row(cell) -> list[Cell]:
    """Beneath a cohort indicator whose period is not yet measurable: the latest measurable
    cohort of the same length and its changes, or when the first one matures."""
    if cell.cohort is None:
        return [Cell(period_rows.pending_text(cell)), *[Cell("") for _ in range(7)]]
    unit = cell.rule.unit
    return [
        Cell(f"{period_rows.cohort_label(cell)}; this period {cell.maturity}"
             if cell.maturity else period_rows.cohort_label(cell)),
        period_rows.cohort_value_cell(cell),
        period_rows.cohort_base_cell(cell),
        period_rows.cohort_interval_cell(cell),
        period_rows.earlier_value_cell(cell.previous, unit),
        period_rows.change_cell(cell.previous),
        period_rows.earlier_value_cell(cell.year_earlier, unit),
        period_rows.change_cell(cell.year_earlier),
    ]


def _trend_figures(ctx: Context) -> list[Figure]:
    last = ctx.period.last
    first = add_months(last, -12)
    rows = data.indicator_rows(ctx.con, first, last)
    rows = rows[rows["agency"] == "all"]
    months = [add_months(first, i) for i in range(13)]
    out = []
    for indicator in in_place_order("manager_trend"):
        unit = ctx.unit(indicator)
        part = {
            pd.Timestamp(r.month).date(): r
            for r in rows[rows["indicator_id"] == indicator].itertuples()
        }
        points, table_rows = [], []
        for month in months:
            r = part.get(month)
            label = month.strftime("%b %y")
            if r is None or r.status != "ok":
                status = "no_data" if r is None else r.status
                points.append(charts.Point(label, None, fmt.status_word(status)))
                table_rows.append(
                    [Cell(month_name(month)), Cell(fmt.status_word(status), "status"), Cell("")]
                )
                continue
            text = fmt.value_text(r.value, unit)
            points.append(
                charts.Point(
                    label, float(r.value), text if unit != "rate" else fmt.percent(r.value, 0)
                )
            )
            table_rows.append(
                [
                    Cell(month_name(month)),
                    Cell(text, "rate" if unit == "rate" else "number"),
                    Cell(fmt.count(r.denominator), "number") if unit == "rate" else Cell(""),
                ]
            )
        title = ctx.title(indicator)
        out.append(
            Figure(
                key=f"trend_{indicator}",
                title=f"{title}: the last 13 months",
                subtitle=f"The whole hub, by month of referral, to {month_name(last)}",
                chart=charts.trend_chart(
                    points, unit, title, f"{title} by month, the latest month highlighted."
                ),
                table=Table(
                    f"trend_{indicator}_table",
                    title,
                    ["Month", "Value", "Base" if unit == "rate" else ""],
                    table_rows,
                ),
                source=ctx.source,
            )
        )
    return out


def _agency_sections(ctx: Context, current, previous, year_before, overdue, words) -> list[Section]:
    sections = []
    for agency in data.AGENCIES:
        if current[current["agency"] == agency].empty:
            continue
        counts = [
            overdue[(overdue["kind"] == k) & (overdue["agency"] == agency)]["case_id"].nunique()
            for k in OVERDUE_KINDS
        ]
        paragraph = (
            "Open work past a deadline at the as-of date: "
            + "; ".join(
                f"{fmt.readable(k).lower()}: {c:,}"
                for k, c in zip(OVERDUE_KINDS, counts, strict=True)
            )
            + "."
        )
        skipped: list[str] = []
        tables = _glance_tables(ctx, current, previous, year_before, words, agency, skipped)
        paragraphs = [paragraph]
        if skipped:
            paragraphs.append(
                "Without a value in any of the three periods (no data, not yet "
                "measurable or nobody in the base): " + "; ".join(skipped) + "."
            )
        sections.append(Section(f"agency_{agency}", fmt.readable(agency), paragraphs, tables))
    return sections


def build(ctx: Context) -> Report:
    period = ctx.period
    previous_period, year_period = period.previous(), period.year_before()
    words = _words(period)
    current = ctx.pooled(period)
    previous = ctx.pooled(previous_period)
    year_before = ctx.pooled(year_period)
    overdue = data.overdue(ctx.con)
    exceptions = Section(
        "exceptions",
        "Exceptions",
        [f"Compared with {previous_period.title()} and {year_period.title()}."],
        [
            *_overdue_section(overdue, ctx),
            _standards_table(ctx, current, words),
            _wrong_way_table(ctx, current, words),
        ],
    )
    glance = Section(
        "hub",
        f"The whole hub: {period.title()}",
        [
            "Rates show their base (the denominator) and 95% Wilson interval. Agency rows "
            "count a referral for every agency involved in it, so they can add up to more "
            "than the whole hub."
        ],
        [*_glance_tables(ctx, current, previous, year_before, words), *_trend_figures(ctx)],
    )
    notes = Section(
        "notes",
        "Notes",
        [
            *status_notes(),
            "Money is projected (central scenario here; the PCC review shows low, central and "
            f"high) at {ctx.build.price_base_year or 'the base year'} prices.",
            "Figures count referrals as the warehouse holds them (marts.indicator_monthly); "
            "they are not disclosure-controlled and must not leave the hub.",
        ],
    )
    sections = [
        exceptions,
        glance,
        working_together.section(ctx, current, "manager"),
        *_agency_sections(ctx, current, previous, year_before, overdue, words),
        value.section(ctx),
        notes,
    ]
    return Report(
        audience="manager",
        title="Monthly meeting pack" if period.kind == "month" else "Meeting pack",
        subtitle=period.title(),
        period_label=period.label,
        facts=facts(ctx, [("Compared with", f"{previous_period.title()}; {year_period.title()}")]),
        sections=sections,
    )
