"""The shape of a synthetic hub: every share, lag and rate the generator draws from.

Shares follow the public figures in the project's reference notes where they
exist (repeat rates from the assumptions register, Victims' Code timeliness,
follow-up attrition) and are otherwise plausible local choices, written down
here so the documentation can quote them. Code tuples come from
``metrics.contract``; the dictionaries below are keyed by those codes.
"""

from __future__ import annotations

import numpy as np

from metrics import contract

# ---- people -----------------------------------------------------------------------------

AGE_SHARES = {  # victims at first referral
    "0-17": 0.08,
    "18-24": 0.14,
    "25-34": 0.21,
    "35-44": 0.18,
    "45-54": 0.15,
    "55-64": 0.10,
    "65-74": 0.06,
    "75+": 0.05,
    "unknown": 0.03,
}
AGE_SHARES_FRAUD = {  # fraud victims are older
    "0-17": 0.01,
    "18-24": 0.06,
    "25-34": 0.12,
    "35-44": 0.13,
    "45-54": 0.15,
    "55-64": 0.16,
    "65-74": 0.16,
    "75+": 0.18,
    "unknown": 0.03,
}
AGE_SHARES_SEXUAL = {  # sexual offence victims are younger
    "0-17": 0.22,
    "18-24": 0.25,
    "25-34": 0.22,
    "35-44": 0.13,
    "45-54": 0.08,
    "55-64": 0.04,
    "65-74": 0.02,
    "75+": 0.01,
    "unknown": 0.03,
}
GENDER_SHARES = {
    "female": 0.47,
    "male": 0.50,
    "non_binary": 0.004,
    "other": 0.003,
    "unknown": 0.023,
}
GENDER_SHARES_DA_SEXUAL = {
    "female": 0.82,
    "male": 0.155,
    "non_binary": 0.004,
    "other": 0.001,
    "unknown": 0.02,
}
ETHNIC_SHARES = {
    "asian": 0.09,
    "black": 0.05,
    "mixed": 0.03,
    "white": 0.78,
    "other": 0.02,
    "unknown": 0.03,
}
DISABILITY_SHARES = {"yes": 0.19, "no": 0.71, "unknown": 0.10}
DISABILITY_SHARES_65_PLUS = {"yes": 0.36, "no": 0.56, "unknown": 0.08}
LGBT_SHARES = {"yes": 0.05, "no": 0.72, "unknown": 0.23}
AREA_COUNT = 20  # community safety areas CSA01..CSA20, larger ones first
AREA_MISSING = 0.03

# Repeat referrals: share of victims referred more than once, and the mean number of extra
# referrals (geometric). Persistently targeted people are mostly victims of domestic abuse.
REPEAT_VICTIM_SHARE = {"domestic_abuse": 0.20, "other": 0.07}
EXTRA_REFERRALS_P = 0.6  # geometric success probability: mean extra referrals 1 / 0.6
REPEAT_SAME_CRIME = 0.6  # a repeat referral is for the same kind of crime
REPEAT_SPREAD_DAYS = 180  # a victim's referrals fall within +/- this many days of an anchor

# ---- crimes and referrals ------------------------------------------------------------------

CRIME_SHARES = {
    "violence_with_injury": 0.14,
    "violence_without_injury": 0.20,
    "sexual_offence": 0.06,
    "robbery": 0.03,
    "burglary_residential": 0.09,
    "theft": 0.13,
    "vehicle_crime": 0.05,
    "criminal_damage": 0.10,
    "fraud": 0.07,
    "stalking_harassment": 0.08,
    "antisocial_behaviour": 0.03,
    "other": 0.02,
}
DOMESTIC_ABUSE_RATE = {  # share of each crime type flagged domestic abuse (about 22 % overall)
    "violence_with_injury": 0.38,
    "violence_without_injury": 0.34,
    "sexual_offence": 0.30,
    "stalking_harassment": 0.46,
    "criminal_damage": 0.12,
}
DOMESTIC_ABUSE_RATE_OTHER = 0.02
HATE_RATE = {  # before the multipliers below; about 5 % overall
    "violence_with_injury": 0.035,
    "violence_without_injury": 0.055,
    "criminal_damage": 0.045,
    "stalking_harassment": 0.055,
    "antisocial_behaviour": 0.07,
    "robbery": 0.02,
}
HATE_RATE_OTHER = 0.007
HATE_MULTIPLIER_MINORITY_ETHNIC = 2.5
HATE_MULTIPLIER_LGBT = 3.0
HATE_MULTIPLIER_DISABLED = 1.5

