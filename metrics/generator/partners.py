"""Internal referrals from the lead agency to the hub's partner agencies (planned journey).

Each partner takes its typical caseload: hate crime, people aged 65+, children and young
adults, LGBT+ people, cases going to court (witness care) and a minority with high mental
health need. The lead agency (victim support) is involved in every case and is never referred
to. Most redirected referrals are picked up by another partner a few working days later (no
wrong door); some of those land after the 10-working-day mark.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metrics import contract
from metrics.generator import shape
from metrics.generator.cases import CLOSURE, SERIOUS_CRIMES, YES, Cases, extend_closure
from metrics.generator.days import WorkingDays, present, where_present
from metrics.generator.draws import chance, lag, pick

AGENCY = shape.AGENCY_INDEX
OUTCOME = {code: i for i, code in enumerate(contract.AGENCY_OUTCOMES)}
MENTAL_HEALTH = AGENCY["nhs_mental_health"]


@dataclass
class AgencyReferrals:
    referral: np.ndarray  # referral index in the chunk
    agency: np.ndarray
    sent_day: np.ndarray
    outcome: np.ndarray  # planned outcome (pending only appears when cut at the as-of date)
    outcome_day: np.ndarray
    contact_day: np.ndarray  # recorded partner first contact (sometimes not recorded)
    planned_contact_day: np.ndarray  # when the partner's work started, recorded or not
    ended_day: np.ndarray

    @property
    def size(self) -> int:
        return len(self.referral)

    @property
    def accepted(self) -> np.ndarray:
        return self.outcome == OUTCOME["accepted"]


def _agency_rates(cases: Cases) -> dict[str, np.ndarray]:
    """Per referral, the chance of a referral to each partner agency."""
    age = cases.victim_attribute("age")
    lgbt = cases.victim_attribute("lgbt") == YES
    older = np.isin(age, [shape.AGE_INDEX["65-74"], shape.AGE_INDEX["75+"]])
    serious = np.isin(cases.crime, SERIOUS_CRIMES) | cases.domestic_abuse
    young_rate = np.select(
        [age == shape.AGE_INDEX["0-17"], age == shape.AGE_INDEX["18-24"]],
        [shape.AGENCY_RATE_YOUNG["0-17"], shape.AGENCY_RATE_YOUNG["18-24"]],
        0.0,
    )
    lgbt_rate = np.where(
        cases.hate_crime, shape.AGENCY_RATE_LGBT["hate"], shape.AGENCY_RATE_LGBT["other"]
    )
    witness_rate = np.where(
        serious, shape.AGENCY_RATE_WITNESS_SERIOUS, shape.AGENCY_RATE_WITNESS_OTHER
    )
    return {
        "hate_crime": cases.hate_crime * shape.AGENCY_RATE_HATE,
        "older_people": older * shape.AGENCY_RATE_OLDER,
        "young_people": young_rate,
        "lgbt": lgbt * lgbt_rate,
        "witness_care": present(cases.reported_day) * witness_rate,
        "nhs_mental_health": cases.high_need * shape.AGENCY_RATE_MENTAL_HEALTH,
    }


def _lognormal_days(rng: np.random.Generator, median: np.ndarray, sigma: float) -> np.ndarray:
    draws = np.exp(np.log(median) + sigma * rng.standard_normal(len(median)))
    return np.rint(draws).astype(np.int64)


def _with_pick_ups(
    rng: np.random.Generator, wd: WorkingDays, eligible: np.ndarray, referral: np.ndarray,
    agency: np.ndarray, sent: np.ndarray, outcome: np.ndarray, outcome_day: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Add the referrals that pick up a redirect: another partner whose caseload the person
    fits and that the case has not been sent to (so never the one that redirected), sent a
    few working days after the redirect and accepted as any other. `eligible`: per
    referral and agency code, whether the agency takes such cases. Rows stay in
    (referral, agency, sent) order."""
    redirected = np.flatnonzero(outcome == OUTCOME["redirected"])
    picked = redirected[chance(rng, shape.REDIRECT_PICKED_UP, len(redirected))]
    already = np.zeros_like(eligible)
    already[referral, agency] = True
    candidates = eligible[referral[picked]] & ~already[referral[picked]]
    choice = np.argmax(rng.random(candidates.shape) * candidates, axis=1)
    found = candidates.any(axis=1)
    picked, new_agency = picked[found], choice[found]
    n = len(picked)
    new_sent = wd.after(outcome_day[picked], lag(rng, shape.lag_table(shape.REDIRECT_SEND_WD), n))
    new_outcome_day = wd.after(new_sent, lag(rng, shape.lag_table(shape.ACCEPT_WD), n))
    columns = (
        np.concatenate([referral, referral[picked]]),
        np.concatenate([agency, new_agency]),
        np.concatenate([sent, new_sent]),
        np.concatenate([outcome, np.full(n, OUTCOME["accepted"], dtype=outcome.dtype)]),
        np.concatenate([outcome_day, new_outcome_day]),
    )
    order = np.lexsort((columns[2], columns[1], columns[0]))
    return tuple(column[order] for column in columns)


