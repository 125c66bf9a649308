"""The PCC performance review: a financial quarter (or year, or month) for the PCC office.

Sections: key points; the scorecard (three themes x three horizons x Benington's two
dimensions); each theme's rates with their bases and 95 % Wilson intervals; value for
money with low, central and high scenarios, the price base year, the word "projected"
and every parameter's source; timeliness against the Victims' Code; outcomes by agency
and by characteristic; notes.

Hub figures are referral-level, pooled from marts.indicator_monthly like the manager
pack (aggregates only, no case ids). Cuts by agency and by characteristic count people
(distinct victims) and go through `metrics.disclosure` with the `pcc` audience: cells in
a sensitive cut (a sensitive agency or characteristic) are suppressed below 10 and
rounded, other cells are exact unless hidden to protect a sensitive one, and each
release is audited before the report is rendered.
"""

from __future__ import annotations

import pandas as pd

from metrics.catalogue import in_place_order, value_indicator
from metrics.disclosure import SUPPRESSED, publish
from metrics.queries import wilson_interval
from metrics.report import charts, data, period_rows, protected, value, working_together
from metrics.report import text as fmt
from metrics.report.content import (
    DIMENSIONS,
    HORIZONS,
    MONEY,
    STANDARD_WORDS,
    THEMES,
    TIMELINESS,
    Context,
    base_cell,
    coverage_note,
    facts,
    figure_row,
    interval_cell,
    scenario_text,
    status_notes,
    value_cell,
)
from metrics.report.render import Cell, Figure, Report, Section, Table

AGENCY_OUTCOMES = in_place_order("pcc_by_agency")
CHARACTERISTIC_OUTCOMES = in_place_order("pcc_by_characteristic")
# the key points: a count first (how many), then the figures in words
KEY_POINTS = in_place_order("pcc_key_point")
PER_POUND = value_indicator("per_pound")
NOT_SHOWN = "{what}: not shown for this period under the disclosure rules."
CHANGE_NOTE = (
    "A change is against the period of the same length just before (and the same period "
    "a year earlier); it is called up or "
    "down only when beyond noise (rates: Newcombe's hybrid score interval for the "
    "difference; counts of events: the exact conditional Poisson test), otherwise 'no "
    "clear change'. Money, sums and modelled estimates are not tested for noise. Where a "
    "period is not yet measurable, the latest measurable cohort of the same length is "
    "given with the date the period matures on."
)


def _figure_text(ctx: Context, row: pd.Series | None, indicator: str) -> str:
    unit = ctx.unit(indicator)
    cell = value_cell(row, unit)
    if cell.kind == "status":
        return cell.text
    if unit == "rate":
        return (
            f"{cell.text} (base {fmt.count(row['denominator'])}; 95% "
            f"{fmt.interval_text(row['ci_low'], row['ci_high'])})"
        )
    if unit in ("gbp", "ratio"):
        scenarios = scenario_text(row, unit)
        return f"{cell.text} projected" + (f" ({scenarios})" if scenarios else "")
    return cell.text


def _change_words(cell) -> str:
    """'; no clear change on Apr 2026 to Jun 2026 (+1.2 points)' for a period with its own
    figure; '; latest measurable 3 months: ...' for one not yet measurable."""
    if cell is None:
        return ""
    if cell.figure.shown:
        return "".join(f"; {c.text()}" for c in _comparisons(cell))
    sentence = period_rows.cohort_sentence(cell)
    return f"; {sentence}" if sentence else ""


def _comparisons(cell) -> list:
    """The previous period, then the same period a year earlier where that is another
    window (for a year it is the previous one)."""
    out = [c for c in (cell.previous,) if c is not None]
    year = cell.year_earlier
    if year is not None and (not out or year.earlier.first != out[0].earlier.first):
        out.append(year)
    return out