SOURCE_SHARES = {"police": 0.80, "self": 0.09, "partner_agency": 0.09, "other": 0.02}
SOURCE_SHARES_SEXUAL = {"police": 0.62, "self": 0.20, "partner_agency": 0.16, "other": 0.02}

# Victims' Code enhanced rights (about 30 %): most serious crime, persistently targeted,
# vulnerable or intimidated.
ENHANCED_RATE_DA_SEXUAL = 0.85
ENHANCED_RATE_CHILD = 0.70
ENHANCED_RATE_REPEAT_VICTIM = 0.25
ENHANCED_RATE_DISABLED = 0.20
ENHANCED_RATE_SERIOUS = 0.12  # violence with injury, robbery
ENHANCED_RATE_OTHER = 0.03

SEASONALITY = 0.07  # monthly volume = 1 + SEASONALITY * cos(2 pi (month - 7) / 12): summer peak
NON_WORKING_DAY_WEIGHT = 0.25  # referrals arrive on weekends and bank holidays at this rate

# Lags: {value or (low, high) range: probability}; ranges spread evenly over their values.
POLICE_REFERRAL_WD = {0: 0.36, 1: 0.34, 2: 0.12, (3, 5): 0.10, (6, 15): 0.08}
CONSENT_RECORDED = 0.92  # consent_date present where consent was needed
CONSENT_LAG_DAYS = {0: 0.45, 1: 0.15, (2, 7): 0.25, (8, 30): 0.15}
REPORTED_RECORDED_POLICE = 0.97
REPORTED_SHARE_NOT_POLICE = {"self": 0.45, "partner_agency": 0.60, "other": 0.40}
NOT_POLICE_REPORTED_LAG_DAYS = {(0, 7): 0.4, (8, 60): 0.45, (61, 365): 0.15}
CRIME_DATE_RECORDED = 0.95
CRIME_TO_REPORT_DAYS = {0: 0.55, 1: 0.20, (2, 7): 0.13, (8, 60): 0.12}
HISTORIC_SEXUAL_SHARE = 0.15  # reported years later
HISTORIC_DAYS = (365, 3650)

# ---- the journey ---------------------------------------------------------------------------

CLOSURE_SHARES = {
    "support_completed": 0.60,
    "declined": 0.18,
    "unable_to_contact": 0.13,
    "transferred": 0.05,
    "other": 0.04,
}
CLOSURE_SHARES_SELF_REFERRED = {
    "support_completed": 0.72,
    "declined": 0.12,
    "unable_to_contact": 0.04,
    "transferred": 0.07,
    "other": 0.05,
}
FIRST_CONTACT_WD = {0: 0.30, 1: 0.35, 2: 0.17, (3, 4): 0.10, (5, 10): 0.08}
ASSESSMENT_WD = {0: 0.35, 1: 0.15, (2, 5): 0.30, (6, 15): 0.20}
ASSESSED_RATE = {  # needs assessment done, by eventual closure
    "support_completed": 0.92,
    "declined": 0.35,
    "unable_to_contact": 0.0,
    "transferred": 0.80,
    "other": 0.40,
}
UNABLE_TO_CONTACT_DAYS = (14, 35)  # attempts over a few weeks, then closed
DECLINED_DAYS = (0, 10)
TRANSFERRED_DAYS = (3, 45)
OTHER_CLOSURE_DAYS = (5, 90)
BRIEF_SUPPORT_DAYS = (0, 14)  # completed without a needs assessment: information, signposting
SUPPORT_MEDIAN_DAYS = 40  # completed after assessment: lognormal
SUPPORT_SIGMA = 0.7
SUPPORT_ENHANCED_FACTOR = 1.7
SUPPORT_MAX_DAYS = 540

DISTRESS_DA_SEXUAL = 0.5  # latent distress shift; high need = distress above HIGH_NEED
DISTRESS_ENHANCED = 0.3
HIGH_NEED = 1.6

# ---- partner agencies ------------------------------------------------------------------------

