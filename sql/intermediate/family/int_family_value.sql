-- grain: one row per month with a non-empty base, for wellbeing_social_value_gbp
-- (hub-only, agency `all`): the projected WELLBY value summed over completed referrals
-- with intake and exit life_satisfaction closed in the month; declines count as
-- negative. numerator = value = central GBP; value_low/value_high from the low/high
-- settings of every parameter.
with

outcome_referrals as (

    select * from intermediate.int_outcome_referrals

),

valued_referrals as (

    select
        closed_month as cohort_month,
        victim_id,
        victim_has_other_referrals,
        wellbeing_social_value_gbp_central,
        wellbeing_social_value_gbp_low,
        wellbeing_social_value_gbp_high

    from outcome_referrals
    where wellbeing_social_value_base

),

repeat_victims as (

    select
        cohort_month,
        count(distinct victim_id) as repeat_victims

    from valued_referrals
    where victim_has_other_referrals
    group by cohort_month

),

aggregated as (

    select
        cohort_month,
        cast(sum(cast(wellbeing_social_value_gbp_central as decimal(38, 10))) as double) as amount_central,
        cast(sum(cast(wellbeing_social_value_gbp_low as decimal(38, 10))) as double) as amount_low,
        cast(sum(cast(wellbeing_social_value_gbp_high as decimal(38, 10))) as double) as amount_high,
        count_if(not victim_has_other_referrals) as single_referral_victims

    from valued_referrals
    group by cohort_month

),

final as (

    select
        'wellbeing_social_value_gbp' as indicator_id,
        aggregated.cohort_month as month,  -- noqa: RF04
        'all' as agency,
        cast(aggregated.amount_central as double) as numerator,
        cast(null as double) as denominator,
        cast(aggregated.amount_central as double) as value,  -- noqa: RF04
        cast(aggregated.amount_low as double) as value_low,
        cast(aggregated.amount_high as double) as value_high,
        cast(
            aggregated.single_referral_victims
            + coalesce(repeat_victims.repeat_victims, 0) as bigint
        ) as persons

    from aggregated
    left join repeat_victims
        on aggregated.cohort_month = repeat_victims.cohort_month

)

select * from final
