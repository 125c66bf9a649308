"""One indicator's figure for one period, as every surface shows it (evidence.md, sections 2
and 3): the period's figure or status, the latest measurable cohort of the same length,
when the period matures, and the like-for-like change with its verdict on noise.

The scorecard, the theme pages and their downloads, the manager pack and the PCC review
all draw a period figure from `period_cell`; nothing else decides when a change gets an
arrow or which cohort stands in for a period that is not yet measurable.

Inputs (no Streamlit, no warehouse of its own): the indicator's catalogue entry
(`Rule.from_entry`), its monthly rows from the read layer (`indicator_trend` or
`indicator_rows`: month or period_start, status, numerator, denominator, value), the
Period, and what the build knows (`Setting`: as-of date, manifest coverage dates, the
hub's first referral month). `read_cells` does the reading for a connection.

* A period pools its `ok` months (as the pooled queries do, it counts the months the
  warehouse holds: none before the first referral month or after the as-of month, and
  names them); it is `no_data` if any month is, then
  `not_yet_measurable` if any month is (for a censored cohort that is exactly when its
  last month is: later months close later), then `ok` if a month is, else `empty_base`.
* A cohort indicator (a censoring window in the catalogue) whose period is not yet
  measurable shows the latest measurable cohort of the same length
  (`metrics.maturity.latest_measurable_cohort`), the date its period matures on, and,
  where no cohort has matured yet, the date the first one will.
* The change is the figure shown against the window of the same length just before it
  (and a year before it, for the reports): the selected period, or the latest cohort
  where it stands in. `metrics.change` says whether it is beyond noise; only then does it
  get a direction (an arrow, a colour, "moved the wrong way").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from metrics import change as changes
from metrics import formatting as fmt
from metrics.maturity import (
    COHORT_WORDS,
    MonthFigure,
    first_window_matures,
    latest_measurable_cohort,
    matures_on,
    maturity_text,
)
from metrics.period import Period, add_months, month_range
from metrics.queries import wilson_interval

ADDITIVE_KINDS = frozenset({"money", "sum"})
# a month of a window the warehouse does not hold: as the pooled queries, a period counts
# the months it has; the words name the others
BEFORE_START = "before_start"
AFTER_AS_OF = "after_as_of"
MONTH_WORDS = {BEFORE_START: "before the first referral month",
               AFTER_AS_OF: "after the as-of month"}


def _number(value) -> float | None:
    if value is None or value is pd.NA or fmt.missing(value):
        return None
    return float(value)


def _date(value) -> dt.date | None:
    if value is None or value is pd.NA or value is pd.NaT or value == "":
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return pd.Timestamp(value).date()


@dataclass(frozen=True)
class Rule:
    """What the catalogue says about the indicator that a period figure needs."""

    indicator_id: str
    unit: str
    kind: str
    direction: str = "neutral"
    cohort_month: str = ""
    censor_days: int | None = None
    censor_months: int | None = None
    coverage_table: str | None = None

    @classmethod
    def from_entry(cls, entry: Mapping) -> Rule:
        def whole(name: str) -> int | None:
            value = _number(entry.get(name))
            return int(value) if value else None

        coverage = entry.get("coverage_table")
        return cls(
            indicator_id=str(entry["indicator_id"]),
            unit=str(entry.get("unit") or "rate"),
            kind=str(entry.get("kind") or "rate"),
            direction=str(entry.get("direction") or "neutral"),
            cohort_month=str(entry.get("cohort_month") or ""),
            censor_days=whole("censor_days"),
            censor_months=whole("censor_months"),
            coverage_table=coverage if isinstance(coverage, str) and coverage else None,
        )

    @property
    def is_cohort(self) -> bool:
        """A cohort indicator with a censoring window (evidence.md, section 2)."""
        return bool(self.censor_days or self.censor_months)

    @property
    def is_stock(self) -> bool:
        return self.cohort_month == "month_end"


@dataclass(frozen=True)
class Setting:
    """What the build knows: its as-of date, the manifest's coverage dates by table and the
    hub's first referral month (the first month of the indicator tables)."""

    as_of: dt.date | None
    first_month: dt.date | None
    coverage: Mapping[str, dt.date | None] = field(default_factory=dict)

    @classmethod
    def from_build(cls, build: Mapping, first_month) -> Setting:
        """From meta.build's row (`build_info`; dates or their text)."""
        coverage = {key.removeprefix("coverage_"): _date(value)
                    for key, value in build.items() if key.startswith("coverage_")}
        return cls(_date(build.get("as_of")), _date(first_month), coverage)


