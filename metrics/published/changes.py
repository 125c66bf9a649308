"""Change on the previous quarter and on the same quarter a year earlier, and the recent
quarters, worked out from the published release only (the public bulletin; spec:
evidence.md, section 3).

Every figure here is a published one: a count is the rounded count of people published
for the quarter, a rate is worked out from the rounded published numerator and base
(as the bulletin prints it). Whether a change is beyond noise is decided by
`metrics.change` on those same rounded counts (docs/decisions.md, "Public bulletin:
change on rounded published figures"): a rate by Newcombe's hybrid score interval, a
count of people by the exact conditional test of two Poisson counts. Only a change
beyond noise is a rise or a fall; otherwise it reads "no clear change". A quarter that
is not in the release, a hidden part or an outcome not yet measurable makes the change
"not comparable", with the reason in words; nothing is estimated to fill the gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from metrics import change as noise
from metrics import formatting as fmt
from metrics.catalogue import catalogue, in_place_order
from metrics.disclosure import SUPPRESSED
from metrics.period import Period
from metrics.published.read import NotPublished, PublishedQuarter, published_quarter

TREND_QUARTERS = 8
PEOPLE_REFERRED = "people_referred"  # the count of people referred (published `stages`)
PEOPLE_LABEL = "People referred"


def bulletin_rates() -> list[tuple[str, str]]:
    """The bulletin's person-level rates (id, public label), in the bulletin's order."""
    entries = catalogue().set_index("indicator_id")
    return [(i, str(entries.loc[i, "public_label"])) for i in in_place_order("bulletin_order")
            if entries.loc[i, "kind"] == "rate" and entries.loc[i, "value_component"] is None]


def main_point_rates() -> list[tuple[str, str]]:
    """The rates of the bulletin's main points (id, public label), in order."""
    entries = catalogue().set_index("indicator_id")
    return [(i, str(entries.loc[i, "public_label"])) for i in in_place_order("bulletin_point")]


def direction(indicator: str) -> str:
    """higher_is_better, lower_is_better or neutral (people referred is neutral)."""
    if indicator == PEOPLE_REFERRED:
        return "neutral"
    return str(catalogue().set_index("indicator_id")["direction"].get(indicator, "neutral"))


