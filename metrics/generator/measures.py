"""Outcome measures (intake, review, exit, follow-up assessments) and exit surveys (planned).

Scores come from two latent traits per referral: distress (lower wellbeing at intake) and
improvement (how much the person gains). Everyone recovers a little; support adds more, so
completed cases improve more often than declined ones. Follow-ups keep most of the gain, and
most people never answer them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metrics import contract
from metrics.generator import shape
from metrics.generator.cases import CRIME, Cases
from metrics.generator.days import present
from metrics.generator.draws import between, chance, lag, pick

STAGE = {code: i for i, code in enumerate(contract.ASSESSMENT_STAGES)}
FOLLOW_UP_MEDIUM, FOLLOW_UP_LONG = 10, 11  # internal kinds of follow-up, both stage follow_up
SCALES = contract.SCORE_COLUMNS_1_5


@dataclass
class Assessments:
    referral: np.ndarray
    stage: np.ndarray
    day: np.ndarray
    scores: dict[str, np.ndarray]  # column -> values, -1 where missing

    @property
    def size(self) -> int:
        return len(self.referral)


@dataclass
class ExitSurveys:
    referral: np.ndarray
    day: np.ndarray
    satisfaction: np.ndarray  # -1 where missing
    listened_to: np.ndarray
    family_benefited: np.ndarray  # code index
    goals_set: np.ndarray
    goals_achieved: np.ndarray


def _closure_rate(table: dict[str, float], closure: np.ndarray) -> np.ndarray:
    return shape.rates(table, contract.CLOSURE_REASONS)[closure]


def _schedule(rng: np.random.Generator, cases: Cases) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(referral, kind, day) of every planned assessment, in referral and date order."""
    measured = cases.measured
    start = cases.assessment_day
    close = cases.close_day
    length = np.where(measured, close - start, 0)
    parts = [(np.flatnonzero(measured), STAGE["intake"], start)]
    for review in (1, 2):
        due = measured & (length > shape.REVIEW_EVERY_DAYS * review + 10)
        due &= chance(rng, shape.REVIEW_RATE, cases.size)
        day = start + shape.REVIEW_EVERY_DAYS * review + between(rng, -7, 7, cases.size)
        parts.append((np.flatnonzero(due), STAGE["review"], day))
    exits = measured & chance(rng, _closure_rate(shape.EXIT_RATE, cases.closure), cases.size)
    exit_day = np.maximum(close - between(rng, 0, 3, cases.size), start)
    parts.append((np.flatnonzero(exits), STAGE["exit"], exit_day))
    for kind, rates, (mean, sd, low, high) in (
        (FOLLOW_UP_MEDIUM, shape.FOLLOW_UP_MEDIUM_RATE, shape.FOLLOW_UP_MEDIUM_DAYS),
        (FOLLOW_UP_LONG, shape.FOLLOW_UP_LONG_RATE, shape.FOLLOW_UP_LONG_DAYS),
    ):
        answered = measured & chance(rng, _closure_rate(rates, cases.closure), cases.size)
        after = np.clip(np.rint(rng.normal(mean, sd, cases.size)), low, high).astype(np.int64)
        parts.append((np.flatnonzero(answered), kind, close + after))
    referral = np.concatenate([p[0] for p in parts])
    kind = np.concatenate([np.full(len(p[0]), p[1], dtype=np.int64) for p in parts])
    day = np.concatenate([p[2][p[0]] for p in parts])
    order = np.lexsort((kind, day, referral))
    return referral[order], kind[order], day[order]


def _score(
    rng: np.random.Generator,
    intake: np.ndarray,
    full_change: np.ndarray,
    kind: np.ndarray,
    noise: float,
    bounds: tuple[int, int],
    missing: float,
) -> np.ndarray:
    """A score per assessment: intake level plus the share of the change reached by then."""
    size = len(kind)
    reached = np.select(
        [
            kind == STAGE["review"],
            kind == STAGE["exit"],
            kind == FOLLOW_UP_MEDIUM,
            kind == FOLLOW_UP_LONG,
        ],
        [
            0.5,
            1.0,
            shape.FOLLOW_UP_PERSISTENCE["medium"][0],
            shape.FOLLOW_UP_PERSISTENCE["long"][0],
        ],
        0.0,
    )
    value = intake + reached * full_change
    value = value + np.where(kind == STAGE["intake"], 0.0, rng.normal(0, noise, size))
    value = np.clip(np.rint(value), *bounds).astype(np.int64)
    return np.where(chance(rng, missing, size), -1, value)