@dataclass(frozen=True)
class Pooled:
    """A window of consecutive months pooled over its `ok` months."""

    first: dt.date
    last: dt.date
    status: str
    months_ok: int
    numerator: float | None = None
    denominator: float | None = None
    value: float | None = None
    interval: tuple[float, float] | None = None
    not_ok: tuple[tuple[dt.date, str], ...] = ()
    before_start: bool = False  # a month before the hub's first referral month

    @property
    def months(self) -> int:
        return month_range(self.first, self.last).months

    @property
    def month_list(self) -> list[dt.date]:
        return month_range(self.first, self.last).month_list

    @property
    def shown(self) -> bool:
        return self.status == "ok" and self.value is not None

    def words(self) -> str:
        """Its months in words: 'Dec 2024 to Nov 2025'."""
        return fmt.month_words(self.month_list)


def _month_figures(rows: pd.DataFrame | Iterable[Mapping]) -> dict[dt.date, Mapping]:
    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)
    out = {}
    for record in records:
        month = record.get("month", record.get("period_start"))
        out[pd.Timestamp(month).date()] = record
    return out


def pool(months: Mapping[dt.date, Mapping], first: dt.date, last: dt.date, rule: Rule,
         first_month: dt.date | None = None) -> Pooled:
    """The months `first`..`last` pooled: rates as the sum of numerators over the sum of
    denominators of the `ok` months (with a Wilson interval), a month-end stock as its
    last `ok` month, medians without a value (they are recomputed from records), the rest
    as sums."""
    window = month_range(first, last).month_list
    latest = max(months) if months else None
    statuses = []
    for month in window:
        row = months.get(month)
        if row is not None:
            statuses.append(str(row["status"]))
        elif first_month is not None and month < first_month:
            statuses.append(BEFORE_START)
        elif latest is not None and month > latest:
            statuses.append(AFTER_AS_OF)
        else:
            statuses.append("no_data")
    before = BEFORE_START in statuses
    present = [s for s in statuses if s not in (BEFORE_START, AFTER_AS_OF)]
    if not present or "no_data" in present:
        status = "no_data"
    elif "not_yet_measurable" in statuses:
        # as the pooled queries: a period with a month not yet measurable is not yet
        # measurable, even where another month's figure is hidden (pcc)
        status = "not_yet_measurable"
    elif "suppressed" in statuses:
        status = "suppressed"
    elif "ok" in statuses:
        status = "ok"
    else:
        status = "empty_base"
    not_ok = tuple((m, s) for m, s in zip(window, statuses, strict=True) if s != "ok")
    ok = [months[m] for m, s in zip(window, statuses, strict=True) if s == "ok"]
    base = Pooled(first, last, status, len(ok), not_ok=not_ok, before_start=before)
    if status != "ok":
        return base
    numerator = sum(_number(r.get("numerator")) or 0.0 for r in ok)
    if rule.is_stock:
        value = _number(ok[-1].get("value"))
        return replace(base, numerator=value, value=value)
    if rule.kind == "median":
        value = _number(ok[0].get("value")) if len(window) == 1 else None
        return replace(base, numerator=value, value=value)
    if rule.kind in ("rate", "ratio"):
        denominator = sum(_number(r.get("denominator")) or 0.0 for r in ok)
        if not denominator:
            return replace(base, status="empty_base")
        interval = wilson_interval(numerator, denominator) if rule.kind == "rate" else None
        return replace(base, numerator=numerator, denominator=denominator,
                       value=numerator / denominator, interval=interval)
    return replace(base, numerator=numerator, value=numerator)