LEAD_AGENCY = "victim_support"
AGENCY_RATE_HATE = 0.80
AGENCY_RATE_OLDER = 0.45  # 65+
AGENCY_RATE_YOUNG = {"0-17": 0.70, "18-24": 0.25}
AGENCY_RATE_LGBT = {"hate": 0.60, "other": 0.25}  # lgbt 'yes'
AGENCY_RATE_WITNESS_SERIOUS = 0.15  # police-reported violence, sexual, robbery, stalking, DA
AGENCY_RATE_WITNESS_OTHER = 0.03
AGENCY_RATE_MENTAL_HEALTH = 0.65  # high need
SEND_WD = {0: 0.30, 1: 0.30, 2: 0.15, (3, 5): 0.15, (6, 15): 0.10}
AGENCY_OUTCOME_SHARES = {"accepted": 0.82, "declined": 0.07, "withdrawn": 0.05, "redirected": 0.06}
ACCEPT_WD = {0: 0.25, 1: 0.30, 2: 0.15, (3, 5): 0.18, (6, 12): 0.12}
OTHER_OUTCOME_WD = {(0, 10): 1.0}
PARTNER_CONTACT_WD = {0: 0.3, 1: 0.3, (2, 5): 0.4}
MENTAL_HEALTH_CONTACT_WD = {(1, 5): 0.35, (6, 10): 0.35, (11, 25): 0.30}
PARTNER_CONTACT_MISSING = 0.05
PARTNER_MEDIAN_DAYS = {"nhs_mental_health": 70}
PARTNER_MEDIAN_DAYS_OTHER = 40
# no wrong door: most redirected referrals are sent on to another partner within a few
# working days and accepted as any other (a minority of those land after 10 working days)
REDIRECT_PICKED_UP = 0.75
REDIRECT_SEND_WD = {0: 0.35, 1: 0.30, (2, 5): 0.35}

# ---- services --------------------------------------------------------------------------------

# Lead-agency services: (service_type, probability) per eventual closure, for contacted cases.
LEAD_SERVICE_RATES = {
    "emotional_support": {
        "support_completed": 0.75,
        "transferred": 0.40,
        "declined": 0.05,
        "other": 0.30,
    },
    "practical_help": {"support_completed": 0.30, "transferred": 0.10, "other": 0.15},
    "signposting": {
        "support_completed": 0.30,
        "transferred": 0.30,
        "declined": 0.50,
        "other": 0.30,
    },
    "restorative_justice": {"support_completed": 0.015},
}
ADVOCACY_RATE_DA = 0.50
ADVOCACY_RATE_ENHANCED = 0.15
FINANCIAL_ADVICE_RATE = {"fraud": 0.45, "other": 0.04}
CJ_SUPPORT_RATE = 0.08  # lead agency, police-reported serious cases
PRACTICAL_HELP_RATE_BURGLARY = 0.55
# Target hardening (locks, alarms, sanctuary): about half of burglary victims.
TARGET_HARDENING_RATE = {
    "burglary_residential": 0.72,
    "domestic_abuse": 0.15,
    "criminal_damage": 0.10,
    "hate": 0.12,
}
TARGET_HARDENING_RATE_DECLINED_BURGLARY = 0.15
TARGET_HARDENING_OLDER_DOORSTEP = 0.05  # 65+ fraud or theft victims
TARGET_HARDENING_COST_MEDIAN = 180.0
TARGET_HARDENING_COST_SIGMA = 0.6
PRACTICAL_COST_SHARE = 0.30
PRACTICAL_COST_MEDIAN = 60.0
MAX_COST = 2500.0
# Per accepted agency referral: (service_type, probability); the first is the fallback.
PARTNER_SERVICES = {
    "hate_crime": (("advocacy", 0.7), ("emotional_support", 0.6)),
    "older_people": (
        ("practical_help", 0.6),
        ("emotional_support", 0.5),
        ("target_hardening", 0.15),
    ),
    "young_people": (("emotional_support", 0.8), ("counselling", 0.3)),
    "lgbt": (("emotional_support", 0.7), ("advocacy", 0.4)),
    "witness_care": (("criminal_justice_support", 1.0),),
    "nhs_mental_health": (("counselling", 1.0),),
}

# ---- measures --------------------------------------------------------------------------------

