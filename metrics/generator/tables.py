"""Turn one chunk's planned journeys into contract tables as they stand at the as-of date.

The single censoring rule lives here: whatever is planned after the as-of date has not
happened. Open cases have no closed_date, undecided partner referrals are pending, services
still running have no end_date, and future assessments and surveys do not exist yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from metrics import contract
from metrics.generator import shape
from metrics.generator.cases import Cases
from metrics.generator.days import censor, present, where_present
from metrics.generator.health import HealthUse
from metrics.generator.measures import STAGE, Assessments, ExitSurveys
from metrics.generator.partners import OUTCOME, AgencyReferrals
from metrics.generator.repeats import RepeatCrimes
from metrics.generator.services import Services

ARROW_TYPES = {
    "text": pa.string(),
    "code": pa.string(),
    "month": pa.string(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "int": pa.int32(),
    "decimal": pa.float64(),
}
# Optional columns a hub storing raw SWEMWBS sums would not export.
OMITTED_COLUMNS = {"assessments": ("swemwbs_metric",)}
AREA_CODES = tuple(f"CSA{i + 1:02d}" for i in range(shape.AREA_COUNT))  # community safety areas
ID_WIDTH = 9
ID_PREFIXES = {
    "victims": "V",
    "referrals": "R",
    "agency_referrals": "AR",
    "services": "S",
    "assessments": "A",
    "repeat_crimes": "C",
}


def columns(table: str) -> tuple[str, ...]:
    omitted = OMITTED_COLUMNS.get(table, ())
    return tuple(c for c in contract.TABLES_BY_NAME[table].column_names if c not in omitted)


def schema(table: str) -> pa.Schema:
    spec = contract.TABLES_BY_NAME[table]
    return pa.schema([(name, ARROW_TYPES[spec.column(name).type]) for name in columns(table)])


@dataclass
class IdCounter:
    """Running numbers per id prefix, so ids stay unique across chunks."""

    next_number: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ID_PREFIXES, 1))

    def take(self, table: str, count: int) -> pa.Array:
        first = self.next_number[table]
        self.next_number[table] = first + count
        numbers = pa.array(np.arange(first, first + count, dtype=np.int64))
        padded = pc.utf8_lpad(pc.cast(numbers, pa.string()), ID_WIDTH, "0")
        return pc.binary_join_element_wise(ID_PREFIXES[table], padded, "")


def _codes(
    index: np.ndarray, codes: tuple[str, ...], missing: np.ndarray | None = None
) -> pa.Array:
    return pc.take(pa.array(codes, pa.string()), pa.array(index.astype(np.int32), mask=missing))


def _dates(days: np.ndarray) -> pa.Array:
    known = present(days)
    return pa.array(np.where(known, days, 0).astype(np.int32), type=pa.date32(), mask=~known)


def _ints(values: np.ndarray) -> pa.Array:
    """Whole numbers; negative values mark missing ones."""
    return pa.array(values.astype(np.int32), mask=values < 0)


def _decimals(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype(np.float64), mask=np.isnan(values))


def _take(ids: pa.Array, index: np.ndarray) -> pa.Array:
    return pc.take(ids, pa.array(index))


def _table(name: str, values: dict[str, pa.Array]) -> pa.Table:
    names = columns(name)
    return pa.Table.from_arrays([values[c] for c in names], schema=schema(name))


def victims_table(cases: Cases, victim_ids: pa.Array) -> pa.Table:
    people = cases.people
    return _table(
        "victims",
        {
            "victim_id": victim_ids,
            "age_band": _codes(people.age, contract.AGE_BANDS),
            "gender": _codes(people.gender, contract.GENDERS),
            "ethnic_group": _codes(people.ethnic_group, contract.ETHNIC_GROUPS),
            "disability": _codes(people.disability, contract.YES_NO_UNKNOWN),
            "lgbt": _codes(people.lgbt, contract.YES_NO_UNKNOWN),
            "area": _codes(np.maximum(people.area, 0), AREA_CODES, people.area < 0),
        },
    )


def referrals_table(
    cases: Cases, referral_ids: pa.Array, victim_ids: pa.Array, as_of: int
) -> pa.Table:
    closed = cases.close_day <= as_of
    return _table(
        "referrals",
        {
            "referral_id": referral_ids,
            "victim_id": _take(victim_ids, cases.people.victim),
            "crime_type": _codes(cases.crime, contract.CRIME_TYPES),
            "hate_crime": pa.array(cases.hate_crime),
            "domestic_abuse": pa.array(cases.domestic_abuse),
            "enhanced_rights": pa.array(cases.enhanced_rights),
            "source": _codes(cases.source, contract.REFERRAL_SOURCES),
            "crime_date": _dates(cases.crime_day),
            "reported_date": _dates(cases.reported_day),
            "consent_date": _dates(cases.consent_day),
            "referral_date": _dates(cases.referral_day),
            "first_contact_date": _dates(censor(cases.contact_day, as_of)),
            "assessment_date": _dates(censor(cases.assessment_day, as_of)),
            "closed_date": _dates(where_present(closed, cases.close_day)),
            "closure_reason": _codes(cases.closure, contract.CLOSURE_REASONS, ~closed),
        },
    )


def agency_referrals_table(
    partners: AgencyReferrals, referral_ids: pa.Array, ids: IdCounter, as_of: int
) -> pa.Table:
    keep = partners.sent_day <= as_of
    decided = partners.outcome_day[keep] <= as_of
    outcome = np.where(decided, partners.outcome[keep], OUTCOME["pending"])
    return _table(
        "agency_referrals",
        {
            "agency_referral_id": ids.take("agency_referrals", int(keep.sum())),
            "referral_id": _take(referral_ids, partners.referral[keep]),
            "agency": _codes(partners.agency[keep], contract.AGENCIES),
            "sent_date": _dates(partners.sent_day[keep]),
            "outcome": _codes(outcome, contract.AGENCY_OUTCOMES),
            "outcome_date": _dates(where_present(decided, partners.outcome_day[keep])),
            "first_contact_date": _dates(censor(partners.contact_day[keep], as_of)),
            "ended_date": _dates(censor(partners.ended_day[keep], as_of)),
        },
    )


def services_table(
    services: Services, referral_ids: pa.Array, ids: IdCounter, as_of: int
) -> pa.Table:
    keep = services.start_day <= as_of
    return _table(
        "services",
        {
            "service_id": ids.take("services", int(keep.sum())),
            "referral_id": _take(referral_ids, services.referral[keep]),
            "agency": _codes(services.agency[keep], contract.AGENCIES),
            "service_type": _codes(services.service_type[keep], contract.SERVICE_TYPES),
            "start_date": _dates(services.start_day[keep]),
            "end_date": _dates(censor(services.end_day[keep], as_of)),
            "cost_gbp": _decimals(services.cost[keep]),
        },
    )


def assessments_table(
    assessments: Assessments, cases: Cases, referral_ids: pa.Array, ids: IdCounter, as_of: int
) -> pa.Table:
    case_closed = cases.close_day[assessments.referral] <= as_of
    keep = (assessments.day <= as_of) & ((assessments.stage != STAGE["exit"]) | case_closed)
    values = {
        "assessment_id": ids.take("assessments", int(keep.sum())),
        "referral_id": _take(referral_ids, assessments.referral[keep]),
        "stage": _codes(assessments.stage[keep], contract.ASSESSMENT_STAGES),
        "assessment_date": _dates(assessments.day[keep]),
    }
    for column, scores in assessments.scores.items():
        values[column] = _ints(scores[keep])
    return _table("assessments", values)


def health_use_table(health: HealthUse, referral_ids: pa.Array) -> pa.Table:
    values = {
        "referral_id": _take(referral_ids, health.referral),
        "window": _codes(health.window, contract.HEALTH_WINDOWS),
        "source": _codes(health.source, contract.HEALTH_SOURCES),
    }
    for column, counts in health.contacts.items():
        values[column] = _ints(counts)
    return _table("health_use", values)


def repeat_crimes_table(crimes: RepeatCrimes, victim_ids: pa.Array, ids: IdCounter) -> pa.Table:
    return _table(
        "repeat_crimes",
        {
            "crime_ref": ids.take("repeat_crimes", crimes.size),
            "victim_id": _take(victim_ids, crimes.victim),
            "crime_date": _dates(crimes.day),
            "crime_type": _codes(crimes.crime, contract.CRIME_TYPES),
        },
    )


def exit_surveys_table(
    surveys: ExitSurveys, cases: Cases, referral_ids: pa.Array, as_of: int
) -> pa.Table:
    keep = (cases.close_day[surveys.referral] <= as_of) & (surveys.day <= as_of)
    return _table(
        "exit_surveys",
        {
            "referral_id": _take(referral_ids, surveys.referral[keep]),
            "survey_date": _dates(surveys.day[keep]),
            "satisfaction": _ints(surveys.satisfaction[keep]),
            "listened_to": _ints(surveys.listened_to[keep]),
            "family_benefited": _codes(surveys.family_benefited[keep], contract.YES_NO_UNKNOWN),
            "goals_set": _ints(surveys.goals_set[keep]),
            "goals_achieved": _ints(surveys.goals_achieved[keep]),
        },
    )
