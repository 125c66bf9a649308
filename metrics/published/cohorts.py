"""For the public: the latest published quarter in which a cohort indicator is measurable,
where the chosen quarter is not yet measurable, and the date the chosen quarter's cohort
matures (evidence.md, section 2; the public bulletin and the public dashboard both call
`latest_measurable`, so the two cannot disagree).

Everything comes from the published release: the quarter's figure as published (a rate
from the rounded published numerator and base, a rounded count, money as published, or
`[c]` where a part is hidden), the hub's published quarters (`published.periods`) and the
build's coverage dates (`published.build`). The matures-on date is the status rule's
(`metrics.maturity.matures_on`) for the quarter's last month; a coverage table that has
not reached it is named, as for the manager.

A published quarter is *measurable* for an indicator when its figure is published or
hidden (`[c]`: measured, but not shown); a quarter not in the release, not yet measurable,
without data or with nobody in the base is passed over.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from metrics import formatting as fmt
from metrics.disclosure import SUPPRESSED
from metrics.maturity import matures_on
from metrics.period import Period
from metrics.period_figures import Rule
from metrics.published import changes
from metrics.published.names import COUNT_ONLY, base_table
from metrics.published.read import PublishedQuarter

MEASURABLE = frozenset({"ok", "suppressed"})


def rule(entry) -> Rule:
    """What the catalogue entry (a row of the catalogue, the code's or the published one)
    says about the indicator's cohort: `metrics.period_figures.Rule`."""
    return Rule.from_entry(entry)


@dataclass(frozen=True)
class Figure:
    """One published quarter's figure of one indicator."""

    period: Period
    status: str  # ok, suppressed, or why there is no figure
    value: float | None = None  # a rate, a count or money, as published
    met: int | None = None
    base: int | None = None

    @property
    def measurable(self) -> bool:
        return self.status in MEASURABLE

    def text(self, unit: str) -> str:
        """'58.3%', '£1.72k', '45', '[c]'."""
        if self.status == "suppressed":
            return SUPPRESSED
        if self.status != "ok" or self.value is None:
            return fmt.status_cell(self.status)
        return fmt.value_text(self.value, unit)

    def base_text(self) -> str:
        """'45 of 75 people' for a published rate ('' otherwise)."""
        if self.met is None or self.base is None:
            return ""
        return f"{self.met:,} of {self.base:,} people"


@dataclass(frozen=True)
class Latest:
    """A quarter of a cohort indicator that is not yet measurable: the latest earlier
    published quarter in which it is (None: none yet) and when the quarter matures."""

    rule: Rule
    period: Period
    latest: Figure | None
    matures: dt.date | None
    maturity: str  # 'matures on 30 September 2027', 'once health_use data reach it' if late

    def latest_text(self) -> str:
        """'latest measurable quarter, April to June 2025 (2025/26 Q1): 50.0% (10 of 20
        people)', or 'no quarter published so far is measurable'."""
        if self.latest is None:
            return "no quarter published so far is measurable"
        figure = self.latest
        base = figure.base_text()
        return (f"latest measurable quarter, {figure.period.title()}: "
                f"{figure.text(self.rule.unit)}" + (f" ({base})" if base else ""))

    def text(self) -> str:
        """The quarter's status, when it matures, and the latest measurable quarter."""
        return f"Not yet measurable; {self.maturity}; {self.latest_text()}"


def figure(release: PublishedQuarter | None, period: Period, indicator: str) -> Figure:
    """An indicator's published figure for a quarter: an outcome from its published tables
    (the bulletin's `changes.outcome_rate`: the rate of the rounded counts), any other
    indicator from its published row (`published.indicator_quarter`)."""
    if release is None:
        return Figure(period, "not_published")
    if release.has(base_table(indicator)):
        if indicator in COUNT_ONLY:
            base = release.total(base_table(indicator))
            return (Figure(period, "suppressed") if base is None
                    else Figure(period, "ok", float(base), base=None))
        published = changes.outcome_rate(release, period, indicator)
        return Figure(period, published.status, published.rate, published.met,
                      published.base)
    rows = release.indicators[release.indicators["indicator_id"] == indicator]
    if rows.empty:
        return Figure(period, "no_data")
    row = rows.iloc[0]
    status = str(row["status"])
    value = row["value"]
    if status == "ok" and (value is None or pd.isna(value)):
        status = "suppressed"
    return Figure(period, status, None if status != "ok" else float(value))


def latest_measurable(quarters: changes.Quarters, first_published: Period | None,
                      period: Period, entry, coverage: dict[str, dt.date | None]
                      ) -> Latest | None:
    """For a cohort indicator (catalogue `entry`) whose quarter `period` is not yet
    measurable in the release: the latest earlier published quarter that is, and when
    `period` matures; None for any other indicator or quarter. `first_published`: the
    release's first quarter (the search stops there); `coverage`: the published build's
    coverage dates by table."""
    found = rule(entry)
    if not found.is_cohort or period.kind != "quarter":
        return None
    if figure(quarters.get(period), period, found.indicator_id).status != "not_yet_measurable":
        return None
    latest = None
    earlier = period.previous()
    while first_published is not None and earlier.first >= first_published.first:
        candidate = figure(quarters.get(earlier), earlier, found.indicator_id)
        if candidate.measurable:
            latest = candidate
            break
        earlier = earlier.previous()
    return Latest(found, period, latest, *_maturity(found, period, coverage))


def _maturity(found: Rule, period: Period, coverage: dict[str, dt.date | None]
              ) -> tuple[dt.date | None, str]:
    """The status rule's date (`metrics.maturity.matures_on`) in words a public page may
    print: a long date (the disclosure scan reads 'matures on 30 September 2027' as the
    rule's date, not an event's), and the coverage table that has not reached it."""
    date = matures_on(period.last, found.censor_days, found.censor_months)
    if date is None:
        return None, ""
    text = f"matures on {fmt.long_date(date)}"
    reached = coverage.get(found.coverage_table) if found.coverage_table else None
    if reached is not None and reached < date:
        text += f" once {found.coverage_table} data reach it"
    return date, text


def release_setting(con) -> tuple[Period | None, dict[str, dt.date | None]]:
    """The release's first published quarter and its build's coverage dates by table, read
    through the public queries (`filter_options`, `build_info`: `published.*` only)."""
    from metrics import queries
    from metrics.period import period_starting

    months = queries.filter_options(con, "public")
    months = months[months["kind"] == "month"]["value"]
    first = (period_starting("quarter", pd.Timestamp(f"{min(months)}-01").date())
             if len(months) else None)
    build = queries.build_info(con, "public")
    row = build.iloc[0].to_dict() if len(build) else {}
    coverage = {key.removeprefix("coverage_"): (None if pd.isna(value)
                                                 else pd.Timestamp(value).date())
                for key, value in row.items() if key.startswith("coverage_")}
    return first, coverage


def for_quarter(con, period: Period, entries, quarters: changes.Quarters | None = None
                ) -> dict[str, Latest]:
    """`latest_measurable` for every catalogue entry (rows with indicator_id, unit and the
    censoring columns) whose quarter is not yet measurable, by indicator."""
    quarters = quarters or changes.Quarters(con)
    first, coverage = release_setting(con)
    out = {}
    for entry in entries:
        found = latest_measurable(quarters, first, period, entry, coverage)
        if found is not None:
            out[found.rule.indicator_id] = found
    return out