MEASURED_RATE = {  # outcome measures taken at intake, among assessed cases
    "support_completed": 0.70,
    "declined": 0.60,
    "unable_to_contact": 0.0,
    "transferred": 0.40,
    "other": 0.40,
}
EXIT_RATE = {"support_completed": 0.85, "declined": 0.60, "transferred": 0.40, "other": 0.50}
REVIEW_EVERY_DAYS = 60
REVIEW_RATE = 0.6
# Follow-ups after closure (heavy attrition: most people do not answer).
FOLLOW_UP_MEDIUM_RATE = {"support_completed": 0.36, "declined": 0.12}
FOLLOW_UP_LONG_RATE = {"support_completed": 0.22, "declined": 0.06}
FOLLOW_UP_MEDIUM_DAYS = (182, 45, 75, 360)  # mean, sd, min, max after closed_date
FOLLOW_UP_LONG_DAYS = (420, 45, 350, 720)
SUPPORT_EFFECT = {  # share of the full support effect by closure
    "support_completed": 1.0,
    "declined": 0.25,
    "unable_to_contact": 0.0,
    "transferred": 0.5,
    "other": 0.5,
}
SWEMWBS_INTAKE = (21.0, 3.0, 3.5)  # mean, per unit of distress, sd (raw 7..35)
SWEMWBS_CHANGE = (0.8, 2.4, 2.0, 2.5)  # natural recovery, full support effect, per z, noise
LIFE_SATISFACTION_INTAKE = (5.5, 1.2, 1.8)
LIFE_SATISFACTION_CHANGE = (0.1, 0.45, 0.6, 1.1)
SCALE_INTAKE = {  # 1..5 scales: mean at intake
    "health_wellbeing": 2.9,
    "safety": 2.6,
    "coping": 2.7,
    "information_choices": 2.3,
    "daily_activities": 2.9,
}
SCALE_INTAKE_SPREAD = (0.6, 0.9)  # per unit of distress, sd
SAFETY_AT_HOME_SHIFT = -0.4  # burglary and domestic abuse victims feel less safe at intake
SCALE_CHANGE = (0.2, 0.8, 0.5, 0.7)
INFORMATION_EXTRA_EFFECT = 0.4  # support informs people more than it changes anything else
# Follow-ups: share of the exit change kept, and further natural recovery (in units of the
# measure's natural recovery during support).
FOLLOW_UP_PERSISTENCE = {"medium": (0.85, 0.5), "long": (0.75, 1.0)}
MEASURE_MISSING = {"swemwbs": 0.06, "life_satisfaction": 0.10, "scale": 0.04}

EXIT_SURVEY_RATE = {"support_completed": 0.65, "transferred": 0.15, "other": 0.10}
SURVEY_LAG_DAYS = {0: 0.4, (1, 21): 0.6}
FAMILY_BENEFITED_SHARES = {"yes": 0.45, "no": 0.20, "unknown": 0.35}
GOALS_MEAN = 2.2
GOALS_MISSING = 0.10

# ---- NHS use ---------------------------------------------------------------------------------

HEALTH_COHORT_RATE = 0.5  # of assessed cases: self-report at intake or consent to record linkage
HEALTH_LINKED_SHARE = 0.55
HEALTH_SOURCE_SWITCH = 0.10  # a window from the other source
HEALTH_SELF_POST_RATE = {"post_6m": 0.45, "post_12m": 0.30}  # answered the follow-up question
HEALTH_PRE_RATES = {  # contacts in the 6 months before referral (mean, before frailty)
    "gp_appointments": 2.6,
    "ae_attendances": 0.45,
    "mental_health_crisis_contacts": 0.18,
    "ambulance_callouts": 0.12,
    "nonelective_admissions": 0.05,
}
HEALTH_HIGH_NEED_FACTOR = {"mental_health_crisis_contacts": 4.0, "ae_attendances": 1.8}
HEALTH_FALL_BACK = {  # post / pre after the crisis passes: (completed, others)
    "post_6m": (0.72, 0.85),
    "post_12m": (0.65, 0.80),
}
HEALTH_FRAILTY_SHAPE = 1.2
HEALTH_MISSING_LINKED = {"ambulance_callouts": 0.20, "mental_health_crisis_contacts": 0.05}
HEALTH_MISSING_LINKED_OTHER = 0.02
HEALTH_MISSING_SELF = 0.08

# ---- repeat victimisation ------------------------------------------------------------------

# Share of victims with a further police-recorded crime within 12 months (assumptions register,
# central values); crimes that bring the victim back to the hub are added on top.
REPEAT_RATE = {
    "burglary_residential": 0.17,
    "criminal_damage": 0.25,
    "robbery": 0.07,
    "theft": 0.07,
    "vehicle_crime": 0.15,
    "violence_with_injury": 0.15,
    "violence_without_injury": 0.15,
    "stalking_harassment": 0.20,
}
REPEAT_RATE_DOMESTIC_ABUSE = 0.25
REPEAT_RATE_DEFAULT = 0.10
REPEAT_UNREFERRED_SHARE = 0.5  # the part of the rate not already made of repeat referrals
REPEAT_SECOND_YEAR = 0.5  # relative rate in months 13-24
TARGET_HARDENING_EFFECT = {"burglary_residential": 0.20, "other": 0.17}  # relative reduction
REPEAT_SAME_TYPE = 0.55

