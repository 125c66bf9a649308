"""Later police-recorded crimes against the same people, up to the police coverage date.

Two kinds: the crimes behind a victim's later referrals (police-reported ones), and crimes that
never came back to the hub, drawn at the register's 12-month repeat rates (higher for domestic
abuse) and lowered where target hardening was done.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metrics import contract
from metrics.generator import shape
from metrics.generator.cases import CRIME, Cases
from metrics.generator.days import present
from metrics.generator.draws import between, chance, pick


@dataclass
class RepeatCrimes:
    victim: np.ndarray
    day: np.ndarray
    crime: np.ndarray

    @property
    def size(self) -> int:
        return len(self.victim)


def _twelve_month_rate(cases: Cases, hardened: np.ndarray) -> np.ndarray:
    rate = shape.rates(shape.REPEAT_RATE, contract.CRIME_TYPES, shape.REPEAT_RATE_DEFAULT)
    rate = np.where(cases.domestic_abuse, shape.REPEAT_RATE_DOMESTIC_ABUSE, rate[cases.crime])
    effect = np.where(
        cases.crime == CRIME["burglary_residential"],
        shape.TARGET_HARDENING_EFFECT["burglary_residential"],
        shape.TARGET_HARDENING_EFFECT["other"],
    )
    return rate * np.where(hardened, 1 - effect, 1.0)


def draw_repeat_crimes(
    rng: np.random.Generator, cases: Cases, hardened: np.ndarray, coverage: int
) -> RepeatCrimes:
    size = cases.size
    people = cases.people
    rate = _twelve_month_rate(cases, hardened) * shape.REPEAT_UNREFERRED_SHARE
    crime_probs = shape.probabilities(shape.CRIME_SHARES, contract.CRIME_TYPES)
    parts = []
    for relative, (low, high) in ((1.0, (1, 365)), (shape.REPEAT_SECOND_YEAR, (366, 730))):
        happened = np.flatnonzero(chance(rng, rate * relative, size))
        day = cases.referral_day[happened] + between(rng, low, high, len(happened))
        same = chance(rng, shape.REPEAT_SAME_TYPE, len(happened))
        crime = np.where(same, cases.crime[happened], pick(rng, crime_probs, len(happened)))
        parts.append((people.victim[happened], day, crime))

    later = np.flatnonzero((people.repeat_number > 0) & present(cases.reported_day))
    later_day = np.where(
        present(cases.crime_day[later]), cases.crime_day[later], cases.reported_day[later]
    )
    parts.append((people.victim[later], later_day, cases.crime[later]))

    victim = np.concatenate([p[0] for p in parts])
    day = np.concatenate([p[1] for p in parts])
    crime = np.concatenate([p[2] for p in parts])
    known = day <= coverage
    victim, day, crime = victim[known], day[known], crime[known]
    order = np.lexsort((crime, day, victim))
    return RepeatCrimes(victim[order], day[order], crime[order])
