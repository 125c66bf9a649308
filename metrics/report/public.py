"""The public transparency report: a quarterly or yearly release in the shape of an
official statistics bulletin.

Sections: main points; who was referred; hub operations and timeliness; victim
wellbeing; prevention; NHS demand; value for money; the data tables; glossary; how the
data were measured; strengths and limitations; disclosure control and this release;
parameters and their sources; contact and next release.

The bulletin prints the published release (`metrics.published.read`): the quarter's
tables, indicator rows and reach as protected and audited when the warehouse was built,
the same figures the public dashboard reads. It protects nothing itself, so there is one
protection path and a report cannot disagree with the dashboard or with a frozen
quarter; a figure changes only in a scheduled, audited revision (`hubvalue publish
--revise`), which the revisions section lists (spec rule 4). Counts are of people
(distinct victims); rates are worked out from the rounded counts; money is rounded to 3
significant figures and shown only with at least 8 people behind it. A figure whose
cohort is not yet measurable in every month is "Not yet measurable", never a partial
figure. Only published quarters can be printed: a year is not published beside its
quarters (docs/decisions.md, "Quarters only for the public").
Indicator texts are written here in words, without the catalogue's scale values, so
that no bare small number appears on the page.
"""

from __future__ import annotations

import pandas as pd

from metrics import register_listing as listing
from metrics.catalogue import catalogue, in_place_order, value_indicator
from metrics.disclosure import SUPPRESSED
from metrics.period import PeriodError, month_name
from metrics.published import changes, cohorts
from metrics.published.changes import Quarters
from metrics.published.names import base_table
from metrics.published.read import (
    NotPublished,
    PublishedQuarter,
    published_quarter,
    published_register,
)
from metrics.register import setting
from metrics.report import bulletin_changes, charts, data
from metrics.report import text as fmt
from metrics.report.content import Context, facts
from metrics.report.overrides import table as overrides_table
from metrics.report.render import Cell, Figure, Report, Section, Table

_CATALOGUE = catalogue().set_index("indicator_id")
# indicator -> (short label, definition in words): the catalogue's public label and base
WORDS = {
    indicator: (entry["public_label"], entry["public_base"])
    for indicator, entry in _CATALOGUE.iterrows()
    if entry["public_label"] is not None
}
# the bulletin's indicators in order, and the section of each
_BULLETIN = in_place_order("bulletin_order")
_SECTION = _CATALOGUE["bulletin_section"]
SECTION_HEADINGS = (
    ("timeliness", "Hub operations and timeliness"),
    ("wellbeing", "Victim wellbeing"),
    ("prevention", "Prevention"),
    ("nhs_demand", "NHS demand"),
)
# each theme section's rates, in order
THEME_SECTIONS = tuple(
    (
        key,
        heading,
        tuple(
            i for i in _BULLETIN if _SECTION[i] == key and _CATALOGUE.loc[i, "kind"] == "rate"
        ),
    )
    for key, heading in SECTION_HEADINGS
)
# the outcomes counted in people (rates, and counts without a rate)
PERSON_INDICATORS = tuple(i for i in _BULLETIN if _CATALOGUE.loc[i, "value_component"] is None)
# a count shown in its own table of its section (homes made safer, under prevention)
SECTION_COUNTS = {
    _SECTION[i]: i for i in PERSON_INDICATORS if _CATALOGUE.loc[i, "kind"] == "count"
}
# rates shown under 'Who was referred'
WHO_RATES = tuple(i for i in PERSON_INDICATORS if _SECTION[i] == "who")
# the main points' rates and the words after each percentage
MAIN_POINTS = tuple(
    (i, _CATALOGUE.loc[i, "bulletin_point_words"]) for i in in_place_order("bulletin_point")
)
# the value-for-money table's rows: the money, then the value per pound
MONEY_LABELS = {
    "wellbeing": "Social value of wellbeing gained",
    "nhs": "NHS costs avoided",
    "prevention": "Cost of crime avoided (not in the total)",
    "total": "Total public value",
}
MONEY_ROWS = tuple(
    (value_indicator(component), label) for component, label in MONEY_LABELS.items()
)
TOTAL_VALUE = value_indicator("total")
PER_POUND = value_indicator("per_pound")
NOT_SHOWN = "{what}: not shown for this period under the disclosure rules."
GLOSSARY = [
    (
        "Person referred",
        "someone referred to the hub in the period; a person referred more than once counts once.",
    ),
    ("Base", "the people a rate is worked out over: those who could have the outcome."),
    (
        "[c]",
        "a figure hidden by disclosure control: fewer than 8 people (fewer than 10 for "
        "a figure about a sensitive group), or hidden so that another hidden figure cannot be "
        "worked out.",
    ),
    (
        "Not yet measurable",
        "the outcome needs time to pass after support (a follow-up "
        "window) and that time has not passed for every month of the period.",
    ),
    ("No data", "the hub's records do not hold what this figure needs."),
    ("Nobody in the base", "nobody could have had this outcome in the period; not the same as 0."),
    (
        "Projected",
        "a value worked out from outcomes with published unit values and "
        "assumptions, for the years the benefit is expected to last; not money saved in cash.",
    ),
    ("Target hardening", "making a home physically more secure, for example new locks."),
]


