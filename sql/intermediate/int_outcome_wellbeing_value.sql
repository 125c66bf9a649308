-- grain: one row per completed referral with intake and exit life_satisfaction, with
-- the projected wellbeing social value in each scenario.
-- wellbeing_social_value_gbp = (exit - intake life_satisfaction) x wellby_value_gbp
-- x (1 - deadweight_wellbeing) x attribution_wellbeing
-- x A(benefit_years_wellbeing, dropoff_wellbeing, discount_rate_health).
-- A decline gives a negative value, and counts.
with

referrals as (

    select * from staging.stg_referrals

),

assessment_pairs as (

    select * from intermediate.int_outcome_assessment_pairs

),

scenarios as (

    select * from intermediate.int_outcome_scenarios

),

paired_referrals as (

    select
        assessment_pairs.referral_id,
        assessment_pairs.exit_life_satisfaction
        - assessment_pairs.intake_life_satisfaction as life_satisfaction_change

    from assessment_pairs
    inner join referrals
        on assessment_pairs.referral_id = referrals.referral_id
    where
        referrals.closure_reason = 'support_completed'
        and assessment_pairs.intake_life_satisfaction is not null
        and assessment_pairs.exit_life_satisfaction is not null

),

scenario_values as (

    select
        paired_referrals.referral_id,
        scenarios.scenario,
        paired_referrals.life_satisfaction_change
        * scenarios.wellby_value_gbp
        * (1 - scenarios.deadweight_wellbeing)
        * scenarios.attribution_wellbeing
        * scenarios.annuity_wellbeing as wellbeing_social_value_gbp

    from paired_referrals
    cross join scenarios

),

pivoted as (

    select
        referral_id,
        max(wellbeing_social_value_gbp) filter (
            where scenario = 'low'
        ) as wellbeing_social_value_gbp_low,
        max(wellbeing_social_value_gbp) filter (
            where scenario = 'central'
        ) as wellbeing_social_value_gbp_central,
        max(wellbeing_social_value_gbp) filter (
            where scenario = 'high'
        ) as wellbeing_social_value_gbp_high

    from scenario_values
    group by referral_id

),

final as (

    select
        paired_referrals.referral_id,
        paired_referrals.life_satisfaction_change,
        pivoted.wellbeing_social_value_gbp_low,
        pivoted.wellbeing_social_value_gbp_central,
        pivoted.wellbeing_social_value_gbp_high

    from paired_referrals
    left join pivoted
        on paired_referrals.referral_id = pivoted.referral_id

)

select * from final
