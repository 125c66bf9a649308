"""Each referral's flags and its planned journey: report, consent, referral, contact,
assessment and closure, before anything is cut at the as-of date.

"Planned" dates are the whole future of a case; ``tables`` later blanks what has not happened
by the as-of date, so open cases, pending decisions and missing follow-ups come out of one rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metrics import contract
from metrics.generator import shape
from metrics.generator.days import WorkingDays, present, where_present
from metrics.generator.draws import between, chance, lag, pick_by_row
from metrics.generator.people import People

CRIME = shape.CRIME_INDEX
CLOSURE = shape.CLOSURE_INDEX
SOURCE = {code: i for i, code in enumerate(contract.REFERRAL_SOURCES)}
YES = contract.YES_NO_UNKNOWN.index("yes")
MINORITY_ETHNIC = [contract.ETHNIC_GROUPS.index(g) for g in ("asian", "black", "mixed", "other")]
SERIOUS_CRIMES = [
    CRIME[c]
    for c in (
        "violence_with_injury",
        "violence_without_injury",
        "sexual_offence",
        "robbery",
        "stalking_harassment",
    )
]


@dataclass
class Cases:
    """One chunk's referrals: people, flags and the planned journey (day numbers)."""

    people: People
    hate_crime: np.ndarray
    enhanced_rights: np.ndarray
    source: np.ndarray
    crime_day: np.ndarray
    reported_day: np.ndarray
    consent_day: np.ndarray
    referral_day: np.ndarray
    closure: np.ndarray  # planned closure reason index
    contact_day: np.ndarray  # planned lead-agency first contact
    assessment_day: np.ndarray  # planned needs assessment
    close_day: np.ndarray  # planned closure, pushed later by partner work and services
    distress: np.ndarray  # latent: lower wellbeing at intake, more NHS use, mental health need
    improvement: np.ndarray  # latent: how much this person gains from support
    measured: np.ndarray  # outcome measures taken at intake

    @property
    def size(self) -> int:
        return len(self.referral_day)

    @property
    def crime(self) -> np.ndarray:
        return self.people.crime

    @property
    def domestic_abuse(self) -> np.ndarray:
        return self.people.domestic_abuse

    def victim_attribute(self, name: str) -> np.ndarray:
        """A victim column (age, lgbt, ...) laid out per referral."""
        return getattr(self.people, name)[self.people.victim]

    @property
    def high_need(self) -> np.ndarray:
        return self.distress > shape.HIGH_NEED

    @property
    def support_start_day(self) -> np.ndarray:
        """The later of first contact and assessment (the referral day if neither)."""
        return np.maximum(np.maximum(self.contact_day, self.assessment_day), self.referral_day)


def _flags(rng: np.random.Generator, people: People) -> tuple[np.ndarray, np.ndarray]:
    size = people.referrals
    crime = people.crime
    ethnic = people.ethnic_group[people.victim]
    lgbt = people.lgbt[people.victim]
    disability = people.disability[people.victim]
    age = people.age[people.victim]
    hate_rate = shape.rates(shape.HATE_RATE, contract.CRIME_TYPES, shape.HATE_RATE_OTHER)[crime]
    hate_rate = hate_rate * np.where(
        np.isin(ethnic, MINORITY_ETHNIC), shape.HATE_MULTIPLIER_MINORITY_ETHNIC, 1.0
    )
    hate_rate = hate_rate * np.where(lgbt == YES, shape.HATE_MULTIPLIER_LGBT, 1.0)
    hate_rate = hate_rate * np.where(disability == YES, shape.HATE_MULTIPLIER_DISABLED, 1.0)
    hate = chance(rng, np.minimum(hate_rate, 0.8), size)

    enhanced_rate = np.select(
        [
            people.domestic_abuse | (crime == CRIME["sexual_offence"]),
            age == shape.AGE_INDEX["0-17"],
            people.victim_referrals > 1,
            disability == YES,
            np.isin(crime, [CRIME["violence_with_injury"], CRIME["robbery"]]),
        ],
        [
            shape.ENHANCED_RATE_DA_SEXUAL,
            shape.ENHANCED_RATE_CHILD,
            shape.ENHANCED_RATE_REPEAT_VICTIM,
            shape.ENHANCED_RATE_DISABLED,
            shape.ENHANCED_RATE_SERIOUS,
        ],
        shape.ENHANCED_RATE_OTHER,
    )
    return hate, chance(rng, enhanced_rate, size)