def draw_agency_referrals(
    rng: np.random.Generator, cases: Cases, wd: WorkingDays
) -> AgencyReferrals:
    engaged = present(cases.assessment_day) & np.isin(
        cases.closure, [CLOSURE["support_completed"], CLOSURE["transferred"], CLOSURE["other"]]
    )
    referral_parts, agency_parts = [], []
    rates = _agency_rates(cases)
    eligible = np.zeros((cases.size, len(contract.AGENCIES)), dtype=bool)
    for agency, rate in rates.items():
        eligible[:, AGENCY[agency]] = engaged & (np.asarray(rate) > 0)
    for agency, rate in rates.items():
        chosen = np.flatnonzero(engaged & chance(rng, rate, cases.size))
        referral_parts.append(chosen)
        agency_parts.append(np.full(len(chosen), AGENCY[agency], dtype=np.int64))
    referral = np.concatenate(referral_parts)
    agency = np.concatenate(agency_parts)
    order = np.lexsort((agency, referral))
    referral, agency = referral[order], agency[order]
    size = len(referral)

    sent = wd.after(cases.assessment_day[referral], lag(rng, shape.lag_table(shape.SEND_WD), size))
    decided = list(shape.AGENCY_OUTCOME_SHARES)
    outcome_probs = np.array([shape.AGENCY_OUTCOME_SHARES[code] for code in decided])
    outcome = np.array([OUTCOME[code] for code in decided])[pick(rng, outcome_probs, size)]
    accepted = outcome == OUTCOME["accepted"]
    outcome_day = np.where(
        accepted,
        wd.after(sent, lag(rng, shape.lag_table(shape.ACCEPT_WD), size)),
        wd.after(sent, lag(rng, shape.lag_table(shape.OTHER_OUTCOME_WD), size)),
    )
    referral, agency, sent, outcome, outcome_day = _with_pick_ups(
        rng, wd, eligible, referral, agency, sent, outcome, outcome_day)
    size = len(referral)
    accepted = outcome == OUTCOME["accepted"]
    mental_health_contact = np.maximum(
        wd.after(sent, lag(rng, shape.lag_table(shape.MENTAL_HEALTH_CONTACT_WD), size)),
        outcome_day,
    )
    other_contact = wd.after(outcome_day, lag(rng, shape.lag_table(shape.PARTNER_CONTACT_WD), size))
    planned_contact = where_present(
        accepted, np.where(agency == MENTAL_HEALTH, mental_health_contact, other_contact)
    )
    recorded = chance(rng, 1 - shape.PARTNER_CONTACT_MISSING, size)
    median = np.where(
        agency == MENTAL_HEALTH,
        shape.PARTNER_MEDIAN_DAYS["nhs_mental_health"],
        shape.PARTNER_MEDIAN_DAYS_OTHER,
    ).astype(float)
    ended = where_present(accepted, planned_contact + _lognormal_days(rng, median, 0.6))
    result = AgencyReferrals(
        referral=referral,
        agency=agency,
        sent_day=sent,
        outcome=outcome,
        outcome_day=outcome_day,
        contact_day=where_present(recorded, planned_contact),
        planned_contact_day=planned_contact,
        ended_day=ended,
    )
    extend_closure(cases, referral, np.maximum(outcome_day, ended))
    return result