def _count_cell(value) -> Cell:
    return (
        Cell(SUPPRESSED, "count")
        if value is None or pd.isna(value)
        else Cell(f"{int(value):,}", "count")
    )


def _rate_cell(info: dict) -> Cell:
    status = info["rate_status"]
    if status == "published":
        return Cell(fmt.percent(info["rate"]), "rate")  # as the public dashboard writes it
    if status == "empty_base":
        return Cell(fmt.status_word("empty_base"), "status")
    return Cell(SUPPRESSED, "status")


def _published(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


# --- who was referred -------------------------------------------------------------------------


def _shares(table: pd.DataFrame, dim: str) -> tuple[pd.DataFrame, int | None]:
    """Known categories with their share of the people whose category is recorded, from
    published counts only (withheld when the recorded total cannot be worked out)."""
    rows = table[table[dim] != "all"]
    total = _published(table.loc[table[dim] == "all", "count"].iloc[0])
    unknown = rows.loc[rows[dim] == "unknown", "count"]
    known_rows = rows[rows[dim] != "unknown"]
    if unknown.empty:
        known_total = total
    elif _published(unknown.iloc[0]) is not None and total is not None:
        known_total = total - int(unknown.iloc[0])
    elif known_rows["count"].notna().all():
        known_total = int(known_rows["count"].sum())
    else:
        known_total = None
    return known_rows, known_total


def _reach_cell(row: dict | None) -> Cell:
    if row is None or row["status"] == "empty_base" or pd.isna(row["reach_ratio"]):
        return Cell(SUPPRESSED if row is not None and row["status"] == "suppressed" else "–",
                    "status")
    return Cell(f"{float(row['reach_ratio']):.2f}", "number")


def _breakdown_figure(ctx: Context, release: PublishedQuarter, dim: str) -> Figure:
    table = release.table(f"referred_by_{dim}")
    known_rows, known_total = _shares(table, dim)
    basis = release.reach_of(dim)
    basis_label = str(basis["basis_label"].iloc[0]) if not basis.empty else ""
    reach = {r["category"]: r for r in basis.to_dict("records")}
    name = fmt.characteristic_name(dim)
    words = fmt.characteristic_words(dim)
    headers = [name, "People referred", "Share of those recorded"]
    if basis_label:
        headers.append(f"Reach, {basis_label}")
    rows, bars = [], []
    for _, r in known_rows.iterrows():
        count = _published(r["count"])
        share = None if count is None or not known_total else count / known_total
        cells = [
            Cell(fmt.readable(r[dim])),
            _count_cell(count),
            Cell(SUPPRESSED, "status") if share is None else Cell(fmt.percent(share, 0), "rate"),
        ]
        if basis_label:
            cells.append(_reach_cell(reach.get(r[dim])))
        rows.append(cells)
        bars.append(
            charts.Bar(
                fmt.readable(r[dim]),
                share,
                fmt.percent(share, 0) if share is not None else SUPPRESSED,
            )
        )
    unknown = table[table[dim] == "unknown"]
    if not unknown.empty:
        rows.append(
            [Cell("Not recorded"), _count_cell(unknown["count"].iloc[0]), Cell("", "text")]
            + ([Cell("", "text")] if basis_label else [])
        )
    total = table[table[dim] == "all"]
    rows.append(
        [Cell("All people referred"), _count_cell(total["count"].iloc[0]), Cell("", "text")]
        + ([Cell("", "text")] if basis_label else [])
    )
    notes = [release.legend(f"referred_by_{dim}")]
    if basis_label:
        notes.append(
            "Reach: the share of people referred in a group divided by the group's "
            f"share of the comparison population ({basis_label}); 1.00 means "
            "reached in proportion. Worked out from the rounded counts."
        )
    return Figure(
        key=f"who_{dim}",
        title=f"People referred by {words}",
        subtitle=f"Share of people referred whose {words} was recorded, {release.period.title()}",
        chart=charts.bar_chart(
            bars,
            "rate",
            f"People referred by {words}",
            f"Share of people referred in each {words} group; hidden figures are marked [c].",
        ),
        table=Table(
            f"referred_by_{dim}",
            f"People referred by {words}",
            headers,
            rows,
            notes,
            csv_name=f"people_referred_by_{dim}",
        ),
        source=ctx.source,
    )


def _crime_figure(ctx: Context, release: PublishedQuarter) -> Figure:
    table = release.table("referred_by_crime_type")
    total = _published(table.loc[table["crime_type"] == "all", "count"].iloc[0])
    rows, bars = [], []
    parts = table[table["crime_type"] != "all"].copy()
    parts["_order"] = parts["count"].fillna(-1).astype(int)
    for _, r in parts.sort_values("_order", ascending=False).iterrows():
        count = _published(r["count"])
        share = count / total if count is not None and total else None
        rows.append(
            [
                Cell(fmt.readable(r["crime_type"])),
                _count_cell(count),
                Cell(fmt.percent(share, 0), "rate")
                if share is not None
                else Cell(SUPPRESSED, "status"),
            ]
        )
        bars.append(
            charts.Bar(
                fmt.readable(r["crime_type"]),
                share,
                fmt.percent(share, 0) if share is not None else SUPPRESSED,
            )
        )
    rows.append([Cell("All people referred"), _count_cell(total), Cell("", "text")])
    return Figure(
        key="who_crime_type",
        title="People referred by crime type",
        subtitle=f"Share of all people referred, {release.period.title()}; a person "
        "referred for more than one crime type counts in each",
        chart=charts.bar_chart(
            bars,
            "rate",
            "People referred by crime type",
            "Share of people referred for each crime type.",
        ),
        table=Table(
            "referred_by_crime_type",
            "People referred by crime type",
            ["Crime type", "People referred", "Share of people referred"],
            rows,
            [release.legend("referred_by_crime_type")],
            csv_name="people_referred_by_crime_type",
        ),
        source=ctx.source,
    )


# --- outcomes ----------------------------------------------------------------------------------


def _outcome_row(indicator: str, status: str, release: PublishedQuarter) -> tuple:
    label = WORDS[indicator][0]
    if status != "ok":
        word = fmt.status_word(status)
        return (
            [Cell(label), Cell("", "text"), Cell("", "text"), Cell(word, "status")],
            charts.Bar(label, None, word),
        )
    info = release.rate(indicator)
    cell = _rate_cell(info)
    value = info["rate"] if info["rate_status"] == "published" else None
    return (
        [Cell(label), _count_cell(info["base"]), _count_cell(info["met"]), cell],
        charts.Bar(label, value, cell.text),
    )


def _latest_notes(indicators: tuple[str, ...], latest: dict[str, cohorts.Latest]
                  ) -> list[str]:
    """Under an outcome table, for each outcome whose quarter is not yet measurable: when
    it matures and the latest measurable published quarter (its row keeps the status, the
    public dashboard's cell)."""
    return [f"{WORDS[i][0]}: {latest[i].text()}." for i in indicators if i in latest]


def _outcome_figure(
    ctx: Context,
    key: str,
    heading: str,
    indicators: tuple[str, ...],
    statuses: dict[str, str],
    release: PublishedQuarter,
    latest: dict[str, cohorts.Latest] | None = None,
) -> Figure:
    rows, bars = [], []
    for indicator in indicators:
        row, bar = _outcome_row(indicator, statuses[indicator], release)
        rows.append(row)
        bars.append(bar)
    definitions = [f"{WORDS[i][0]}: {WORDS[i][1]}." for i in indicators]
    legend = (
        release.legend(base_table(indicators[0]))
        if statuses[indicators[0]] == "ok"
        else ""
    )
    return Figure(
        key=f"outcomes_{key}",
        title=f"{heading}: the share of people with each outcome",
        subtitle=f"Share of people in each base with the outcome, {release.period.title()}",
        chart=charts.bar_chart(
            bars,
            "rate",
            heading,
            f"{heading}: the share of people with each outcome; figures "
            "that are not measurable or hidden are labelled.",
        ),
        table=Table(
            f"outcomes_{key}",
            heading,
            ["Outcome", "People in the base", "People with the outcome", "Rate"],
            rows,
            [
                *definitions,
                *([legend] if legend else []),
                "Rates are worked out from the rounded counts.",
                *_latest_notes(indicators, latest or {}),
            ],
            csv_name=f"outcomes_{key}",
        ),
        source=ctx.source,
    )


# --- money -------------------------------------------------------------------------------------


def _money_figure(ctx: Context, release: PublishedQuarter) -> Figure:
    base_year = ctx.build.price_base_year or "base year"
    rows, ranges = [], []
    for indicator, label in MONEY_ROWS:
        central, low, high, status = release.money(indicator)
        if central is None or low is None or high is None:
            word = fmt.status_word(status)
            rows.append([Cell(label), Cell(word, "status"), Cell("", "text"), Cell("", "text")])
            ranges.append(charts.Range(label, None, None, None, word))
            continue
        rows.append(
            [
                Cell(label),
                Cell(fmt.gbp(low), "money"),
                Cell(fmt.gbp(central), "money"),
                Cell(fmt.gbp(high), "money"),
            ]
        )
        ranges.append(
            charts.Range(
                label,
                low,
                central,
                high,
                f"{fmt.gbp(central)} ({fmt.gbp(min(low, high))} to {fmt.gbp(max(low, high))})",
            )
        )
    central, low, high, status = release.money(PER_POUND)
    if central is None or low is None or high is None:
        rows.append(
            [
                Cell("Public value per £1 of funding"),
                Cell(fmt.status_word(status), "status"),
                Cell("", "text"),
                Cell("", "text"),
            ]
        )
    else:
        rows.append(
            [
                Cell("Public value per £1 of funding"),
                Cell(fmt.ratio(low), "money"),
                Cell(fmt.ratio(central), "money"),
                Cell(fmt.ratio(high), "money"),
            ]
        )
    return Figure(
        key="value_for_money",
        title="Projected public value",
        subtitle=f"Projected, £ at {base_year} prices; the bar runs from the low to the high "
        f"scenario, the dot is the central one; {release.period.title()}",
        chart=charts.range_chart(
            ranges,
            "Projected public value",
            "Projected public value by component, low to high "
            "scenario with the central estimate marked.",
        ),
        table=Table(
            "value_for_money",
            f"Projected public value (£, {base_year} prices)",
            ["Measure", "Low scenario", "Central", "High scenario"],
            rows,
            [
                "Projected: a value worked out from outcomes and published unit values "
                "over the years the benefit is expected to last, not cash saved.",
                "Sums of money are rounded to 3 significant figures and shown only "
                "where at least 8 people stand behind them.",
                "The register has no sourced share of crime costs that the wellbeing "
                "and NHS values do not already count, so the cost of crime avoided "
                "is shown on its own and left out of the total.",
            ],
            csv_name="projected_public_value",
        ),
        source=f"{ctx.source} and the assumptions register",
    )


# --- the report --------------------------------------------------------------------------------


def _parameter_tables(ctx: Context) -> tuple[Table, Table, list[str]]:
    """The register for the page (values; the sources follow as a list, which reads in
    order in a PDF), the same with its sources for the CSV file, and the source list."""
    params = data.parameters(ctx.con)
    headers = ["Parameter", "Low", "Central", "High", "Status"]
    rows, sources = [], []
    for p in params.itertuples():
        name = str(p.name).replace("_", " ")
        rows.append(
            [
                Cell(name),
                Cell(fmt.parameter_value(p.low, p.unit), "number"),
                Cell(fmt.parameter_value(p.central, p.unit), "number"),
                Cell(fmt.parameter_value(p.high, p.unit), "number"),
                Cell(str(p.status or "").replace("_", " ")),
            ]
        )
        sources.append(str(p.source or "no source recorded"))
    note = (
        f"Money is uprated to {ctx.build.price_base_year or 'the base year'} prices with "
        "HM Treasury GDP deflators. 'Local assumption' marks a setting the hub chose, "
        "not a published figure."
    )
    page = Table("parameters", "Parameters of the projected values", headers, rows, [note])
    with_sources = Table(
        "parameters_and_sources",
        "Parameters and their sources",
        [*headers, "Source"],
        [[*row, Cell(source)] for row, source in zip(rows, sources, strict=True)],
        [note],
        csv_name="parameters_and_sources",
    )
    listed = [f"{row[0].text}: {source}" for row, source in zip(rows, sources, strict=True)]
    return page, with_sources, listed


def _release_table(ctx: Context) -> Table:
    rows = [[Cell(name), Cell(value)] for name, value in facts(ctx)]
    rows.append(
        [
            Cell("Rules applied"),
            Cell("hubvalue disclosure control (counts of people, suppression, rounding, audited)"),
        ]
    )
    return Table(
        "release_information",
        "This release",
        ["Item", "Value"],
        rows,
        csv_name="release_information",
    )


def _main_points(ctx: Context, release: PublishedQuarter, statuses: dict) -> list[str]:
    points = []
    stages = release.table("stages")
    total = _published(stages.loc[stages["stage"] == "referred", "count"].iloc[0])
    if total is not None:
        points.append(
            f"About {total:,} people were referred to the hub in {release.period.title()}."
        )
    for indicator, words in MAIN_POINTS:
        if statuses.get(indicator) == "ok":
            info = release.rate(indicator)
            if info["rate_status"] == "published":
                points.append(f"{fmt.percent(info['rate'])} {words}.")
    homes = SECTION_COUNTS["prevention"]
    if statuses.get(homes) == "ok":
        count = release.rate(homes)["base"]
        if count:
            points.append(f"The homes of about {count:,} people were made safer.")
    central, low, high, _ = release.money(TOTAL_VALUE)
    if central is not None and low is not None and high is not None:
        points.append(
            f"Projected public value: {fmt.gbp(central)} (from {fmt.gbp(min(low, high))}"
            f" to {fmt.gbp(max(low, high))}), at {ctx.build.price_base_year} prices."
        )
    waiting = [
        WORDS[i][0].lower() for i in PERSON_INDICATORS if statuses.get(i) == "not_yet_measurable"
    ]
    if waiting:
        points.append("Not yet measurable for this period: " + "; ".join(waiting) + ".")
    return points[:6]


def _method_sections(ctx: Context, release: PublishedQuarter) -> list[Section]:
    build = ctx.build
    meaningful = setting(data.parameters(ctx.con), "swemwbs_meaningful_change")
    rise = (f"at least {fmt.count(meaningful)} metric points" if meaningful is not None
            else "the change the assumptions register sets")
    measured = Section(
        "measured",
        "How the data were measured",
        [
            "The figures come from the hub's case records (referrals, assessments, services, "
            "exit surveys, agency referrals), police-recorded repeat crimes and NHS contact "
            f"counts, extracted on the as-of date and built into the hubvalue warehouse "
            f"(build {build.build_id}).",
            "Each outcome is counted for the month its cohort belongs to: the month support "
            "ended for outcomes at the end of support and after it, the month of referral for "
            "timeliness and repeat victimisation, the month of the survey for survey answers. A "
            "period's figure adds up its months, and is shown only when every month of the "
            "period can be measured.",
            "Wellbeing is measured with the Short Warwick-Edinburgh Mental Wellbeing Scale "
            f"(SWEMWBS) converted to metric scores; a meaningful rise is {rise}. Other "
            "scores are on a five-point scale.",
            "Projected values use published unit values (HM Treasury wellbeing guidance, NHS "
            "unit costs, Home Office costs of crime) and the hub's assumptions on deadweight, "
            "attribution and drop-off, listed below with their sources.",
        ],
    )
    quality = Section(
        "strengths",
        "Strengths and limitations",
        bullets=[
            "Strength: every figure counts people, from one frozen extract, with the same "
            "definitions every period.",
            "Strength: outcomes that need time to show are reported only once that time has "
            "passed, never as partial figures.",
            "Limitation: scores at the start and end of support and NHS contacts before and "
            "after have no comparison group; some change would have happened anyway, which is "
            "why the projected values take off a share for deadweight.",
            "Limitation: follow-ups are answered by some people only, and those who answer "
            "may differ from those who do not.",
            "Limitation: projected values rest on assumptions; the low and high scenarios show "
            "how much they matter.",
            "Limitation: rounding and hidden figures make small groups harder to read; do not "
            "add rounded figures to make totals.",
        ],
    )
    control = Section(
        "disclosure",
        "Disclosure control and this release",
        bullets=[
            "Counts are of people (distinct victims), not referrals.",
            "A count of fewer than 8 people is hidden and shown as [c]; for a figure about a "
            "sensitive group (ethnic group, disability, LGBT+, gender other than female or "
            "male, people under 18, sexual offences, hate crime, domestic abuse, the mental "
            "health service) the limit is fewer than 10.",
            "Every other count, totals included, is rounded to the nearest 5; totals are "
            "rounded separately, so they may differ from the sum of their parts.",
            "Rates are worked out from the rounded counts; a rate with a hidden part is hidden.",
            "More figures are hidden where they would let a hidden one be worked out, and an "
            "automated audit checked, before this release was written, that no hidden figure "
            "can be narrowed down from the published ones.",
            "A breakdown in which one group would hold everyone is not shown.",
            "Sums of money are rounded to 3 significant figures and shown only where at least "
            "8 people stand behind them. No averages of small groups are shown.",
        ],
        blocks=[_release_table(ctx)],
    )
    page, with_sources, listed = _parameter_tables(ctx)
    parameters = Section("parameters", "Parameters and their sources",
                         blocks=[*_register_blocks(ctx), page])
    sources = Section(
        "sources", "Sources of the parameters", bullets=listed, csv_only=[with_sources]
    )
    contact = Section(
        "contact",
        "Contact and next release",
        [
            "This release is a draft until the hub's responsible statistician signs it off; "
            "the contact, publication date and next release date are set by the hub when it "
            "publishes.",
        ],
    )
    return [measured, quality, control, parameters, sources, contact]


def _register_blocks(ctx: Context) -> list:
    """The hub's own register in force, from the published release: each override beside
    the shipped value, or the sentence that there is none."""
    register = published_register(ctx.con)
    if register is None:
        return ["Whether the hub overrode the shipped register is not recorded in this "
                "release (made by an earlier version of hubvalue)."]
    summary = listing.summary(register.overrides, register.file_name, register.sha256)
    if register.overrides.empty:
        return [summary]
    return [summary, overrides_table(register.overrides)]


def _release(ctx: Context) -> PublishedQuarter:
    """The published quarter; PeriodError (exit 2) for a period the release lacks."""
    period = ctx.period
    if period.kind != "quarter":
        raise PeriodError(
            "the public release is published by financial quarter only (a year beside its "
            "quarters could reveal hidden figures): ask for a quarter such as 2026/27-Q1"
        )
    try:
        return published_quarter(ctx.con, period)
    except NotPublished:
        raise PeriodError(
            f"{period.label} is not in the published release of this warehouse (not ended "
            "and covered by the extract, or refused by its audit); the public report "
            "prints the published release only"
        ) from None


def _revisions_section(release: PublishedQuarter) -> Section:
    history = release.history
    first = (
        f"The figures of {release.period.title()} were first published in build "
        f"{history['first_build_id']}."
    )
    revisions = release.revisions
    if revisions.empty:
        return Section("revisions", "Revisions", [
            first, "They have not been revised: every figure is as first published. "
            "Figures change only in a scheduled revision, audited together with the "
            "figures it revises, and listed here.",
        ])
    rows = [
        [Cell(month_name(pd.Timestamp(r["revised_at"]).date())), Cell(str(r["reason"])),
         Cell(str(r["build_id"]))]
        for r in revisions.to_dict("records")
    ]
    return Section(
        "revisions",
        "Revisions",
        [first, "Revised since in a scheduled revision, audited together with the figures "
         "it revises; the figures in this release are the revised ones."],
        [Table("revisions", "Revisions of this quarter", ["Revised in", "Reason", "Build"],
               rows, csv_name="revisions")],
    )


def _changes_section(ctx: Context, release: PublishedQuarter,
                     latest: dict[str, cohorts.Latest] | None = None) -> Section:
    """Change on the previous quarter and a year earlier, and the recent quarters."""
    return bulletin_changes.section(Quarters(ctx.con), release.period,
                                    changes.bulletin_rates(), changes.main_point_rates(),
                                    ctx.source, latest)


def build(ctx: Context, protector=None) -> Report:
    """The public report of a published quarter. `protector` is not used: the figures
    were protected and audited when the release was made (kept so every audience's
    builder is called alike)."""
    del protector
    period = ctx.period
    release = _release(ctx)
    statuses = {i: release.status(i) for i in PERSON_INDICATORS}
    latest = cohorts.for_quarter(ctx.con, period, catalogue().to_dict("records"))

    who = Section(
        "who",
        "Who was referred",
        [
            "People referred in the period, by what their records say about them. A group "
            "of fewer than 8 people (fewer than 10 for a sensitive group) is hidden, as is "
            "any figure that would reveal it.",
        ],
        [
            *(
                _breakdown_figure(ctx, release, dim)
                if release.has(f"referred_by_{dim}")
                else NOT_SHOWN.format(what=f"People referred by {fmt.characteristic_words(dim)}")
                for dim in data.DEMOGRAPHICS
            ),
            _crime_figure(ctx, release),
        ],
    )
    [enhanced] = WHO_RATES
    if statuses[enhanced] == "ok":
        info = release.rate(enhanced)
        who.blocks.append(
            Table(
                "enhanced_rights",
                WORDS[enhanced][0],
                ["Measure", "People referred", "Entitled", "Share"],
                [
                    [
                        Cell(WORDS[enhanced][0]),
                        _count_cell(info["base"]),
                        _count_cell(info["met"]),
                        _rate_cell(info),
                    ]
                ],
                csv_name="enhanced_rights",
            )
        )

    stages = release.table("stages")
    stage_rows, stage_bars = [], []
    for stage in data.STAGES:
        count = _published(stages.loc[stages["stage"] == stage, "count"].iloc[0])
        stage_rows.append([Cell(fmt.readable(stage)), _count_cell(count)])
        stage_bars.append(
            charts.Bar(fmt.readable(stage), count, SUPPRESSED if count is None else f"{count:,}")
        )
    funnel = Figure(
        key="stages",
        title="From referral to completed support",
        subtitle=f"People referred in {period.title()} by each stage any of their "
        "referrals reached (so far); the stages are counted one by one, so a later stage "
        "can hold more people than an earlier one (support given without a recorded needs "
        "assessment)",
        chart=charts.bar_chart(
            stage_bars,
            "count",
            "From referral to completed support",
            "People referred, contacted, assessed, given a service and completing support.",
        ),
        table=Table(
            "stages",
            "People by stage reached",
            ["Stage", "People"],
            stage_rows,
            [release.legend("stages")],
            csv_name="people_by_stage",
        ),
        source=ctx.source,
    )
    sections = [
        Section("main_points", "Main points", bullets=_main_points(ctx, release, statuses)),
        _changes_section(ctx, release, latest),
        who,
    ]
    for key, heading, indicators in THEME_SECTIONS:
        blocks = [funnel] if key == "timeliness" else []
        blocks.append(_outcome_figure(ctx, key, heading, indicators, statuses, release,
                                      latest))
        if key in SECTION_COUNTS:
            counted = SECTION_COUNTS[key]
            status = statuses[counted]
            count_cell = (
                _count_cell(release.rate(counted)["base"])
                if status == "ok"
                else Cell(fmt.status_word(status), "status")
            )
            blocks.append(
                Table(
                    counted,
                    WORDS[counted][0],
                    ["Measure", "People"],
                    [[Cell(WORDS[counted][1].capitalize()), count_cell]],
                    [
                        "Prevention is credited only where a home was made safer; "
                        "support alone is not assumed to prevent repeat crime."
                    ],
                    csv_name=counted,
                )
            )
        sections.append(Section(key, heading, blocks=blocks))
    sections.append(
        Section(
            "value_for_money",
            "Value for money",
            [
                "Projected values are estimates, not cash: they rest on the assumptions listed "
                "under 'Parameters and their sources'.",
            ],
            [_money_figure(ctx, release)],
        )
    )
    report = Report(
        audience="public",
        title="Victim support hub: outcomes and public value",
        subtitle=period.title(),
        period_label=period.label,
        facts=facts(ctx),
        sections=sections,
        banner="Draft transparency release: to be signed off by the hub's responsible "
        "statistician before publication.",
        extras={"glossary": GLOSSARY},
    )
    data_rows = [
        [Cell(f"{t.csv_name}.csv"), Cell(t.caption)] for t in report.tables() if t.csv_name
    ]
    methods = [_revisions_section(release), *_method_sections(ctx, release)]
    for section in methods:
        for t in [*section.blocks, *section.csv_only]:
            if isinstance(t, Table) and t.csv_name:
                data_rows.append([Cell(f"{t.csv_name}.csv"), Cell(t.caption)])
    report.sections.append(
        Section(
            "data",
            "The data tables",
            [
                "Every table in this release is also published as a CSV file beside it:",
            ],
            [Table("data_files", "Data files", ["File", "Contents"], data_rows)],
        )
    )
    report.sections.append(Section("glossary", "Glossary"))
    report.sections.extend(methods)
    return report


def csv_tables(report: Report) -> list[Table]:
    """The tables published as CSV files with the report."""
    extra = [t for s in report.sections for t in s.csv_only]
    return [t for t in [*report.tables(), *extra] if t.csv_name]