@dataclass(frozen=True)
class Published:
    """One measure of one quarter as published: a count (`count`) or a rate (`met` of
    `base`, `rate`); `status` says why there is no figure (`not_published`: the quarter
    is not in the release; `suppressed`: a part is hidden; or the outcome's status)."""

    period: Period
    status: str
    count: int | None = None
    base: int | None = None
    met: int | None = None
    rate: float | None = None

    @property
    def shown(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class ChangeLine:
    """The change of one measure against one earlier quarter."""

    against: Period
    earlier: Published
    change: noise.Change | None  # None when not comparable
    reason: str = ""  # why not comparable

    @property
    def direction(self) -> int:
        return 0 if self.change is None else self.change.direction


class Quarters:
    """The published quarters of a release, each read once (None when not published)."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self._read: dict[str, PublishedQuarter | None] = {}

    def get(self, period: Period) -> PublishedQuarter | None:
        if period.label not in self._read:
            try:
                self._read[period.label] = published_quarter(self.con, period)
            except NotPublished:
                self._read[period.label] = None
        return self._read[period.label]


def people_referred(release: PublishedQuarter | None, period: Period) -> Published:
    """The published count of people referred in the quarter (the `stages` table)."""
    if release is None:
        return Published(period, "not_published")
    if not release.has("stages"):
        return Published(period, "no_data")
    stages = release.table("stages")
    hit = stages.loc[stages["stage"] == "referred", "count"]
    if hit.empty or hit.isna().iloc[0]:
        return Published(period, "suppressed")
    return Published(period, "ok", count=int(hit.iloc[0]))


def outcome_rate(release: PublishedQuarter | None, period: Period, indicator: str) -> Published:
    """An outcome's published rate: the rounded people with the outcome over the rounded
    base, as printed."""
    if release is None:
        return Published(period, "not_published")
    status = release.status(indicator)
    if status != "ok":
        return Published(period, status)
    info = release.rate(indicator)
    if info["rate_status"] != "published":
        return Published(period, "suppressed" if info["rate_status"] != "empty_base"
                         else "empty_base", base=info["base"], met=info["met"])
    return Published(period, "ok", base=info["base"], met=info["met"], rate=info["rate"])


def measure(quarters: Quarters, period: Period, indicator: str) -> Published:
    release = quarters.get(period)
    if indicator == PEOPLE_REFERRED:
        return people_referred(release, period)
    return outcome_rate(release, period, indicator)


_REASONS = {
    "not_published": "not in the published release",
    "suppressed": "a figure is hidden [c]",
    "empty_base": "nobody in the base",
    "not_yet_measurable": "not yet measurable",
    "no_data": "no data",
}


def _reason(current: Published, earlier: Published) -> str:
    for figure, which in ((current, "this quarter"), (earlier, earlier.period.label)):
        if not figure.shown:
            return f"{which}: {_REASONS.get(figure.status, figure.status.replace('_', ' '))}"
    return ""


def change_line(current: Published, earlier: Published) -> ChangeLine:
    """The like-for-like change of one published measure against an earlier quarter,
    tested on the rounded published counts (a published quarter has all three months
    measurable, so counts compare over equal periods)."""
    reason = _reason(current, earlier)
    if reason:
        return ChangeLine(earlier.period, earlier, None, reason)
    if current.count is not None:
        months = current.period.months
        verdict = noise.count_change(current.count, earlier.count, months, months, months)
    else:
        verdict = noise.rate_change(current.met, current.base, earlier.met, earlier.base)
        if verdict.verdict == noise.NOT_COMPARABLE:
            return ChangeLine(earlier.period, earlier, None, verdict.note)
    return ChangeLine(earlier.period, earlier, verdict)


def change_lines(quarters: Quarters, period: Period, indicator: str
                 ) -> tuple[Published, ChangeLine, ChangeLine]:
    """This quarter's figure, its change on the previous quarter and on the same quarter a
    year earlier."""
    current = measure(quarters, period, indicator)
    previous = change_line(current, measure(quarters, period.previous(), indicator))
    year = change_line(current, measure(quarters, period.year_before(), indicator))
    return current, previous, year


def trend(quarters: Quarters, period: Period, indicators: list[str],
          count: int = TREND_QUARTERS) -> list[tuple[Period, dict[str, Published]]]:
    """The `count` quarters ending with `period`, oldest first, each with its figures,
    from the first of them that is in the release (before the hub's first published
    quarter there is nothing to show, so fewer quarters are returned); a later quarter
    missing from the release stays in, as "not published"."""
    window = [period.shifted(-3 * back) for back in range(count - 1, -1, -1)]
    published = [q for q in window if quarters.get(q) is not None]
    if not published:
        return []
    window = window[window.index(published[0]):]
    return [(q, {i: measure(quarters, q, i) for i in indicators}) for q in window]


# --- words (the bulletin and the public dashboard write the same) ---------------------------

_STATUS_WORDS = {"suppressed": SUPPRESSED, "not_published": "Not published"}


def figure_text(figure: Published) -> str:
    """A published figure as printed: '1,230', '58.3%', '[c]', 'Not published' or the
    status in words."""
    if figure.shown:
        return f"{figure.count:,}" if figure.count is not None else fmt.percent(figure.rate)
    return _STATUS_WORDS.get(figure.status) or fmt.status_cell(figure.status)


def change_words(line: ChangeLine, unit: str) -> str:
    """'▲ rose 6.0 points', '▼ fell by 40 people', 'no clear change' or 'not comparable:
    ...'; only a change beyond noise rises or falls."""
    if line.change is None:
        return f"not comparable: {line.reason}"
    if line.change.verdict != noise.BEYOND_NOISE or not line.direction:
        return "no clear change"
    size = abs(line.change.difference)
    amount = f"{size * 100:.1f} points" if unit == "rate" else f"by {size:,.0f} people"
    return f"▲ rose {amount}" if line.direction > 0 else f"▼ fell {amount}"


def judgement(line: ChangeLine, indicator: str) -> str:
    """'better', 'worse' or 'moved' (beyond noise, by the indicator's direction), or ''
    (no arrow, no colour)."""
    if not line.direction:
        return ""
    way = direction(indicator)
    if way == "neutral":
        return "moved"
    return "better" if (line.direction > 0) == (way == "higher_is_better") else "worse"


def unit(indicator: str) -> str:
    return "count" if indicator == PEOPLE_REFERRED else "rate"
