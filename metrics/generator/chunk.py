"""One chunk of referrals, from its own random streams, as contract tables.

A chunk's draws depend only on (seed, chunk number, step), so output is the same whatever
else runs, and ids run on from the previous chunk through one ``IdCounter``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from metrics.generator import tables
from metrics.generator.cases import draw_cases
from metrics.generator.days import WorkingDays
from metrics.generator.draws import CHUNK_STREAM, stream
from metrics.generator.health import draw_health_use
from metrics.generator.measures import draw_assessments, draw_exit_surveys
from metrics.generator.partners import draw_agency_referrals
from metrics.generator.people import DayWeights, draw_people
from metrics.generator.repeats import draw_repeat_crimes
from metrics.generator.services import draw_services

STEPS = (
    "people",
    "cases",
    "agency_referrals",
    "services",
    "assessments",
    "exit_surveys",
    "health_use",
    "repeat_crimes",
)


@dataclass(frozen=True)
class Setting:
    """What every chunk shares: seed, dates (day numbers) and calendars."""

    seed: int
    as_of: int
    repeat_crimes_coverage: int
    health_use_coverage: int
    weights: DayWeights
    wd: WorkingDays


def build_chunk(
    setting: Setting, number: int, size: int, ids: tables.IdCounter
) -> dict[str, pa.Table]:
    def rng(step: str):
        return stream(setting.seed, CHUNK_STREAM, number, STEPS.index(step))

    as_of = setting.as_of
    people = draw_people(rng("people"), size, setting.weights, setting.wd)
    cases = draw_cases(rng("cases"), people, setting.wd)
    partners = draw_agency_referrals(rng("agency_referrals"), cases, setting.wd)
    services, hardened = draw_services(rng("services"), cases, partners)
    assessments = draw_assessments(rng("assessments"), cases)
    surveys = draw_exit_surveys(rng("exit_surveys"), cases)
    health = draw_health_use(rng("health_use"), cases, as_of, setting.health_use_coverage)
    repeats = draw_repeat_crimes(
        rng("repeat_crimes"), cases, hardened, setting.repeat_crimes_coverage
    )

    victim_ids = ids.take("victims", people.victims)
    referral_ids = ids.take("referrals", people.referrals)
    return {
        "victims": tables.victims_table(cases, victim_ids),
        "referrals": tables.referrals_table(cases, referral_ids, victim_ids, as_of),
        "agency_referrals": tables.agency_referrals_table(partners, referral_ids, ids, as_of),
        "services": tables.services_table(services, referral_ids, ids, as_of),
        "assessments": tables.assessments_table(assessments, cases, referral_ids, ids, as_of),
        "health_use": tables.health_use_table(health, referral_ids),
        "repeat_crimes": tables.repeat_crimes_table(repeats, victim_ids, ids),
        "exit_surveys": tables.exit_surveys_table(surveys, cases, referral_ids, as_of),
    }
