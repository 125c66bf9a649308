"""Support delivered (planned): the lead agency's services for every contacted case and the
partners' services for the agency referrals they accepted.

Target hardening (locks, alarms, sanctuary measures) goes to about half of burglary victims and
to some victims of domestic abuse, criminal damage, hate crime and doorstep crime, with its
direct cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metrics import contract
from metrics.generator import shape
from metrics.generator.cases import CLOSURE, CRIME, SERIOUS_CRIMES, Cases, extend_closure
from metrics.generator.days import NO_DATE, present
from metrics.generator.draws import between, chance
from metrics.generator.partners import AgencyReferrals

SERVICE = shape.SERVICE_INDEX
LEAD = shape.AGENCY_INDEX[shape.LEAD_AGENCY]
START_DAYS = {"target_hardening": (3, 21), "signposting": (0, 2)}
START_DAYS_OTHER = (0, 10)
END_DAYS = {  # (low, high) uniform, or a median for a lognormal duration
    "signposting": (0, 0),
    "target_hardening": (0, 7),
    "practical_help": (0, 14),
    "financial_advice": (0, 30),
    "criminal_justice_support": (30, 180),
    "restorative_justice": (20, 120),
}
END_MEDIAN_DAYS = {"emotional_support": 30, "advocacy": 60, "counselling": 70}


@dataclass
class Services:
    referral: np.ndarray
    agency: np.ndarray
    service_type: np.ndarray
    start_day: np.ndarray
    end_day: np.ndarray
    cost: np.ndarray  # NaN where no direct spend

    @property
    def size(self) -> int:
        return len(self.referral)


class _Rows:
    """Collects blocks of service rows: referral, agency, type, start and a set end (or none)."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, int, int, np.ndarray, np.ndarray]] = []

    def add(
        self,
        referral: np.ndarray,
        agency: int,
        service: str,
        start: np.ndarray,
        end: np.ndarray | None = None,
    ) -> None:
        end = np.full(len(referral), NO_DATE, dtype=np.int64) if end is None else end
        self.parts.append((referral, agency, SERVICE[service], start, end))

    def arrays(self) -> tuple[np.ndarray, ...]:
        """(referral, agency, service, start, end) in referral, start and type order."""
        referral = np.concatenate([p[0] for p in self.parts])
        agency = np.concatenate([np.full(len(p[0]), p[1], dtype=np.int64) for p in self.parts])
        service = np.concatenate([np.full(len(p[0]), p[2], dtype=np.int64) for p in self.parts])
        start = np.concatenate([p[3] for p in self.parts])
        end = np.concatenate([p[4] for p in self.parts])
        order = np.lexsort((service, start, referral))
        return referral[order], agency[order], service[order], start[order], end[order]


def _closure_rates(table: dict[str, float], closure: np.ndarray) -> np.ndarray:
    return shape.rates(table, contract.CLOSURE_REASONS)[closure]


def _lead_service_rates(cases: Cases) -> dict[str, np.ndarray]:
    closure = cases.closure
    crime = cases.crime
    declined = closure == CLOSURE["declined"]
    supported = ~declined
    older = np.isin(
        cases.victim_attribute("age"), [shape.AGE_INDEX["65-74"], shape.AGE_INDEX["75+"]]
    )
    burglary = crime == CRIME["burglary_residential"]
    rates = {
        name: _closure_rates(table, closure) for name, table in shape.LEAD_SERVICE_RATES.items()
    }
    rates["practical_help"] = np.where(
        burglary & supported,
        np.maximum(rates["practical_help"], shape.PRACTICAL_HELP_RATE_BURGLARY),
        rates["practical_help"],
    )
    rates["advocacy"] = supported * np.select(
        [cases.domestic_abuse, cases.enhanced_rights],
        [shape.ADVOCACY_RATE_DA, shape.ADVOCACY_RATE_ENHANCED],
        0.0,
    )
    rates["financial_advice"] = supported * np.where(
        crime == CRIME["fraud"],
        shape.FINANCIAL_ADVICE_RATE["fraud"],
        shape.FINANCIAL_ADVICE_RATE["other"],
    )
    rates["criminal_justice_support"] = (
        supported
        * present(cases.reported_day)
        * np.isin(crime, SERIOUS_CRIMES)
        * shape.CJ_SUPPORT_RATE
    )
    hardening = shape.TARGET_HARDENING_RATE
    doorstep = older & np.isin(crime, [CRIME["fraud"], CRIME["theft"]])
    other_hardening = np.maximum.reduce(
        [
            cases.domestic_abuse * hardening["domestic_abuse"],
            (crime == CRIME["criminal_damage"]) * hardening["criminal_damage"],
            cases.hate_crime * hardening["hate"],
            doorstep * shape.TARGET_HARDENING_OLDER_DOORSTEP,
        ]
    )
    rates["target_hardening"] = np.where(
        burglary,
        np.where(
            declined,
            shape.TARGET_HARDENING_RATE_DECLINED_BURGLARY,
            hardening["burglary_residential"],
        ),
        supported * other_hardening,
    )
    return rates