# --- like-for-like change ----------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """The figure shown against an earlier window of the same length."""

    shown: Pooled
    earlier: Pooled
    change: changes.Change
    direction: str  # the indicator's: higher_is_better, lower_is_better or neutral
    unit: str

    @property
    def arrow(self) -> int:
        """+1 or -1 only for a change beyond noise; 0 draws no arrow."""
        return self.change.direction

    @property
    def worse(self) -> bool:
        """Beyond noise and the wrong way for the indicator ("moved the wrong way")."""
        sign = {"higher_is_better": 1, "lower_is_better": -1}.get(self.direction, 0)
        return self.arrow * sign < 0

    @property
    def better(self) -> bool:
        sign = {"higher_is_better": 1, "lower_is_better": -1}.get(self.direction, 0)
        return self.arrow * sign > 0

    @property
    def difference_text(self) -> str:
        """'+3.1 points', '-£12.0k' ('' when there is no size to give)."""
        if self.change.difference is None or not self.shown.shown or not self.earlier.shown:
            return ""
        return fmt.change_text(self.shown.value, self.earlier.value, self.unit) or ""

    def text(self) -> str:
        """'up 5.2 points on Dec 2024 to Nov 2025', 'no clear change on Sep 2026 (+1.0
        points)', 'not comparable: 5 of 12 months measurable, against 12 of 12',
        '+£12.0k on Q1, not tested for noise'."""
        on = f"on {self.earlier.words()}"
        size = self.difference_text
        verdict = self.change.verdict
        if verdict == changes.BEYOND_NOISE:
            word = "up" if self.arrow > 0 else "down"
            return f"{word} {size.lstrip('+-')} {on}"
        if verdict == changes.NO_CLEAR_CHANGE:
            return f"no clear change {on}" + (f" ({size})" if size else "")
        if verdict == changes.NOT_TESTED:
            return (f"{size} {on}, not tested for noise" if size
                    else f"{on}: not tested for noise")
        return f"{self.change.note} ({on.removeprefix('on ')})"


def _not_comparable(shown: Pooled, earlier: Pooled) -> str | None:
    if earlier.before_start:
        return "not comparable: before the hub's first referral month"
    for side in (shown, earlier):
        if side.status in ("no_data", "suppressed"):
            return f"not comparable: {fmt.status_label(side.status).lower()}"
    return None


def compare(rule: Rule, shown: Pooled, earlier: Pooled) -> Comparison:
    """The like-for-like change of `shown` against `earlier` (evidence.md, section 3)."""
    note = _not_comparable(shown, earlier)
    months = shown.months
    if note is None and "not_yet_measurable" in (shown.status, earlier.status):
        note = (f"not comparable: {shown.months_ok} of {months} months measurable, "
                f"against {earlier.months_ok} of {months}")
    if note is not None:
        result = changes.Change(changes.NOT_COMPARABLE, note=note)
    elif rule.kind == "rate" and not rule.is_stock:
        if not shown.denominator or not earlier.denominator:
            result = changes.Change(changes.NOT_COMPARABLE,
                                    note="not comparable: nobody in the base of a period")
        else:
            result = changes.rate_change(shown.numerator, shown.denominator,
                                         earlier.numerator, earlier.denominator)
    elif rule.kind == "count" and not rule.is_stock:
        result = changes.count_change(int(round(shown.numerator or 0)),
                                      int(round(earlier.numerator or 0)),
                                      shown.months_ok, earlier.months_ok, months)
    else:
        additive = rule.kind in ADDITIVE_KINDS
        if shown.shown and earlier.shown:
            result = changes.untested_change(shown.value, earlier.value, shown.months_ok,
                                             earlier.months_ok, months, additive)
        elif additive and shown.months_ok != earlier.months_ok:
            result = changes.untested_change(0.0, 0.0, shown.months_ok, earlier.months_ok,
                                             months, additive)
        else:
            result = changes.Change(changes.NOT_TESTED, note="not tested for noise")
    return Comparison(shown, earlier, result, rule.direction, rule.unit)


