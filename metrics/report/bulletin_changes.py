"""The public bulletin's section on change: each main figure against the previous quarter
and the same quarter a year earlier, and the last eight quarters as a chart and a table,
all from the published release (`metrics.published.changes`).

Only a change beyond noise gets an arrow, a colour and the words "rose" or "fell";
every other change reads "no clear change" or says why it is not comparable.
"""

from __future__ import annotations

from metrics.period import Period
from metrics.published import changes, cohorts
from metrics.report import charts
from metrics.report.render import Cell, Figure, Section, Table

PEOPLE_LABEL = changes.PEOPLE_LABEL
# numbers of quarters in words (a bare small number would read as a count of people)
QUARTER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight")
NOISE_NOTE = (
    "A change is called a rise or a fall (an arrow and a colour) only when it is beyond "
    "noise: for a rate, when the 95% interval of the difference (Newcombe's hybrid score "
    "method) lies wholly above or below 0; for the number of people referred, when the "
    "exact test of two counts gives p below 0.05. Otherwise it reads 'no clear change'."
)
ROUNDED_NOTE = (
    "Both quarters' figures are the published ones: counts rounded to the nearest 5 and "
    "rates worked out from the rounded counts; the test is run on those rounded counts."
)


def value_cell(figure: changes.Published) -> Cell:
    text = changes.figure_text(figure)
    if figure.shown:
        return Cell(text, "count" if figure.count is not None else "rate")
    return Cell(text, "status")


def change_cell(line: changes.ChangeLine, indicator: str) -> Cell:
    words = changes.change_words(line, changes.unit(indicator))
    judged = changes.judgement(line, indicator)
    if judged:
        return Cell(words, judged)
    return Cell(words, "note" if line.change is None else "text")


def change_table(quarters: changes.Quarters, period: Period,
                 measures: list[tuple[str, str]],
                 latest: dict[str, cohorts.Latest] | None = None) -> Table:
    """One row per measure (id, label): this quarter, the previous quarter and its
    change, the same quarter a year earlier and its change. `latest`: for an outcome whose
    quarter is not yet measurable, when it matures and the latest measurable quarter
    (`metrics.published.cohorts`), given under the table."""
    previous, year = period.previous(), period.year_before()
    rows = []
    for indicator, label in measures:
        current, on_previous, on_year = changes.change_lines(quarters, period, indicator)
        rows.append([
            Cell(label), value_cell(current),
            value_cell(on_previous.earlier), change_cell(on_previous, indicator),
            value_cell(on_year.earlier), change_cell(on_year, indicator),
        ])
    return Table(
        "changes",
        f"{period.label} against {previous.label} and {year.label}",
        ["Measure", period.label, previous.label, "Change on the previous quarter",
         year.label, "Change on a year earlier"],
        rows,
        [NOISE_NOTE, ROUNDED_NOTE,
         "Points: percentage points. A rise in a measure where lower is better is shown "
         "in red, a rise where higher is better in green; the number of people referred "
         "is neither good nor bad.",
         *(f"{label}: {latest[indicator].text()}." for indicator, label in measures
           if indicator in (latest or {}))],
        csv_name="change_on_earlier_quarters",
    )


def trend_figure(quarters: changes.Quarters, period: Period,
                 rates: list[tuple[str, str]], source: str) -> Figure:
    """People referred in each of the last eight quarters (fewer when fewer are
    published), with the main rates of each quarter in the table."""
    wanted = [changes.PEOPLE_REFERRED, *(i for i, _ in rates)]
    history = changes.trend(quarters, period, wanted)
    points = []
    for quarter, figures in history:
        people = figures[changes.PEOPLE_REFERRED]
        cell = value_cell(people)
        points.append(charts.Point(quarter.label, float(people.count) if people.shown
                                   else None, cell.text))
    rows = [[Cell(quarter.label), *(value_cell(figures[i]) for i in wanted)]
            for quarter, figures in history]
    shown, wanted_words = len(history), QUARTER_WORDS[changes.TREND_QUARTERS]
    if shown == 1:
        span = (f"the one quarter published so far (fewer than {wanted_words} exist: the "
                "release starts with this quarter)")
    elif shown < changes.TREND_QUARTERS:
        span = (f"the {QUARTER_WORDS[shown]} quarters published so far (fewer than "
                f"{wanted_words} exist: the release starts with {history[0][0].label})")
    else:
        span = f"the last {wanted_words} quarters"
    return Figure(
        key="trend",
        title=f"People referred each quarter: {span}",
        subtitle=f"People referred per quarter, to {period.title()}; rounded to the "
        "nearest 5",
        chart=charts.trend_chart(
            points, "count", "People referred each quarter",
            f"People referred in each of {span}; hidden or unpublished quarters are "
            "labelled.",
        ),
        table=Table(
            "trend",
            f"Recent quarters: {span}",
            ["Quarter", PEOPLE_LABEL, *(label for _, label in rates)],
            rows,
            ["Each quarter as published; rates worked out from the rounded counts."],
            csv_name="recent_quarters",
        ),
        source=source,
    )


def section(quarters: changes.Quarters, period: Period, rates: list[tuple[str, str]],
            trend_rates: list[tuple[str, str]], source: str,
            latest: dict[str, cohorts.Latest] | None = None) -> Section:
    """`rates`: the outcomes (id, label) in the change table; `trend_rates`: those in the
    recent quarters' table; `latest`: see `change_table`."""
    measures = [(changes.PEOPLE_REFERRED, PEOPLE_LABEL), *rates]
    return Section(
        "changes",
        "Change on earlier quarters",
        [f"{period.title()} against the quarter before and the same quarter a year "
         "earlier, from the published figures of each quarter."],
        [change_table(quarters, period, measures, latest),
         trend_figure(quarters, period, trend_rates, source)],
    )
