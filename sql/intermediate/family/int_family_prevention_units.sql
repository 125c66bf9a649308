-- materialized: ephemeral
-- grain: one row per (indicator, referral in its base), for the prevention indicators
-- that are not assessment-based. Counted by intermediate.int_family_unit_counts into
-- intermediate.int_family_prevention.
-- homes_made_safer (count of referrals with target hardening), the fractional
-- repeat_victims_prevented_estimate (sum of per-referral estimates, low/high from the
-- low/high settings) and crime_cost_avoided_gbp are in the month of the referral's first
-- target_hardening service; not_revictimised_12m (rate) in the month of referral_date.
-- _crime_cost_residual_gbp is an internal row for the value-for-money total: over the
-- same referrals as crime_cost_avoided_gbp, the part valued at
-- crime_cost_residual_<crime_type>; referrals whose crime type has no residual in the
-- register add 0 (they stay out of the total). Money rows are hub-only.
with

outcome_referrals as (

    select * from intermediate.int_outcome_referrals

),

hardened as (

    select * from outcome_referrals
    where homes_made_safer

),

final as (

    select
        'prevention' as unit_family,
        'homes_made_safer' as indicator_id,
        'count' as measure_kind,
        false as is_hub_only,
        target_hardening_month as cohort_month,
        referral_id,
        victim_id,
        victim_has_other_referrals,
        cast(null as boolean) as is_success,
        cast(null as double) as amount_central,
        cast(null as double) as amount_low,
        cast(null as double) as amount_high
    from hardened

    union all

    select
        'prevention' as unit_family,
        'repeat_victims_prevented_estimate' as indicator_id,
        'sum' as measure_kind,
        false as is_hub_only,
        target_hardening_month as cohort_month,
        referral_id,
        victim_id,
        victim_has_other_referrals,
        cast(null as boolean) as is_success,
        prevention_estimate_central as amount_central,
        prevention_estimate_low as amount_low,
        prevention_estimate_high as amount_high
    from hardened

    union all

    select
        'prevention' as unit_family,
        'crime_cost_avoided_gbp' as indicator_id,
        'sum' as measure_kind,
        true as is_hub_only,
        target_hardening_month as cohort_month,
        referral_id,
        victim_id,
        victim_has_other_referrals,
        cast(null as boolean) as is_success,
        crime_cost_avoided_gbp_central as amount_central,
        crime_cost_avoided_gbp_low as amount_low,
        crime_cost_avoided_gbp_high as amount_high
    from hardened

    union all

    select
        'prevention' as unit_family,
        '_crime_cost_residual_gbp' as indicator_id,
        'sum' as measure_kind,
        true as is_hub_only,
        target_hardening_month as cohort_month,
        referral_id,
        victim_id,
        victim_has_other_referrals,
        cast(null as boolean) as is_success,
        coalesce(crime_cost_residual_gbp_central, 0) as amount_central,
        coalesce(crime_cost_residual_gbp_low, 0) as amount_low,
        coalesce(crime_cost_residual_gbp_high, 0) as amount_high
    from hardened

    union all

    select
        'prevention' as unit_family,
        'not_revictimised_12m' as indicator_id,
        'rate' as measure_kind,
        false as is_hub_only,
        referral_month as cohort_month,
        referral_id,
        victim_id,
        victim_has_other_referrals,
        not_revictimised_12m_success as is_success,
        cast(null as double) as amount_central,
        cast(null as double) as amount_low,
        cast(null as double) as amount_high
    from outcome_referrals
    where not_revictimised_12m_base

)

select * from final
