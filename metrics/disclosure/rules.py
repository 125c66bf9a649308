"""The disclosure rules themselves: thresholds, rounding, sensitivity, small-group figures.

Everything here works on one figure at a time and needs no linear programming; the
table-level machinery (secondary suppression and the audit) lives in `publish` and
`audit`. Error messages never carry a value from the data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Integral, Real
from typing import NamedTuple

SUPPRESSED = "[c]"
TOTAL = "all"
UNKNOWN = "unknown"

THRESHOLD = 8  # counts 1..7 are hidden ("fewer than 8")
SENSITIVE_THRESHOLD = 10  # counts 1..9 are hidden in a cut by a sensitive dimension
ROUNDING_BASE = 5
ROUNDING_SLACK = 2  # a published r means a true value in r-2..r+2
MIN_PERSONS_STATISTIC = 8
MIN_PERSONS_WELLBEING_MEAN = 30
MONEY_SIGNIFICANT_FIGURES = 3

# A label (column = value) makes a figure a cut by a sensitive dimension when the column
# is listed here with any value, or with that value.
SENSITIVE_ANY_VALUE = frozenset(
    {"ethnic_group", "disability", "lgbt", "hate_crime", "domestic_abuse"}
)
SENSITIVE_VALUES: Mapping[str, frozenset[str]] = {
    "gender": frozenset({"non_binary", "other"}),
    "age_band": frozenset({"0-17"}),
    "agency": frozenset({"lgbt", "nhs_mental_health", "hate_crime", "young_people"}),
    "crime_type": frozenset({"sexual_offence"}),
}
# The special category characteristics (UK GDPR article 9: ethnicity, health, sexual
# orientation).
SPECIAL_CATEGORY = frozenset({"ethnic_group", "disability", "lgbt"})
# Rule 6 (no breakdown where one category holds everyone) applies to a breakdown by any
# dimension the spec names as sensitive: the special category characteristics, gender,
# age band, crime type (criminal-offence data) and the hate crime and domestic abuse flags.
# Not the agency: every referral involves the lead agency, so its 100 % is known to all.
RULE6_DIMENSIONS = SPECIAL_CATEGORY | frozenset(
    {"gender", "age_band", "crime_type", "hate_crime", "domestic_abuse"}
)
# Long-format tables name the characteristic in one column and its category in another.
CHARACTERISTIC_COLUMN = "characteristic"
CATEGORY_COLUMN = "category"

STATISTIC_KINDS = ("mean", "median", "min", "max", "wellbeing_mean")


class DisclosureError(RuntimeError):
    """A release cannot be protected, or failed its audit; nothing may be written."""


class ProtectedFigure(NamedTuple):
    """A single published figure: `value` is None unless `status` is "published".

    status: "published", "withheld" (disclosure rule), "no_data" (nothing to publish),
    or "empty_base" (a rate whose denominator is 0).
    """

    value: float | None
    status: str


def is_total(value: object) -> bool:
    return isinstance(value, str) and value == TOTAL


def whole_count(value: object, what: str = "count") -> int:
    """Return a count as int; raise ValueError (without the value) if it is not one."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{what} must be a non-negative whole number")
    if isinstance(value, Integral):
        number = int(value)
    else:
        if not math.isfinite(float(value)) or float(value) != int(value):
            raise ValueError(f"{what} must be a non-negative whole number")
        number = int(value)
    if number < 0:
        raise ValueError(f"{what} must be a non-negative whole number")
    return number


def label_is_sensitive(column: str, value: object) -> bool:
    """Whether the label column = value is a cut by a sensitive dimension."""
    if is_total(value) or value is None:
        return False
    if column in SENSITIVE_ANY_VALUE:
        return True
    return str(value) in SENSITIVE_VALUES.get(column, frozenset())