# --- the cell ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodCell:
    """Everything a surface shows for one indicator and period."""

    rule: Rule
    period: Period
    figure: Pooled
    cohort: Pooled | None = None  # the latest measurable cohort, where it stands in
    matures: dt.date | None = None  # when the period's last month is measurable
    maturity: str = ""  # 'matures on 30 Nov 2026 once health_use data reach it (now ...)'
    first_cohort_matures: dt.date | None = None  # where no cohort has matured yet
    previous: Comparison | None = None
    year_earlier: Comparison | None = None

    @property
    def status(self) -> str:
        return self.figure.status

    @property
    def shown(self) -> Pooled | None:
        """The figure the cell's number is: the period's, else the latest cohort's."""
        if self.figure.shown:
            return self.figure
        return self.cohort

    @property
    def stands_in(self) -> bool:
        """Whether the number shown is the latest cohort's, not the period's."""
        return self.cohort is not None and not self.figure.shown

    def cohort_words(self) -> str:
        """'people who closed Dec 2024 to Nov 2025'."""
        if self.cohort is None:
            return ""
        who = COHORT_WORDS.get(self.rule.cohort_month, "people counted")
        return f"{who} {self.cohort.words()}"

    def cohort_text(self) -> str:
        """'latest measurable 12 months: 61.2% (87 of 142; 95% CI 53.0% to 69.0%), people
        who closed Dec 2024 to Nov 2025'."""
        if self.cohort is None:
            return ""
        text = (f"latest measurable {_length_words(self.period.months)}: "
                f"{fmt.value_text(self.cohort.value, self.rule.unit)}")
        base = base_words(self.cohort, self.rule)
        return text + (f" ({base})" if base else "") + f", {self.cohort_words()}"

    def status_text(self) -> str:
        """The period's status with what is missing and when it matures: 'Not yet
        measurable for Dec 2025 to Nov 2026 (months not yet measurable: Jun 2026 to Nov
        2026); matures on 31 May 2027'."""
        if self.figure.shown:
            return ""
        text = f"{fmt.status_label(self.status)} for {self.figure.words()}"
        pending = [m for m, s in self.figure.not_ok if s == "not_yet_measurable"]
        if self.status == "not_yet_measurable" and 0 < len(pending) < self.figure.months:
            text += f" (months not yet measurable: {fmt.month_words(pending)})"
        if self.maturity:
            text += f"; {self.maturity}"
        return text

    def no_cohort_text(self) -> str:
        """Where the period is not yet measurable and no cohort of its length has matured."""
        if (not self.rule.is_cohort or self.status != "not_yet_measurable"
                or self.cohort is not None):
            return ""
        text = f"no cohort of {_length_words(self.period.months)} is measurable yet"
        if self.first_cohort_matures is not None:
            text += f"; the first matures on {fmt.short_date(self.first_cohort_matures)}"
        return text

    def months_note(self) -> str:
        """'n of N months measurable' where the figure counts part of the period, naming
        the months left out."""
        shown = self.figure
        if not shown.shown or shown.months_ok >= shown.months:
            return ""
        by_status: dict[str, list[dt.date]] = {}
        for month, status in shown.not_ok:
            by_status.setdefault(status, []).append(month)
        left = "; ".join(f"{fmt.month_words(months)} "
                         f"{MONTH_WORDS.get(status) or fmt.status_label(status).lower()}"
                         for status, months in by_status.items())
        text = f"{shown.months_ok} of {shown.months} months measurable"
        return f"{text} ({left})" if left else text


def _length_words(months: int) -> str:
    return "month" if months == 1 else f"{months} months"


def base_words(figure: Pooled | None, rule: Rule) -> str:
    """'87 of 142; 95% CI 53.0% to 69.0%' for a rate; '' otherwise."""
    if figure is None or not figure.shown or rule.kind != "rate" or rule.is_stock:
        return ""
    text = f"{fmt.count(figure.numerator)} of {fmt.count(figure.denominator)}"
    if figure.interval is not None:
        low, high = figure.interval
        text += f"; 95% CI {fmt.percent(low)} to {fmt.percent(high)}"
    return text