# ---- money and population --------------------------------------------------------------------

FUNDING_PER_REFERRAL_GBP = 55.0  # about 100k a month for 1,800 referrals a month
FUNDING_SHARES = {
    "victim_support": 0.55,
    "hate_crime": 0.06,
    "older_people": 0.07,
    "young_people": 0.09,
    "lgbt": 0.04,
    "witness_care": 0.08,
    "nhs_mental_health": 0.11,
}
FUNDING_YEAR_CHANGE = (0.95, 1.08)  # each financial year's grant against the base
FUNDING_MARCH_TOP_UP = (0.25, 0.10, 0.30)  # chance, min, max share of a month added in March

RECORDED_VICTIMS_PER_REFERRAL = 2.6  # police-recorded victims per hub referral, last 12 months
RESIDENTS_PER_RECORDED_VICTIM = 16.0
RECORDED_VICTIM_SHARES = {  # police-recorded victims: more young men than the hub reaches
    "age_band": {
        "0-17": 0.12,
        "18-24": 0.17,
        "25-34": 0.22,
        "35-44": 0.17,
        "45-54": 0.13,
        "55-64": 0.09,
        "65-74": 0.06,
        "75+": 0.04,
    },
    "gender": {"female": 0.45, "male": 0.545, "non_binary": 0.003, "other": 0.002},
    "ethnic_group": {"asian": 0.11, "black": 0.07, "mixed": 0.035, "white": 0.76, "other": 0.025},
    "disability": {"yes": 0.16, "no": 0.84},
    "lgbt": {"yes": 0.05, "no": 0.95},
}
RESIDENT_SHARES = {  # census-like
    "age_band": {
        "0-17": 0.21,
        "18-24": 0.09,
        "25-34": 0.14,
        "35-44": 0.13,
        "45-54": 0.13,
        "55-64": 0.12,
        "65-74": 0.10,
        "75+": 0.08,
    },
    "gender": {"female": 0.508, "male": 0.487, "non_binary": 0.003, "other": 0.002},
    "ethnic_group": {
        "asian": 0.096,
        "black": 0.042,
        "mixed": 0.030,
        "white": 0.810,
        "other": 0.022,
    },
    "disability": {"yes": 0.177, "no": 0.823},
    "lgbt": {"yes": 0.032, "no": 0.968},
}


# ---- helpers ---------------------------------------------------------------------------------


def probabilities(shares: dict[str, float], codes: tuple[str, ...]) -> np.ndarray:
    """Shares laid out in the order of ``codes`` (missing codes get 0), normalised to 1."""
    unknown = set(shares) - set(codes)
    if unknown:
        raise ValueError(f"not codes of this list: {sorted(unknown)}")
    values = np.array([shares.get(code, 0.0) for code in codes], dtype=float)
    return values / values.sum()


def lag_table(spec: dict[int | tuple[int, int], float]) -> tuple[np.ndarray, np.ndarray]:
    """(values, probabilities) of a lag distribution; a (low, high) key spreads evenly."""
    values: list[int] = []
    probs: list[float] = []
    for key, prob in spec.items():
        low, high = key if isinstance(key, tuple) else (key, key)
        span = range(low, high + 1)
        values.extend(span)
        probs.extend([prob / len(span)] * len(span))
    p = np.array(probs)
    return np.array(values, dtype=np.int64), p / p.sum()


def rates(table: dict[str, float], codes: tuple[str, ...], default: float = 0.0) -> np.ndarray:
    """A rate per code (``default`` for codes the table leaves out)."""
    unknown = set(table) - set(codes)
    if unknown:
        raise ValueError(f"not codes of this list: {sorted(unknown)}")
    return np.array([table.get(code, default) for code in codes], dtype=float)


CRIME_INDEX = {code: i for i, code in enumerate(contract.CRIME_TYPES)}
CLOSURE_INDEX = {code: i for i, code in enumerate(contract.CLOSURE_REASONS)}
AGENCY_INDEX = {code: i for i, code in enumerate(contract.AGENCIES)}
SERVICE_INDEX = {code: i for i, code in enumerate(contract.SERVICE_TYPES)}
AGE_INDEX = {code: i for i, code in enumerate(contract.AGE_BANDS)}