def draw_assessments(rng: np.random.Generator, cases: Cases) -> Assessments:
    referral, kind, day = _schedule(rng, cases)
    size = cases.size
    distress = cases.distress
    z = cases.improvement
    effect = shape.rates(shape.SUPPORT_EFFECT, contract.CLOSURE_REASONS)[cases.closure]
    _, medium_extra = shape.FOLLOW_UP_PERSISTENCE["medium"]
    _, long_extra = shape.FOLLOW_UP_PERSISTENCE["long"]
    natural_extra = np.select(
        [kind == FOLLOW_UP_MEDIUM, kind == FOLLOW_UP_LONG], [medium_extra, long_extra], 0.0
    )

    def measure(
        intake_spec: tuple[float, float, float],
        change_spec: tuple[float, float, float, float],
        bounds: tuple[int, int],
        missing: float,
        extra_effect: float = 0.0,
        intake_shift: float | np.ndarray = 0.0,
    ) -> np.ndarray:
        mean, per_distress, sd = intake_spec
        natural, support, per_z, noise = change_spec
        intake = mean + intake_shift - per_distress * distress + rng.normal(0, sd, size)
        change = natural + (support + extra_effect) * effect + per_z * z
        # Natural recovery goes on after support: follow-ups add a multiple of it.
        level = intake[referral] + natural_extra * natural
        return _score(rng, level, change[referral], kind, noise, bounds, missing)

    scores = {
        "swemwbs": measure(
            shape.SWEMWBS_INTAKE, shape.SWEMWBS_CHANGE, (7, 35), shape.MEASURE_MISSING["swemwbs"]
        ),
        "life_satisfaction": measure(
            shape.LIFE_SATISFACTION_INTAKE,
            shape.LIFE_SATISFACTION_CHANGE,
            (0, 10),
            shape.MEASURE_MISSING["life_satisfaction"],
        ),
    }
    # People who were burgled or abused at home feel less safe from the start.
    unsafe_at_home = cases.domestic_abuse | (cases.crime == CRIME["burglary_residential"])
    for name in SCALES:
        scores[name] = measure(
            (shape.SCALE_INTAKE[name], *shape.SCALE_INTAKE_SPREAD),
            shape.SCALE_CHANGE,
            (1, 5),
            shape.MEASURE_MISSING["scale"],
            extra_effect=shape.INFORMATION_EXTRA_EFFECT if name == "information_choices" else 0.0,
            intake_shift=unsafe_at_home * shape.SAFETY_AT_HOME_SHIFT if name == "safety" else 0.0,
        )
    stage = np.where(kind >= FOLLOW_UP_MEDIUM, STAGE["follow_up"], kind)
    return Assessments(referral, stage, day, scores)


def draw_exit_surveys(rng: np.random.Generator, cases: Cases) -> ExitSurveys:
    rate = _closure_rate(shape.EXIT_SURVEY_RATE, cases.closure)
    referral = np.flatnonzero(present(cases.contact_day) & chance(rng, rate, cases.size))
    size = len(referral)
    z = cases.improvement[referral]
    day = cases.close_day[referral] + lag(rng, shape.lag_table(shape.SURVEY_LAG_DAYS), size)
    satisfaction = np.clip(np.rint(rng.normal(4.3 + 0.4 * z, 0.8)), 1, 5).astype(np.int64)
    listened = np.clip(np.rint(rng.normal(4.5 + 0.3 * z, 0.7)), 1, 5).astype(np.int64)
    family_probs = shape.probabilities(shape.FAMILY_BENEFITED_SHARES, contract.YES_NO_UNKNOWN)
    family = pick(rng, family_probs, size)
    family = np.where((z > 1) & (family == 1) & chance(rng, 0.5, size), 0, family)  # no -> yes
    goals = rng.poisson(shape.GOALS_MEAN, size).astype(np.int64)
    achieved_share = 1 / (1 + np.exp(-(0.7 + 0.8 * z)))
    achieved = rng.binomial(goals, achieved_share).astype(np.int64)
    no_goals = chance(rng, shape.GOALS_MISSING, size)
    return ExitSurveys(
        referral=referral,
        day=day,
        satisfaction=np.where(chance(rng, 0.03, size), -1, satisfaction),
        listened_to=np.where(chance(rng, 0.05, size), -1, listened),
        family_benefited=family,
        goals_set=np.where(no_goals, -1, goals),
        goals_achieved=np.where(no_goals, -1, achieved),
    )