def labels_are_sensitive(labels: Mapping[str, object]) -> bool:
    """Whether a figure with these labels is a cut by a sensitive dimension.

    Handles long-format labels too: characteristic = ethnic_group, category = white.
    """
    for column, value in labels.items():
        if column in (CHARACTERISTIC_COLUMN, CATEGORY_COLUMN):
            continue
        if label_is_sensitive(column, value):
            return True
    characteristic = labels.get(CHARACTERISTIC_COLUMN)
    if characteristic is not None and not is_total(characteristic):
        category = labels.get(CATEGORY_COLUMN, TOTAL)
        if label_is_sensitive(str(characteristic), category):
            return True
    return False


def threshold_for(labels: Mapping[str, object], sensitive: bool = False) -> int:
    """The suppression threshold T: counts 1..T-1 are hidden."""
    return SENSITIVE_THRESHOLD if sensitive or labels_are_sensitive(labels) else THRESHOLD


def round_count(count: int) -> int:
    """Round a whole count to the nearest 5 (no ties exist for whole numbers)."""
    count = whole_count(count)
    return ROUNDING_BASE * ((count + ROUNDING_SLACK) // ROUNDING_BASE)


def is_primary(count: int, threshold: int) -> bool:
    return 1 <= count < threshold


def protect_count(count: object, sensitive: bool = False) -> int | None:
    """Primary suppression then rounding for one count: None means shown as [c].

    0 stays 0; 1..7 (1..9 if sensitive) is hidden; anything else is rounded to the
    nearest 5. Secondary suppression needs the whole release: see `publish`.
    """
    number = whole_count(count)
    threshold = SENSITIVE_THRESHOLD if sensitive else THRESHOLD
    if is_primary(number, threshold):
        return None
    return round_count(number)


def rate(numerator: int | None, denominator: int | None, scale: float = 1.0) -> ProtectedFigure:
    """A rate from *published* (already rounded) parts; None means that part is hidden."""
    if numerator is None or denominator is None:
        return ProtectedFigure(None, "withheld")
    numerator = whole_count(numerator, "numerator")
    denominator = whole_count(denominator, "denominator")
    if denominator == 0:
        return ProtectedFigure(None, "empty_base")
    return ProtectedFigure(scale * numerator / denominator, "published")


def min_persons(kind: str, sensitive: bool = False) -> int:
    if kind not in STATISTIC_KINDS:
        raise ValueError(f"unknown statistic kind; expected one of {STATISTIC_KINDS}")
    if kind == "wellbeing_mean":
        return MIN_PERSONS_WELLBEING_MEAN
    return SENSITIVE_THRESHOLD if sensitive else MIN_PERSONS_STATISTIC


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def protect_statistic(
    value: float | None, persons: int, kind: str, sensitive: bool = False
) -> ProtectedFigure:
    """A mean, median, minimum or maximum, withheld when too few people stand behind it.

    kind "wellbeing_mean" is a pre/post wellbeing mean (needs 30 people); the others need
    8 people (10 in a cut by a sensitive dimension).
    """
    needed = min_persons(kind, sensitive)
    persons = whole_count(persons, "persons")
    if _missing(value):
        return ProtectedFigure(None, "no_data")
    if persons < needed:
        return ProtectedFigure(None, "withheld")
    return ProtectedFigure(float(value), "published")


def round_significant(value: float, figures: int = MONEY_SIGNIFICANT_FIGURES) -> float:
    if not math.isfinite(value):
        raise ValueError("money value must be finite")
    return float(f"{value:.{figures}g}")


def protect_money(value: float | None, persons: int, sensitive: bool = False) -> ProtectedFigure:
    """A monetised total: 3 significant figures, only with at least 8 people behind it
    (10 in a cut by a sensitive dimension). Not a person count, so never suppressed as one.
    """
    persons = whole_count(persons, "persons")
    if _missing(value):
        return ProtectedFigure(None, "no_data")
    if persons < (SENSITIVE_THRESHOLD if sensitive else THRESHOLD):
        return ProtectedFigure(None, "withheld")
    return ProtectedFigure(round_significant(float(value)), "published")
