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

low_scenario as (

    select * from scenarios
    where scenario = 'low'

),

central_scenario as (

    select * from scenarios
    where scenario = 'central'

),

high_scenario as (

    select * from scenarios
    where scenario = 'high'

),

final as (

    select
        paired_referrals.referral_id,
        paired_referrals.life_satisfaction_change,
        paired_referrals.life_satisfaction_change
        * low_scenario.wellby_value_gbp
        * (1 - low_scenario.deadweight_wellbeing)
        * low_scenario.attribution_wellbeing
        * low_scenario.annuity_wellbeing as wellbeing_social_value_gbp_low,
        paired_referrals.life_satisfaction_change
        * central_scenario.wellby_value_gbp
        * (1 - central_scenario.deadweight_wellbeing)
        * central_scenario.attribution_wellbeing
        * central_scenario.annuity_wellbeing as wellbeing_social_value_gbp_central,
        paired_referrals.life_satisfaction_change
        * high_scenario.wellby_value_gbp
        * (1 - high_scenario.deadweight_wellbeing)
        * high_scenario.attribution_wellbeing
        * high_scenario.annuity_wellbeing as wellbeing_social_value_gbp_high

    from paired_referrals
    left join low_scenario
        on true
    left join central_scenario
        on true
    left join high_scenario
        on true

)

select * from final