def _end_days(rng: np.random.Generator, service: np.ndarray, start: np.ndarray) -> np.ndarray:
    size = len(service)
    duration = np.zeros(size, dtype=np.int64)
    for name, (low, high) in END_DAYS.items():
        duration = np.where(service == SERVICE[name], between(rng, low, high, size), duration)
    lognormal = np.exp(0.6 * rng.standard_normal(size))
    for name, median in END_MEDIAN_DAYS.items():
        duration = np.where(
            service == SERVICE[name], np.rint(median * lognormal).astype(np.int64), duration
        )
    return start + duration


def _costs(rng: np.random.Generator, service: np.ndarray) -> np.ndarray:
    size = len(service)
    hardening = np.exp(
        np.log(shape.TARGET_HARDENING_COST_MEDIAN)
        + shape.TARGET_HARDENING_COST_SIGMA * rng.standard_normal(size)
    )
    practical = np.exp(np.log(shape.PRACTICAL_COST_MEDIAN) + 0.8 * rng.standard_normal(size))
    practical_spend = chance(rng, shape.PRACTICAL_COST_SHARE, size)
    cost = np.select(
        [
            service == SERVICE["target_hardening"],
            (service == SERVICE["practical_help"]) & practical_spend,
        ],
        [hardening, practical],
        np.nan,
    )
    return np.round(np.minimum(cost, shape.MAX_COST), 2)


def draw_services(
    rng: np.random.Generator, cases: Cases, partners: AgencyReferrals
) -> tuple[Services, np.ndarray]:
    """Services, and per referral whether target hardening was (planned to be) delivered."""
    rows = _Rows()
    contacted = present(cases.contact_day)
    base = cases.support_start_day
    for service, rate in _lead_service_rates(cases).items():
        chosen = np.flatnonzero(contacted & chance(rng, rate, cases.size))
        low, high = START_DAYS.get(service, START_DAYS_OTHER)
        rows.add(chosen, LEAD, service, base[chosen] + between(rng, low, high, len(chosen)))

    accepted = np.flatnonzero(partners.accepted)
    partner_start = np.where(
        present(partners.planned_contact_day),
        partners.planned_contact_day,
        partners.outcome_day + between(rng, 1, 10, partners.size),
    )
    # A partner's service runs until the partner's support ended (target hardening: days).
    partner_end = np.maximum(partners.ended_day, partner_start)
    for agency, offers in shape.PARTNER_SERVICES.items():
        code = shape.AGENCY_INDEX[agency]
        mine = accepted[partners.agency[accepted] == code]
        takes = [chance(rng, rate, len(mine)) for _, rate in offers]
        takes[0] |= ~np.logical_or.reduce(takes)  # every accepted referral gets a service
        for (service, _), take in zip(offers, takes, strict=True):
            chosen = mine[take]
            end = None if service == "target_hardening" else partner_end[chosen]
            rows.add(partners.referral[chosen], code, service, partner_start[chosen], end)

    referral, agency, service, start, set_end = rows.arrays()
    end = np.where(present(set_end), set_end, _end_days(rng, service, start))
    services = Services(referral, agency, service, start, end, _costs(rng, service))
    extend_closure(cases, referral, end)
    hardened = np.zeros(cases.size, dtype=bool)
    hardened[referral[service == SERVICE["target_hardening"]]] = True
    return services, hardened
