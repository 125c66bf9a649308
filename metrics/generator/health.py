"""NHS contacts before and after support, self-reported or from linked records.

NHS use is high in the six months around a crime and falls back afterwards (regression to the
mean, more so after completed support). Linked records arrive up to the health coverage date
and may hold a window still running (counts so far); self-reports exist only once the person
has been asked (intake for the window before, a follow-up call once a window after is over).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metrics import contract
from metrics.generator import shape
from metrics.generator.cases import CLOSURE, Cases
from metrics.generator.days import add_months, present
from metrics.generator.draws import between, chance

WINDOW = {code: i for i, code in enumerate(contract.HEALTH_WINDOWS)}
LINKED = contract.HEALTH_SOURCES.index("linked_record")
SELF_REPORT = contract.HEALTH_SOURCES.index("self_report")


@dataclass
class HealthUse:
    referral: np.ndarray
    window: np.ndarray
    source: np.ndarray
    contacts: dict[str, np.ndarray]  # column -> counts, -1 where missing

    @property
    def size(self) -> int:
        return len(self.referral)


def _window_rows(
    rng: np.random.Generator, cases: Cases, as_of: int, coverage: int, window: str
) -> tuple[np.ndarray, np.ndarray]:
    """Per referral: whether the linked and the self-reported row exist, and the share of the
    window the linked row covers."""
    size = cases.size
    close = cases.close_day
    closed = close <= as_of
    if window == "pre_6m":
        linked = cases.referral_day <= coverage
        self_reported = present(cases.assessment_day) & (cases.assessment_day <= as_of)
        return np.where(linked, 1.0, np.nan), self_reported
    months = 0 if window == "post_6m" else 6
    start, end = add_months(close, months), add_months(close, months + 6)
    share = np.clip((coverage - start) / np.maximum(end - start, 1), 0.0, 1.0)
    linked = closed & (start <= coverage)
    asked = end + between(rng, 0, 30, size) <= as_of
    self_reported = closed & asked & chance(rng, shape.HEALTH_SELF_POST_RATE[window], size)
    return np.where(linked, share, np.nan), self_reported


def draw_health_use(rng: np.random.Generator, cases: Cases, as_of: int, coverage: int) -> HealthUse:
    size = cases.size
    cohort = present(cases.assessment_day) & chance(rng, shape.HEALTH_COHORT_RATE, size)
    linked_first = chance(rng, shape.HEALTH_LINKED_SHARE, size)
    frailty = rng.gamma(shape.HEALTH_FRAILTY_SHAPE, 1 / shape.HEALTH_FRAILTY_SHAPE, size)
    frailty = frailty * (1 + 0.3 * np.maximum(cases.distress, 0))
    completed = cases.closure == CLOSURE["support_completed"]

    referral_parts, window_parts, source_parts, share_parts = [], [], [], []
    for window in contract.HEALTH_WINDOWS:
        linked_share, self_reported = _window_rows(rng, cases, as_of, coverage, window)
        linked = linked_first ^ chance(rng, shape.HEALTH_SOURCE_SWITCH, size)
        exists = cohort & np.where(linked, ~np.isnan(linked_share), self_reported)
        chosen = np.flatnonzero(exists)
        referral_parts.append(chosen)
        window_parts.append(np.full(len(chosen), WINDOW[window], dtype=np.int64))
        source_parts.append(np.where(linked[chosen], LINKED, SELF_REPORT))
        share_parts.append(np.where(linked[chosen], linked_share[chosen], 1.0))
    referral = np.concatenate(referral_parts)
    window = np.concatenate(window_parts)
    source = np.concatenate(source_parts)
    share = np.concatenate(share_parts)
    order = np.lexsort((window, referral))
    referral, window, source, share = referral[order], window[order], source[order], share[order]
    rows = len(referral)

    fall_back = np.ones(rows)
    for name, (after_completed, after_other) in shape.HEALTH_FALL_BACK.items():
        factor = np.where(completed[referral], after_completed, after_other)
        fall_back = np.where(window == WINDOW[name], factor, fall_back)
    contacts = {}
    for column, rate in shape.HEALTH_PRE_RATES.items():
        need = np.where(cases.high_need, shape.HEALTH_HIGH_NEED_FACTOR.get(column, 1.0), 1.0)
        mean = rate * frailty[referral] * need[referral] * fall_back * share
        counts = rng.poisson(mean).astype(np.int64)
        missing_linked = shape.HEALTH_MISSING_LINKED.get(column, shape.HEALTH_MISSING_LINKED_OTHER)
        missing = np.where(source == LINKED, missing_linked, shape.HEALTH_MISSING_SELF)
        contacts[column] = np.where(chance(rng, missing, rows), -1, counts)
    return HealthUse(referral, window, source, contacts)