def _scorecard(ctx: Context, current: pd.DataFrame, previous: pd.DataFrame) -> Table:
    rows = []
    by_id = ctx.cells(ctx.period)
    catalogue = ctx.catalogue
    for theme in THEMES:
        for horizon in HORIZONS:
            cells = [Cell(f"{fmt.readable(theme)}: {fmt.readable(horizon).lower()}")]
            for dimension in DIMENSIONS:
                hits = catalogue[
                    (catalogue["theme"] == theme)
                    & (catalogue["horizon"] == horizon)
                    & (catalogue["dimension"] == dimension)
                ]
                parts = []
                for indicator in hits["indicator_id"]:
                    row = figure_row(current, indicator)
                    cell = by_id.get(indicator)
                    note = coverage_note(row)
                    parts.append(
                        f"{ctx.title(indicator)}: {_figure_text(ctx, row, indicator)}"
                        + _change_words(cell)
                        + (f" ({note})" if note else "")
                    )
                cells.append(Cell("\n".join(parts) if parts else "No indicator", "lines"))
            rows.append(cells)
    return Table(
        "scorecard",
        "Scorecard: three themes, three horizons, two dimensions",
        ["Theme and horizon", fmt.readable("public_values"), fmt.readable("public_sphere")],
        rows,
        [
            "Rates show their base and 95% Wilson interval; money is projected, "
            f"£ at {ctx.build.price_base_year or 'base-year'} prices, central "
            "(low to high scenario).",
            CHANGE_NOTE,
        ],
    )


def _rates_figure(
    ctx: Context,
    key: str,
    heading: str,
    indicators: list[str],
    current: pd.DataFrame,
    previous: pd.DataFrame,
    period_title: str,
) -> Figure:
    bars, rows = [], []
    by_id = ctx.cells(ctx.period)
    for indicator in indicators:
        row = figure_row(current, indicator)
        before = figure_row(previous, indicator)
        period_cell = by_id.get(indicator)
        cell = value_cell(row, "rate")
        title = ctx.title(indicator)
        if cell.kind == "status":
            bars.append(charts.Bar(title, None, cell.text))
        else:
            bars.append(
                charts.Bar(
                    title,
                    float(row["value"]),
                    cell.text,
                    charts.finite(row["ci_low"]),
                    charts.finite(row["ci_high"]),
                )
            )
        note = coverage_note(row)
        rows.append(
            [
                Cell(title + (f" ({note})" if note else "")),
                cell,
                base_cell(row, "rate"),
                interval_cell(row, "rate"),
                value_cell(before, "rate"),
                period_rows.change_cell(period_cell.previous)
                if period_cell is not None and period_cell.figure.shown
                else Cell(fmt.NO_VALUE),
                period_rows.change_cell(period_cell.year_earlier)
                if period_cell is not None and period_cell.figure.shown
                else Cell(fmt.NO_VALUE),
            ]
        )
        if period_cell is not None and period_cell.status == "not_yet_measurable":
            rows.append(_cohort_rate_row(period_cell))
    return Figure(
        key=f"rates_{key}",
        title=heading,
        subtitle=f"The whole hub, {period_title}; whiskers show 95% Wilson intervals",
        chart=charts.bar_chart(
            bars, "rate", heading, f"{heading}: each rate with its 95% interval."
        ),
        table=Table(
            f"rates_{key}",
            heading,
            ["Indicator", "Rate", "Base", "95% interval", "Previous period",
             "Change on the previous period", "Change on a year earlier"],
            rows,
            [CHANGE_NOTE],
        ),
        source=ctx.source,
    )


def _cohort_rate_row(cell) -> list[Cell]:
    """Beneath a rate whose period is not yet measurable: the latest measurable cohort of
    the same length (or when the first one matures)."""
    if cell.cohort is None:
        return [Cell(period_rows.pending_text(cell)), *[Cell("") for _ in range(6)]]
    label = period_rows.cohort_label(cell)
    return [
        Cell(f"{label}; this period {cell.maturity}" if cell.maturity else label),
        period_rows.cohort_value_cell(cell),
        period_rows.cohort_base_cell(cell),
        period_rows.cohort_interval_cell(cell),
        period_rows.earlier_value_cell(cell.previous, "rate"),
        period_rows.change_cell(cell.previous),
        period_rows.change_cell(cell.year_earlier),
    ]


