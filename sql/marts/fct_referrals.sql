-- grain: one row per referral: the referral-level fact table the dashboard
-- uses for breakdowns (crime type, flags, enhanced rights, characteristics,
-- agency). Identifiers are the extract's pseudonymous ids. Agencies involved
-- are involvement rows (int_referral_agencies: victim_support always, plus
-- agencies that delivered a service or accepted an agency referral): every
-- referral involves victim_support, so only the other agencies' rows are read.
-- Timeliness flags are NULL outside their base; outcome flags come from
-- int_outcome_referrals (<id>_base, <id>_success: NULL outside the base).
-- It is the one referral-grain table kept in the warehouse: int_referral_base and
-- int_outcome_referrals are ephemeral, so what the dashboard reads of them is here.
with

referrals as (

    select * from intermediate.int_referral_base

),

referral_agencies as (

    select * from intermediate.int_referral_agencies

),

outcomes as (

    select * from intermediate.int_outcome_referrals

),

partner_involvement as (

    select
        referral_agencies.referral_id,
        bool_or(referral_agencies.agency = 'hate_crime') as involves_hate_crime,
        bool_or(referral_agencies.agency = 'older_people') as involves_older_people,
        bool_or(referral_agencies.agency = 'young_people') as involves_young_people,
        bool_or(referral_agencies.agency = 'lgbt') as involves_lgbt,
        bool_or(referral_agencies.agency = 'witness_care') as involves_witness_care,
        bool_or(referral_agencies.agency = 'nhs_mental_health') as involves_nhs_mental_health,
        count(*) as partner_agencies_involved
    from referral_agencies
    where referral_agencies.agency != 'victim_support'
    group by referral_agencies.referral_id

),

final as (

    select
        referrals.referral_id,
        referrals.victim_id,
        referrals.referral_month,
        referrals.referral_date,
        referrals.crime_type,
        referrals.hate_crime,
        referrals.domestic_abuse,
        referrals.enhanced_rights,
        referrals.source,
        referrals.age_band,
        referrals.gender,
        referrals.ethnic_group,
        referrals.disability,
        referrals.lgbt,
        referrals.area,
        referrals.is_contacted,
        referrals.is_assessed,
        referrals.is_supported,
        referrals.closed_date,
        referrals.closed_month,
        referrals.closure_reason,
        referrals.is_completed,
        referrals.is_police_referral_in_base,
        referrals.is_police_referral_on_time,
        referrals.first_contact_date,
        referrals.first_contact_deadline,
        referrals.is_first_contact_in_base,
        referrals.is_first_contact_on_time,
        true as involves_victim_support,
        coalesce(partner_involvement.involves_hate_crime, false) as involves_hate_crime,
        coalesce(partner_involvement.involves_older_people, false) as involves_older_people,
        coalesce(partner_involvement.involves_young_people, false) as involves_young_people,
        coalesce(partner_involvement.involves_lgbt, false) as involves_lgbt,
        coalesce(partner_involvement.involves_witness_care, false) as involves_witness_care,
        coalesce(
            partner_involvement.involves_nhs_mental_health, false
        ) as involves_nhs_mental_health,
        1 + coalesce(partner_involvement.partner_agencies_involved, 0) as agencies_involved,
        outcomes.survey_month,
        outcomes.target_hardening_month,
        outcomes.has_medium_follow_up,
        outcomes.has_long_follow_up,
        outcomes.wellbeing_gain_at_exit_base,
        outcomes.wellbeing_gain_at_exit_success,
        outcomes.coped_better_at_exit_base,
        outcomes.coped_better_at_exit_success,
        outcomes.informed_at_exit_base,
        outcomes.informed_at_exit_success,
        outcomes.family_benefited_base,
        outcomes.family_benefited_success,
        outcomes.wellbeing_sustained_3_12m_base,
        outcomes.wellbeing_sustained_3_12m_success,
        outcomes.back_to_daily_life_3_12m_base,
        outcomes.back_to_daily_life_3_12m_success,
        outcomes.wellbeing_gain_12m_plus_base,
        outcomes.wellbeing_gain_12m_plus_success,
        outcomes.feel_safer_at_exit_base,
        outcomes.feel_safer_at_exit_success,
        outcomes.feel_safe_12m_plus_base,
        outcomes.feel_safe_12m_plus_success,
        outcomes.health_improved_at_exit_base,
        outcomes.health_improved_at_exit_success,
        outcomes.health_maintained_12m_plus_base,
        outcomes.health_maintained_12m_plus_success,
        outcomes.not_revictimised_12m_base,
        outcomes.not_revictimised_12m_success,
        outcomes.fewer_crisis_contacts_base,
        outcomes.fewer_crisis_contacts_success,
        outcomes.homes_made_safer,
        outcomes.nhs_post_6m_complete,
        outcomes.nhs_contacts_change_base,
        outcomes.nhs_contacts_change,
        outcomes.wellbeing_social_value_base,
        outcomes.life_satisfaction_change
    from referrals
    left join partner_involvement
        on referrals.referral_id = partner_involvement.referral_id
    left join outcomes
        on referrals.referral_id = outcomes.referral_id

)

select * from final
