-- grain: one row per (indicator_id, month, agency) with a non-empty base, for the
-- assessment-based rate indicators (wellbeing, safety and health outcomes).
-- Units are referrals (family_benefited: exit surveys, one per referral). The row for
-- `all` counts each referral once; an agency row counts the referrals that agency is
-- involved in (intermediate.int_referral_agencies). Bases, counts and cohort months come
-- from intermediate.int_outcome_referrals; censoring and status are set by the assembly.
-- persons: distinct victims; a victim with a single referral is one person per unit, so
-- only victims with other referrals need a distinct count.
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
        outcome_referrals.closed_month,
        outcome_referrals.survey_month,
        outcome_referrals.wellbeing_gain_at_exit_base,
        outcome_referrals.wellbeing_gain_at_exit_success,
        outcome_referrals.coped_better_at_exit_base,
        outcome_referrals.coped_better_at_exit_success,
        outcome_referrals.informed_at_exit_base,
        outcome_referrals.informed_at_exit_success,
        outcome_referrals.family_benefited_base,
        outcome_referrals.family_benefited_success,
        outcome_referrals.wellbeing_sustained_3_12m_base,
        outcome_referrals.wellbeing_sustained_3_12m_success,
        outcome_referrals.back_to_daily_life_3_12m_base,
        outcome_referrals.back_to_daily_life_3_12m_success,
        outcome_referrals.wellbeing_gain_12m_plus_base,
        outcome_referrals.wellbeing_gain_12m_plus_success,
        outcome_referrals.feel_safer_at_exit_base,
        outcome_referrals.feel_safer_at_exit_success,
        outcome_referrals.feel_safe_12m_plus_base,
        outcome_referrals.feel_safe_12m_plus_success,
        outcome_referrals.health_improved_at_exit_base,
        outcome_referrals.health_improved_at_exit_success,
        outcome_referrals.health_maintained_12m_plus_base,
        outcome_referrals.health_maintained_12m_plus_success

    from outcome_referrals
    inner join involvement
        on outcome_referrals.referral_id = involvement.referral_id

),

units as (

    select
        'wellbeing_gain_at_exit' as indicator_id,
        closed_month as cohort_month,
        agency,
        victim_id,
        victim_has_other_referrals,
        wellbeing_gain_at_exit_success as is_success
    from referral_units
    where wellbeing_gain_at_exit_base

    union all

    select
        'coped_better_at_exit' as indicator_id,
        closed_month as cohort_month,
        agency,
        victim_id,
        victim_has_other_referrals,
        coped_better_at_exit_success as is_success
    from referral_units
    where coped_better_at_exit_base

    union all

    select
        'informed_at_exit' as indicator_id,
        closed_month as cohort_month,
        agency,
        victim_id,
        victim_has_other_referrals,
        informed_at_exit_success as is_success
    from referral_units
    where informed_at_exit_base

    union all

    select
        'family_benefited' as indicator_id,
        survey_month as cohort_month,
        agency,
        victim_id,
        victim_has_other_referrals,
        family_benefited_success as is_success
    from referral_units
    where family_benefited_base

    union all

    select
        'wellbeing_sustained_3_12m' as indicator_id,
        closed_month as cohort_month,
        agency,
        victim_id,
        victim_has_other_referrals,
        wellbeing_sustained_3_12m_success as is_success
    from referral_units
    where wellbeing_sustained_3_12m_base

    union all

    select
        'back_to_daily_life_3_12m' as indicator_id,
        closed_month as cohort_month,
        agency,
        victim_id,
        victim_has_other_referrals,
        back_to_daily_life_3_12m_success as is_success
    from referral_units
    where back_to_daily_life_3_12m_base

    union all

    select
        'wellbeing_gain_12m_plus' as indicator_id,
        closed_month as cohort_month,
        agency,
        victim_id,
        victim_has_other_referrals,
        wellbeing_gain_12m_plus_success as is_success
    from referral_units
    where wellbeing_gain_12m_plus_base

    union all

    select
        'feel_safer_at_exit' as indicator_id,
        closed_month as cohort_month,
        agency,
        victim_id,
        victim_has_other_referrals,
        feel_safer_at_exit_success as is_success
    from referral_units
    where feel_safer_at_exit_base

    union all

    select
        'feel_safe_12m_plus' as indicator_id,
        closed_month as cohort_month,
        agency,
        victim_id,
        victim_has_other_referrals,
        feel_safe_12m_plus_success as is_success
    from referral_units
    where feel_safe_12m_plus_base

    union all

    select
        'health_improved_at_exit' as indicator_id,
        closed_month as cohort_month,
        agency,
        victim_id,
        victim_has_other_referrals,
        health_improved_at_exit_success as is_success
    from referral_units
    where health_improved_at_exit_base

    union all

    select
        'health_maintained_12m_plus' as indicator_id,
        closed_month as cohort_month,
        agency,
        victim_id,
        victim_has_other_referrals,
        health_maintained_12m_plus_success as is_success
    from referral_units
    where health_maintained_12m_plus_base

),

aggregated as (

    select
        indicator_id,
        cohort_month,
        agency,
        count(*) as units_in_base,
        count_if(is_success) as units_counted,
        count_if(not victim_has_other_referrals) as single_referral_victims

    from units
    group by indicator_id, cohort_month, agency

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
        cast(aggregated.units_counted as double) as numerator,
        cast(aggregated.units_in_base as double) as denominator,
        aggregated.units_counted / aggregated.units_in_base as value,  -- noqa: RF04
        cast(null as double) as value_low,
        cast(null as double) as value_high,
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
