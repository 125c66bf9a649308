-- grain: one row per (indicator_id, month, agency) with a non-empty base, for the
-- prevention indicators that are not assessment-based.
-- homes_made_safer (count of referrals with target hardening), the fractional
-- repeat_victims_prevented_estimate (sum of per-referral estimates, low/high from the
-- low/high settings) and crime_cost_avoided_gbp are in the month of the referral's first
-- target_hardening service; not_revictimised_12m (rate) in the month of referral_date.
-- _crime_cost_residual_gbp is an internal row for the value-for-money total: over the
-- same referrals as crime_cost_avoided_gbp, the part valued at
-- crime_cost_residual_<crime_type>; referrals whose crime type has no residual in the
-- register add 0 (they stay out of the total). Money rows are hub-only (`all`).
-- Units are referrals: `all` counts each once, an agency row the referrals that agency
-- is involved in (intermediate.int_referral_agencies). persons: distinct victims; a victim
-- with a single referral is one person per unit, so only victims with other referrals
-- need a distinct count.
with

outcome_referrals as (

    select * from intermediate.int_outcome_referrals

),

referral_agencies as (

    select * from intermediate.int_referral_agencies

),

involvement as (

    select
        referral_id,
        'all' as agency
    from outcome_referrals

    union all

    select
        referral_id,
        agency
    from referral_agencies

),

referral_units as (

    select
        involvement.agency,
        outcome_referrals.victim_id,
        outcome_referrals.victim_has_other_referrals,
        outcome_referrals.referral_month,
        outcome_referrals.target_hardening_month,
        outcome_referrals.homes_made_safer,
        outcome_referrals.prevention_estimate_low,
        outcome_referrals.prevention_estimate_central,
        outcome_referrals.prevention_estimate_high,
        outcome_referrals.crime_cost_avoided_gbp_low,
        outcome_referrals.crime_cost_avoided_gbp_central,
        outcome_referrals.crime_cost_avoided_gbp_high,
        outcome_referrals.crime_cost_residual_gbp_low,
        outcome_referrals.crime_cost_residual_gbp_central,
        outcome_referrals.crime_cost_residual_gbp_high,
        outcome_referrals.not_revictimised_12m_base,
        outcome_referrals.not_revictimised_12m_success

    from outcome_referrals
    inner join involvement
        on outcome_referrals.referral_id = involvement.referral_id

),

units as (

    select
        'homes_made_safer' as indicator_id,
        'count' as measure_kind,
        target_hardening_month as cohort_month,
        agency,
        victim_id,
        victim_has_other_referrals,
        cast(null as boolean) as is_success,
        cast(null as double) as amount_central,
        cast(null as double) as amount_low,
        cast(null as double) as amount_high
    from referral_units
    where homes_made_safer

    union all

    select
        'repeat_victims_prevented_estimate' as indicator_id,
        'sum' as measure_kind,
        target_hardening_month as cohort_month,
        agency,
        victim_id,
        victim_has_other_referrals,
        cast(null as boolean) as is_success,
        prevention_estimate_central as amount_central,
        prevention_estimate_low as amount_low,
        prevention_estimate_high as amount_high
    from referral_units
    where homes_made_safer

    union all

    select
        'not_revictimised_12m' as indicator_id,
        'rate' as measure_kind,
        referral_month as cohort_month,
        agency,
        victim_id,
        victim_has_other_referrals,
        not_revictimised_12m_success as is_success,
        cast(null as double) as amount_central,
        cast(null as double) as amount_low,
        cast(null as double) as amount_high
    from referral_units
    where not_revictimised_12m_base

    union all

    select
        'crime_cost_avoided_gbp' as indicator_id,
        'sum' as measure_kind,
        target_hardening_month as cohort_month,
        agency,
        victim_id,
        victim_has_other_referrals,
        cast(null as boolean) as is_success,
        crime_cost_avoided_gbp_central as amount_central,
        crime_cost_avoided_gbp_low as amount_low,
        crime_cost_avoided_gbp_high as amount_high
    from referral_units
    where
        homes_made_safer
        and agency = 'all'

    union all

    select
        '_crime_cost_residual_gbp' as indicator_id,
        'sum' as measure_kind,
        target_hardening_month as cohort_month,
        agency,
        victim_id,
        victim_has_other_referrals,
        cast(null as boolean) as is_success,
        coalesce(crime_cost_residual_gbp_central, 0) as amount_central,
        coalesce(crime_cost_residual_gbp_low, 0) as amount_low,
        coalesce(crime_cost_residual_gbp_high, 0) as amount_high
    from referral_units
    where
        homes_made_safer
        and agency = 'all'

),

aggregated as (

    select
        indicator_id,
        measure_kind,
        cohort_month,
        agency,
        count(*) as units_in_base,
        count_if(is_success) as units_counted,
        sum(amount_central) as amount_central,
        sum(amount_low) as amount_low,
        sum(amount_high) as amount_high,
        count_if(not victim_has_other_referrals) as single_referral_victims

    from units
    group by indicator_id, measure_kind, cohort_month, agency

),

repeat_victims as (

    select
        indicator_id,
        cohort_month,
        agency,
        count(distinct victim_id) as repeat_victims

    from units
    where victim_has_other_referrals
    group by indicator_id, cohort_month, agency

),

final as (

    select
        aggregated.indicator_id,
        aggregated.cohort_month as month,  -- noqa: RF04
        aggregated.agency,
        cast(case aggregated.measure_kind
            when 'rate' then aggregated.units_counted
            when 'count' then aggregated.units_in_base
            else aggregated.amount_central
        end as double) as numerator,
        cast(case
            when aggregated.measure_kind = 'rate' then aggregated.units_in_base
        end as double) as denominator,
        cast(case aggregated.measure_kind
            when 'rate' then aggregated.units_counted / aggregated.units_in_base
            when 'count' then aggregated.units_in_base
            else aggregated.amount_central
        end as double) as value,  -- noqa: RF04
        cast(case
            when aggregated.measure_kind = 'sum' then aggregated.amount_low
        end as double) as value_low,
        cast(case
            when aggregated.measure_kind = 'sum' then aggregated.amount_high
        end as double) as value_high,
        cast(
            aggregated.single_referral_victims
            + coalesce(repeat_victims.repeat_victims, 0) as bigint
        ) as persons

    from aggregated
    left join repeat_victims
        on
            aggregated.indicator_id = repeat_victims.indicator_id
            and aggregated.cohort_month = repeat_victims.cohort_month
            and aggregated.agency = repeat_victims.agency

)

select * from final