def _value_section(ctx: Context, current: pd.DataFrame) -> Section:
    base_year = ctx.build.price_base_year or "base-year"
    rows, ranges = [], []
    for indicator in MONEY:
        row = figure_row(current, indicator)
        unit = ctx.unit(indicator)
        cell = value_cell(row, unit)
        title = ctx.title(indicator)
        note = coverage_note(row)
        if cell.kind == "status":
            rows.append([Cell(title), cell, Cell(""), Cell(""), Cell("")])
            if indicator != PER_POUND:
                ranges.append(charts.Range(title, None, None, None, cell.text))
            continue
        low, high = row["value_low"], row["value_high"]
        rows.append(
            [
                Cell(title),
                Cell(fmt.value_text(low, unit), "money"),
                cell,
                Cell(fmt.value_text(high, unit), "money"),
                Cell(note),
            ]
        )
        if indicator != PER_POUND:
            ranges.append(
                charts.Range(
                    title, charts.finite(low), float(row["value"]), charts.finite(high), cell.text
                )
            )
    figure = Figure(
        key="value_for_money",
        title="Projected public value, low to high scenario",
        subtitle=f"Projected, £ at {base_year} prices; {ctx.period.title()}",
        chart=charts.range_chart(
            ranges,
            "Projected public value",
            "Each projected value from its low to its high scenario, the central one marked.",
        ),
        table=Table(
            "value_for_money",
            f"Value for money (projected, £ at {base_year} prices)",
            ["Measure", "Low scenario", "Central", "High scenario", "Coverage"],
            rows,
            [
                "Projected at closure over the years the benefit is expected to last, "
                "discounted; not cash saved.",
                "Only the parts of the cost of crime avoided that the wellbeing and NHS "
                "values do not already count enter the total (see the next section).",
            ],
        ),
        source=f"{ctx.source} and the assumptions register",
    )
    params = data.parameters(ctx.con)
    parameter_rows = [
        [
            Cell(str(p.name)),
            Cell(fmt.parameter_value(p.low, p.unit), "number"),
            Cell(fmt.parameter_value(p.central, p.unit), "number"),
            Cell(fmt.parameter_value(p.high, p.unit), "number"),
            Cell(str(p.price_year or "")),
            Cell(str(p.status or "").replace("_", " ")),
            Cell(str(p.source or "")),
        ]
        for p in params.itertuples()
    ]
    parameters = Table(
        "parameters",
        "Parameters and their sources",
        ["Parameter", "Low", "Central", "High", "Price year", "Status", "Source"],
        parameter_rows,
        [
            f"Money is uprated to {base_year} prices with HM Treasury GDP "
            "deflators; the values shown are already uprated."
        ],
    )
    return Section(
        "value_for_money",
        "Value for money",
        [
            "Every monetised figure is projected: it rests on published unit values and the "
            "hub's assumptions, with low and high scenarios that show how much they matter.",
        ],
        [figure, parameters],
    )


def _people_rate_table(key: str, caption: str, dim: str, rates: pd.DataFrame, legend: str) -> Table:
    rows = []
    ordered = pd.concat([rates[rates[dim] == "all"], rates[rates[dim] != "all"]])
    for r in ordered.itertuples():
        label = "All" if getattr(r, dim) == "all" else fmt.readable(getattr(r, dim))
        base = None if pd.isna(r.denominator) else int(r.denominator)
        met = None if pd.isna(r.numerator) else int(r.numerator)
        if r.rate_status == "published":
            interval = wilson_interval(met, base)
            rate_cell = Cell(fmt.percent(r.rate), "rate")
            interval_text = fmt.interval_text(*interval) if interval else "–"
        else:
            rate_cell = Cell(
                SUPPRESSED if r.rate_status == "withheld" else fmt.status_word(r.rate_status),
                "status",
            )
            interval_text = ""
        rows.append(
            [
                Cell(label),
                Cell(SUPPRESSED if base is None else f"{base:,}", "count"),
                Cell(SUPPRESSED if met is None else f"{met:,}", "count"),
                rate_cell,
                Cell(interval_text, "rate"),
            ]
        )
    return Table(
        key,
        caption,
        [
            fmt.characteristic_name(dim) if dim != "agency" else "Agency",
            "People in the base",
            "People with the outcome",
            "Rate",
            "95% interval",
        ],
        rows,
        [legend],
    )


