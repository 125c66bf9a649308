"""Which month counts a person-level outcome: the cohort month rule, written once.

Each outcome indicator counted from records has a base flag, a success flag and the
month column of its cohort (docs: indicators): outcomes at and after the end of support
count in the month the referral closed, the family survey in its survey month, the
revictimisation and timeliness outcomes in the month of referral, homes made safer in
the month of the first target hardening, and the agency standards in the month the
agency referral was sent. The queries, the reports and the published release read these
tables; the SQL models hold the same rule for the indicator tables.
"""

from __future__ import annotations

# indicator -> (base flag, success flag, cohort month column) in marts.fct_referrals
REFERRAL_OUTCOMES = {
    "wellbeing_gain_at_exit": (
        "wellbeing_gain_at_exit_base",
        "wellbeing_gain_at_exit_success",
        "closed_month",
    ),
    "coped_better_at_exit": (
        "coped_better_at_exit_base",
        "coped_better_at_exit_success",
        "closed_month",
    ),
    "informed_at_exit": ("informed_at_exit_base", "informed_at_exit_success", "closed_month"),
    "family_benefited": ("family_benefited_base", "family_benefited_success", "survey_month"),
    "wellbeing_sustained_3_12m": (
        "wellbeing_sustained_3_12m_base",
        "wellbeing_sustained_3_12m_success",
        "closed_month",
    ),
    "back_to_daily_life_3_12m": (
        "back_to_daily_life_3_12m_base",
        "back_to_daily_life_3_12m_success",
        "closed_month",
    ),
    "wellbeing_gain_12m_plus": (
        "wellbeing_gain_12m_plus_base",
        "wellbeing_gain_12m_plus_success",
        "closed_month",
    ),
    "feel_safer_at_exit": ("feel_safer_at_exit_base", "feel_safer_at_exit_success", "closed_month"),
    "not_revictimised_12m": (
        "not_revictimised_12m_base",
        "not_revictimised_12m_success",
        "referral_month",
    ),
    "feel_safe_12m_plus": ("feel_safe_12m_plus_base", "feel_safe_12m_plus_success", "closed_month"),
    "health_improved_at_exit": (
        "health_improved_at_exit_base",
        "health_improved_at_exit_success",
        "closed_month",
    ),
    "fewer_crisis_contacts": (
        "fewer_crisis_contacts_base",
        "fewer_crisis_contacts_success",
        "closed_month",
    ),
    "health_maintained_12m_plus": (
        "health_maintained_12m_plus_base",
        "health_maintained_12m_plus_success",
        "closed_month",
    ),
    "first_contact_2wd": ("is_first_contact_in_base", "is_first_contact_on_time", "referral_month"),
    "police_referral_2wd": (
        "is_police_referral_in_base",
        "is_police_referral_on_time",
        "referral_month",
    ),
    "enhanced_rights_share": ("true", "enhanced_rights", "referral_month"),
    "homes_made_safer": ("homes_made_safer", "homes_made_safer", "target_hardening_month"),
}
# indicator -> (base flag, success flag, cohort month) in int_core_agency_referrals
AGENCY_REFERRAL_OUTCOMES = {
    "agency_accepted_5wd": ("is_acceptance_in_base", "is_accepted_on_time", "sent_month"),
    "mental_health_seen_10wd": ("is_mh_seen_in_base", "is_mh_seen_on_time", "sent_month"),
}
PERSON_OUTCOMES = {**REFERRAL_OUTCOMES, **AGENCY_REFERRAL_OUTCOMES}


def cohort_month(indicator: str) -> str:
    """The month column of the indicator's cohort (KeyError for one not counted per record)."""
    return PERSON_OUTCOMES[indicator][2]