def period_cell(rule: Rule, rows: pd.DataFrame | Iterable[Mapping], period: Period,
                setting: Setting, year_earlier: bool = False) -> PeriodCell:
    """The cell for one indicator (its monthly rows, one agency, up to at least the
    period's end) and period."""
    months = _month_figures(rows)
    first_month = setting.first_month or (min(months) if months else None)
    figure = pool(months, period.first, period.last, rule, first_month)
    cohort, matures, maturity, first_matures = None, None, "", None
    if rule.is_cohort and figure.status == "not_yet_measurable":
        matures = matures_on(period.last, rule.censor_days, rule.censor_months)
        coverage = setting.coverage.get(rule.coverage_table) if rule.coverage_table else None
        maturity = maturity_text(period.last, rule.censor_days, rule.censor_months,
                                 rule.coverage_table, coverage)
        found = latest_measurable_cohort(
            {m: MonthFigure(str(r["status"]), _number(r.get("numerator")),
                            _number(r.get("denominator"))) for m, r in months.items()},
            period.months, period.last, "rate" if rule.kind in ("rate", "ratio") else rule.kind)
        if found is not None:
            cohort = pool(months, found.first, found.last, rule, first_month)
        elif first_month is not None:
            first_matures = first_window_matures(first_month, period.months,
                                                 rule.censor_days, rule.censor_months)
    shown = figure if figure.shown or cohort is None else cohort
    previous = compare(rule, shown, pool(months, add_months(shown.first, -shown.months),
                                         add_months(shown.last, -shown.months), rule,
                                         first_month))
    year = None
    if year_earlier:
        year = compare(rule, shown, pool(months, add_months(shown.first, -12),
                                         add_months(shown.last, -12), rule, first_month))
    return PeriodCell(rule, period, figure, cohort, matures, maturity, first_matures,
                      previous, year)


def cells(catalogue: pd.DataFrame, monthly: pd.DataFrame, period: Period, setting: Setting,
          year_earlier: bool = False) -> dict[str, PeriodCell]:
    """A cell for every indicator of the catalogue from one agency's monthly rows
    (`indicator_trend`: indicator_id, period_start, status, numerator, denominator,
    value)."""
    by_indicator: dict[str, list[dict]] = {}
    for record in monthly.to_dict("records"):  # one conversion, not one per indicator
        by_indicator.setdefault(record["indicator_id"], []).append(record)
    return {
        entry["indicator_id"]: period_cell(Rule.from_entry(entry),
                                           by_indicator.get(entry["indicator_id"], []),
                                           period, setting, year_earlier)
        for entry in catalogue.to_dict("records")
    }


def read_cells(con, audience: str, period: Period, agency: str = "all",
               year_earlier: bool = False) -> dict[str, PeriodCell]:
    """Every indicator's cell for the period and agency, read through the read layer
    (manager and pcc: the warehouse's monthly rows)."""
    from metrics import queries

    filters = queries.Filters(first=period.first, last=period.last, agency=agency)
    monthly = queries.indicator_trend(con, audience, filters)
    build = queries.build_info(con, audience, filters)
    first = monthly["period_start"].min() if len(monthly) else None
    setting = Setting.from_build(build.iloc[0].to_dict() if len(build) else {}, first)
    catalogue = queries.catalogue(con, audience, filters)
    return cells(catalogue, monthly, period, setting, year_earlier)


def latest_whole_window(rows: pd.DataFrame, indicator: str, length: int, last: dt.date):
    """For an indicator counted only over months where every part is measurable (the
    value-for-money total): the latest window of `length` months ending no later than
    `last` in which every month is measurable (`maturity.Cohort`: first, last), or None.
    `rows`: monthly rows of one agency (indicator_id, month or period_start, status,
    numerator, denominator)."""
    if rows is None or rows.empty:
        return None
    mine = rows[rows["indicator_id"] == indicator]
    months = {
        month: MonthFigure(str(r["status"]), _number(r.get("numerator")),
                           _number(r.get("denominator")))
        for month, r in _month_figures(mine).items()
    }
    return latest_measurable_cohort(months, length, last, "money")