def _agency_tables(ctx: Context, indicators, statuses: dict, protector) -> list[Table]:
    tables = []
    for indicator in indicators:
        if statuses.get(indicator) != "ok":
            tables.append(
                Table(
                    f"agency_{indicator}",
                    f"{ctx.title(indicator)}, by agency",
                    ["Agency", "Status"],
                    [
                        [
                            Cell("All"),
                            Cell(fmt.status_word(statuses.get(indicator, "no_data")), "status"),
                        ]
                    ],
                )
            )
            continue
        release = protected.agency_release(ctx.con, ctx.period, indicator, protector)
        rates = release.rates(protected.met_table(indicator), protected.base_table(indicator))
        tables.append(
            _people_rate_table(
                f"agency_{indicator}",
                f"{ctx.title(indicator)}, by agency involved (people)",
                "agency",
                rates,
                release.legend(protected.base_table(indicator)),
            )
        )
    return tables


def _characteristic_tables(ctx: Context, statuses: dict, protector) -> list:
    outcomes = [i for i in CHARACTERISTIC_OUTCOMES if statuses.get(i) == "ok"]
    release, dropped = protected.characteristic_release(ctx.con, ctx.period, outcomes, protector)
    tables = []
    for dim in data.DEMOGRAPHICS:
        name = fmt.characteristic_name(dim)
        words = fmt.characteristic_words(dim)
        if f"referred_by_{dim}" in dropped:
            tables.append(NOT_SHOWN.format(what=f"People referred by {words}"))
            continue
        referred = release.table(f"referred_by_{dim}")
        ordered = pd.concat([referred[referred[dim] == "all"], referred[referred[dim] != "all"]])
        rows = [
            [
                Cell("All" if getattr(r, dim) == "all" else fmt.readable(getattr(r, dim))),
                Cell(r.display if r.display == SUPPRESSED else f"{int(r.count):,}", "count"),
            ]
            for r in ordered.itertuples()
        ]
        tables.append(
            Table(
                f"referred_by_{dim}",
                f"People referred by {words}",
                [name, "People referred"],
                rows,
                [release.legend(f"referred_by_{dim}")],
            )
        )
        for indicator in outcomes:
            suffix = f"_by_{dim}"
            if protected.base_table(indicator, suffix) in dropped:
                tables.append(NOT_SHOWN.format(what=f"{ctx.title(indicator)}, by {words}"))
                continue
            rates = release.rates(
                protected.met_table(indicator, suffix), protected.base_table(indicator, suffix)
            )
            tables.append(
                _people_rate_table(
                    f"{indicator}{suffix}",
                    f"{ctx.title(indicator)}, by {words} (people)",
                    dim,
                    rates,
                    release.legend(protected.base_table(indicator, suffix)),
                )
            )
    return tables


def _key_points(ctx: Context, current: pd.DataFrame) -> list[str]:
    points = []
    received, *figures = KEY_POINTS
    row = figure_row(current, received)
    if row is not None and row["status"] == "ok":
        points.append(f"{fmt.count(row['value'])} {ctx.title(received).lower()}.")
    cells = ctx.cells(ctx.period)
    total = value_indicator("total")
    for indicator in figures:
        row = figure_row(current, indicator)
        stand_in = (value.latest_total_words(ctx, ctx.period)
                    if indicator == total and row is not None
                    and row["status"] == "not_yet_measurable" else "")
        points.append(f"{ctx.title(indicator)}: {_figure_text(ctx, row, indicator)}"
                      f"{stand_in}{_change_words(cells.get(indicator))}.")
    return points


