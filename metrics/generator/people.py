"""The people of one chunk: victims, how often each is referred, and when.

A chunk's referrals belong to its own victims, so repeat victims never span chunks and
victim ids stay unique with a running counter. Referral days follow the period's day
weights; a repeat victim's referrals cluster within a year of each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metrics import contract
from metrics.generator import shape
from metrics.generator.days import WorkingDays
from metrics.generator.draws import chance, pick, pick_by_row

FRAUD = shape.CRIME_INDEX["fraud"]
SEXUAL = shape.CRIME_INDEX["sexual_offence"]


@dataclass
class People:
    """Victims (one element each) and their referrals (one element each), in referral-day order."""

    age: np.ndarray
    gender: np.ndarray
    ethnic_group: np.ndarray
    disability: np.ndarray
    lgbt: np.ndarray
    area: np.ndarray  # 0-based area number, -1 where not recorded
    victim: np.ndarray  # per referral: the victim's index
    repeat_number: np.ndarray  # per referral: 0 for the victim's first referral
    victim_referrals: np.ndarray  # per referral: how many referrals the victim has
    crime: np.ndarray  # per referral: crime type index
    domestic_abuse: np.ndarray
    referral_day: np.ndarray

    @property
    def victims(self) -> int:
        return len(self.age)

    @property
    def referrals(self) -> int:
        return len(self.victim)


@dataclass(frozen=True)
class DayWeights:
    """Referral days of the period and their probabilities."""

    days: np.ndarray
    probs: np.ndarray

    @classmethod
    def for_period(cls, first_day: int, last_day: int, wd: WorkingDays) -> DayWeights:
        days = np.arange(first_day, last_day + 1, dtype=np.int64)
        calendar_month = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
        season = 1 + shape.SEASONALITY * np.cos(2 * np.pi * (calendar_month + 1 - 7) / 12)
        weight = season * np.where(wd.working(days), 1.0, shape.NON_WORKING_DAY_WEIGHT)
        return cls(days, weight / weight.sum())

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return self.days[pick(rng, self.probs, size)]


def _crime_profile(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    crime = pick(rng, shape.probabilities(shape.CRIME_SHARES, contract.CRIME_TYPES), size)
    da_rate = shape.rates(
        shape.DOMESTIC_ABUSE_RATE, contract.CRIME_TYPES, shape.DOMESTIC_ABUSE_RATE_OTHER
    )
    return crime, chance(rng, da_rate[crime], size)


def _referral_days(
    rng: np.random.Generator,
    victim: np.ndarray,
    counts: np.ndarray,
    weights: DayWeights,
    wd: WorkingDays,
) -> np.ndarray:
    """Days for every referral; a repeat victim's fall around one anchor day."""
    size = len(victim)
    days = weights.draw(rng, size)
    repeat = counts[victim] > 1
    first, last = int(weights.days[0]), int(weights.days[-1])
    spread = max(1, min(shape.REPEAT_SPREAD_DAYS, (last - first) // 2))
    anchor = weights.draw(rng, len(counts))[victim]
    offset = rng.integers(-spread, spread + 1, size=size)
    moved = anchor + offset
    moved = np.where(moved < first, 2 * first - moved, moved)  # reflect at the ends
    moved = np.where(moved > last, 2 * last - moved, moved)
    moved = np.clip(moved, first, last)
    next_working = wd.after(moved, np.ones(size, dtype=np.int64))
    snap = ~wd.working(moved) & chance(rng, 1 - shape.NON_WORKING_DAY_WEIGHT, size)
    moved = np.where(snap & (next_working <= last), next_working, moved)
    return np.where(repeat, moved, days)


def _demographics(
    rng: np.random.Generator, crime: np.ndarray, domestic_abuse: np.ndarray
) -> dict[str, np.ndarray]:
    size = len(crime)
    gender_matrix = np.vstack(
        [
            shape.probabilities(shape.GENDER_SHARES, contract.GENDERS),
            shape.probabilities(shape.GENDER_SHARES_DA_SEXUAL, contract.GENDERS),
        ]
    )
    gender = pick_by_row(rng, gender_matrix, ((crime == SEXUAL) | domestic_abuse).astype(int))
    age_matrix = np.vstack(
        [
            shape.probabilities(shape.AGE_SHARES, contract.AGE_BANDS),
            shape.probabilities(shape.AGE_SHARES_FRAUD, contract.AGE_BANDS),
            shape.probabilities(shape.AGE_SHARES_SEXUAL, contract.AGE_BANDS),
        ]
    )
    age_row = np.select([crime == FRAUD, crime == SEXUAL], [1, 2], 0)
    age = pick_by_row(rng, age_matrix, age_row)
    older = np.isin(age, [shape.AGE_INDEX["65-74"], shape.AGE_INDEX["75+"]])
    disability_matrix = np.vstack(
        [
            shape.probabilities(shape.DISABILITY_SHARES, contract.YES_NO_UNKNOWN),
            shape.probabilities(shape.DISABILITY_SHARES_65_PLUS, contract.YES_NO_UNKNOWN),
        ]
    )
    area_weights = 1 / np.arange(1, shape.AREA_COUNT + 1) ** 0.6
    area = pick(rng, area_weights / area_weights.sum(), size)
    return {
        "age": age,
        "gender": gender,
        "ethnic_group": pick(
            rng, shape.probabilities(shape.ETHNIC_SHARES, contract.ETHNIC_GROUPS), size
        ),
        "disability": pick_by_row(rng, disability_matrix, older.astype(int)),
        "lgbt": pick(rng, shape.probabilities(shape.LGBT_SHARES, contract.YES_NO_UNKNOWN), size),
        "area": np.where(chance(rng, shape.AREA_MISSING, size), -1, area),
    }


def draw_people(
    rng: np.random.Generator, referrals: int, weights: DayWeights, wd: WorkingDays
) -> People:
    """Victims and exactly ``referrals`` referrals."""
    # Every victim has at least one referral, so ``referrals`` profiles are always enough.
    first_crime, first_da = _crime_profile(rng, referrals)
    repeat_share = np.where(
        first_da, shape.REPEAT_VICTIM_SHARE["domestic_abuse"], shape.REPEAT_VICTIM_SHARE["other"]
    )
    extra = rng.geometric(shape.EXTRA_REFERRALS_P, referrals) * chance(rng, repeat_share, referrals)
    counts = 1 + extra
    cumulative = np.cumsum(counts)
    victims = int(np.searchsorted(cumulative, referrals)) + 1
    counts = counts[:victims].copy()
    counts[-1] -= int(cumulative[victims - 1]) - referrals
    first_crime, first_da = first_crime[:victims], first_da[:victims]

    victim = np.repeat(np.arange(victims), counts)
    group_start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    repeat_number = np.arange(referrals) - group_start[victim]

    fresh_crime, fresh_da = _crime_profile(rng, referrals)
    same = (repeat_number == 0) | chance(rng, shape.REPEAT_SAME_CRIME, referrals)
    crime = np.where(same, first_crime[victim], fresh_crime)
    domestic_abuse = np.where(same, first_da[victim], fresh_da)

    days = _referral_days(rng, victim, counts, weights, wd)
    days = days[np.lexsort((days, victim))]  # each victim's referrals in date order

    demographics = _demographics(rng, first_crime, first_da)

    # Number victims by their first referral day and referrals by day, as a CMS would.
    first_day = days[group_start]
    victim_order = np.argsort(first_day, kind="stable")
    victim_rank = np.empty(victims, dtype=np.int64)
    victim_rank[victim_order] = np.arange(victims)
    referral_order = np.lexsort((victim_rank[victim], days))
    victim = victim_rank[victim]
    return People(
        **{name: values[victim_order] for name, values in demographics.items()},
        victim=victim[referral_order],
        repeat_number=repeat_number[referral_order],
        victim_referrals=counts[victim_order][victim[referral_order]],
        crime=crime[referral_order],
        domestic_abuse=domestic_abuse[referral_order],
        referral_day=days[referral_order],
    )