def _report_dates(
    rng: np.random.Generator, people: People, source: np.ndarray, wd: WorkingDays
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(crime_day, reported_day, consent_day), each possibly missing."""
    size = people.referrals
    referral = people.referral_day
    sexual = people.crime == CRIME["sexual_offence"]
    police = source == SOURCE["police"]
    needs_consent = police & (people.domestic_abuse | sexual)

    police_lag = lag(rng, shape.lag_table(shape.POLICE_REFERRAL_WD), size)
    passed_on = wd.before(referral, police_lag)  # the report, or the consent where needed
    consent_lag = lag(rng, shape.lag_table(shape.CONSENT_LAG_DAYS), size)
    police_report = np.where(needs_consent, passed_on - consent_lag, passed_on)
    consent = where_present(needs_consent & chance(rng, shape.CONSENT_RECORDED, size), passed_on)

    not_police_rate = np.zeros(size)
    for code, rate in shape.REPORTED_SHARE_NOT_POLICE.items():
        not_police_rate[source == SOURCE[code]] = rate
    other_report = referral - lag(rng, shape.lag_table(shape.NOT_POLICE_REPORTED_LAG_DAYS), size)
    reported = np.where(police, police_report, other_report)
    reported_recorded = np.where(
        police,
        chance(rng, shape.REPORTED_RECORDED_POLICE, size),
        chance(rng, not_police_rate, size),
    )
    reported = where_present(reported_recorded, reported)

    crime_lag = lag(rng, shape.lag_table(shape.CRIME_TO_REPORT_DAYS), size)
    historic = sexual & chance(rng, shape.HISTORIC_SEXUAL_SHARE, size)
    crime_lag = np.where(historic, between(rng, *shape.HISTORIC_DAYS, size), crime_lag)
    known_report = np.where(present(reported), reported, np.where(police, police_report, referral))
    crime = where_present(chance(rng, shape.CRIME_DATE_RECORDED, size), known_report - crime_lag)
    return crime, reported, consent


def _planned_closure(
    rng: np.random.Generator,
    closure: np.ndarray,
    referral: np.ndarray,
    contact: np.ndarray,
    assessment: np.ndarray,
    enhanced: np.ndarray,
) -> np.ndarray:
    size = len(closure)
    start = np.maximum(np.maximum(contact, assessment), referral)
    support_days = np.exp(
        np.log(shape.SUPPORT_MEDIAN_DAYS) + shape.SUPPORT_SIGMA * rng.standard_normal(size)
    )
    support_days = support_days * np.where(enhanced, shape.SUPPORT_ENHANCED_FACTOR, 1.0)
    support_days = np.minimum(np.rint(support_days), shape.SUPPORT_MAX_DAYS).astype(np.int64)
    completed = np.where(
        present(assessment),
        start + support_days,
        start + between(rng, *shape.BRIEF_SUPPORT_DAYS, size),
    )
    return np.select(
        [
            closure == CLOSURE["unable_to_contact"],
            closure == CLOSURE["declined"],
            closure == CLOSURE["transferred"],
            closure == CLOSURE["other"],
        ],
        [
            referral + between(rng, *shape.UNABLE_TO_CONTACT_DAYS, size),
            start + between(rng, *shape.DECLINED_DAYS, size),
            start + between(rng, *shape.TRANSFERRED_DAYS, size),
            start + between(rng, *shape.OTHER_CLOSURE_DAYS, size),
        ],
        completed,
    )


def draw_cases(rng: np.random.Generator, people: People, wd: WorkingDays) -> Cases:
    size = people.referrals
    referral = people.referral_day
    hate, enhanced = _flags(rng, people)
    source_matrix = np.vstack(
        [
            shape.probabilities(shape.SOURCE_SHARES, contract.REFERRAL_SOURCES),
            shape.probabilities(shape.SOURCE_SHARES_SEXUAL, contract.REFERRAL_SOURCES),
        ]
    )
    source = pick_by_row(rng, source_matrix, (people.crime == CRIME["sexual_offence"]).astype(int))
    crime_day, reported, consent = _report_dates(rng, people, source, wd)

    closure_matrix = np.vstack(
        [
            shape.probabilities(shape.CLOSURE_SHARES, contract.CLOSURE_REASONS),
            shape.probabilities(shape.CLOSURE_SHARES_SELF_REFERRED, contract.CLOSURE_REASONS),
        ]
    )
    closure = pick_by_row(rng, closure_matrix, (source == SOURCE["self"]).astype(int))
    reached = closure != CLOSURE["unable_to_contact"]
    contact = where_present(
        reached, wd.after(referral, lag(rng, shape.lag_table(shape.FIRST_CONTACT_WD), size))
    )
    assessed_rate = shape.rates(shape.ASSESSED_RATE, contract.CLOSURE_REASONS)[closure]
    assessment = where_present(
        reached & chance(rng, assessed_rate, size),
        wd.after(contact, lag(rng, shape.lag_table(shape.ASSESSMENT_WD), size)),
    )
    close = _planned_closure(rng, closure, referral, contact, assessment, enhanced)

    distress = (
        rng.standard_normal(size)
        + shape.DISTRESS_DA_SEXUAL
        * (people.domestic_abuse | (people.crime == CRIME["sexual_offence"]))
        + shape.DISTRESS_ENHANCED * enhanced
    )
    measured_rate = shape.rates(shape.MEASURED_RATE, contract.CLOSURE_REASONS)[closure]
    return Cases(
        people=people,
        hate_crime=hate,
        enhanced_rights=enhanced,
        source=source,
        crime_day=crime_day,
        reported_day=reported,
        consent_day=consent,
        referral_day=referral,
        closure=closure,
        contact_day=contact,
        assessment_day=assessment,
        close_day=close,
        distress=distress,
        improvement=rng.standard_normal(size),
        measured=present(assessment) & chance(rng, measured_rate, size),
    )


def extend_closure(cases: Cases, referral_index: np.ndarray, days: np.ndarray) -> None:
    """A case closes no earlier than the last planned event of its partners and services."""
    np.maximum.at(cases.close_day, referral_index, days)