def build(ctx: Context, protector=publish) -> Report:
    period = ctx.period
    previous_period = period.previous()
    current = ctx.pooled(period, agencies=False)
    previous = ctx.pooled(previous_period, agencies=False)
    complete = ctx.pooled(period, require_complete=True, agencies=False)
    statuses = {
        i: str(figure_row(complete, i)["status"])
        for i in data.PERSON_OUTCOMES
        if figure_row(complete, i) is not None
    }
    sections = [
        Section(
            "key_points",
            "Key points",
            [f"The whole hub, {period.title()}, compared with {previous_period.title()}"
             + (f" and {period.year_before().title()}."
                if period.year_before() != previous_period else ".")],
            bullets=_key_points(ctx, current),
        ),
        Section(
            "scorecard",
            "Scorecard",
            [
                "Each cell holds the indicators of one theme, horizon and dimension of public "
                "value (Benington): what the public values (outcomes for the person served) and "
                "what adds value to the public sphere (value beyond the person).",
            ],
            [_scorecard(ctx, current, previous)],
        ),
    ]
    catalogue = ctx.catalogue
    for theme in THEMES:
        rates = [
            i
            for i in catalogue.loc[
                (catalogue["theme"] == theme) & (catalogue["unit"] == "rate"), "indicator_id"
            ]
        ]
        sections.append(
            Section(
                f"theme_{theme}",
                fmt.readable(theme),
                blocks=[
                    _rates_figure(
                        ctx,
                        theme,
                        f"{fmt.readable(theme)}: rates",
                        rates,
                        current,
                        previous,
                        period.title(),
                    )
                ],
            )
        )
    sections.append(_value_section(ctx, current))
    sections.append(value.section(ctx))
    timeliness = _rates_figure(
        ctx,
        "timeliness",
        "Timeliness against the Victims' Code and the hub's standards",
        list(TIMELINESS),
        current,
        previous,
        period.title(),
    )
    sections.append(
        Section(
            "timeliness",
            "Timeliness against the Victims' Code",
            [f"{ctx.title(i)}: {STANDARD_WORDS[i]}." for i in TIMELINESS],
            [timeliness, *_agency_tables(ctx, TIMELINESS, statuses, protector)],
        )
    )
    sections.append(working_together.section(ctx, current, "pcc"))
    sections.append(
        Section(
            "agencies",
            "Outcomes by agency",
            [
                "Counts of people (distinct victims) in each agency's cases; a person counts for "
                "every agency involved in their support, so agencies add up to more than 'All'. "
                "Figures for the LGBT+, hate crime, young people's and NHS mental health services "
                "are disclosure-controlled.",
            ],
            _agency_tables(ctx, AGENCY_OUTCOMES, statuses, protector),
        )
    )
    sections.append(
        Section(
            "characteristics",
            "Reach and outcomes by characteristic",
            [
                "Counts of people (distinct victims). Every cut by ethnic group, disability, LGBT+, "
                "a gender other than female or male, or age under 18 is disclosure-controlled: "
                "counts below 10 are hidden as [c] and counts are rounded to the nearest 5.",
            ],
            _characteristic_tables(ctx, statuses, protector),
        )
    )
    sections.append(
        Section(
            "notes",
            "Notes",
            [
                *status_notes(),
                "Hub figures count referrals (marts.indicator_monthly); cuts by agency and "
                "characteristic count people, so the two can differ slightly.",
                "Outcome figures by agency and characteristic are shown only when every month of "
                "the period is measurable.",
            ],
        )
    )
    return Report(
        audience="pcc",
        title="PCC performance review",
        subtitle=period.title(),
        period_label=period.label,
        facts=facts(ctx, [("Compared with", "; ".join(dict.fromkeys(
            (previous_period.title(), period.year_before().title()))))]),
        sections=sections,
    )
