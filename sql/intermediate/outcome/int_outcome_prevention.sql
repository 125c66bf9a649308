-- grain: one row per referral with at least one target_hardening service (the referrals
-- counted in homes_made_safer), with its modelled prevention in each scenario.
-- first_target_hardening_date: the earliest target_hardening start_date (cohort month).
-- repeat rate: repeat_rate_domestic_abuse if the domestic_abuse flag is set, else
-- repeat_rate_<crime_type>, else repeat_rate_default (a missing flag reads as not set).
-- prevention effect: situational_prevention_effect_burglary for burglary_residential,
-- else situational_prevention_effect.
-- prevention_estimate = repeat rate x prevention effect x (1 - displacement_prevention):
-- the expected number of victims spared a repeat within 12 months.
-- crime_cost_avoided = prevention_estimate x crime_cost_<crime_type> (else
-- crime_cost_default): one crime per victim spared.
-- crime_cost_residual = prevention_estimate x (crime_cost_response_<crime_type> +
-- crime_cost_residual_<crime_type>): the part of the cost that the wellbeing and NHS
-- terms do not already count (police and criminal justice response, a saving to public
-- budgets; the other non-overlapping components, social value). A missing row adds 0;
-- NULL where the register has neither row for the crime type (it stays out of the total).
-- repeat_rate_central, crime_cost_in_total_central: the central repeat rate and the cost
-- per crime in the total (response + residual), for projected against observed
-- (marts.hub_evidence).
with

referrals as (

    select * from staging.stg_referrals

),

services as (

    select * from staging.stg_services

),

settings as (

    select * from intermediate.int_outcome_parameter_settings

),

scenarios as (

    select * from intermediate.int_outcome_scenarios

),

target_hardening as (

    select
        referral_id,
        min(start_date) as first_target_hardening_date

    from services
    where service_type = 'target_hardening'
    group by referral_id

),

hardened_referrals as (

    select
        target_hardening.referral_id,
        target_hardening.first_target_hardening_date,
        referrals.crime_type,
        coalesce(referrals.domestic_abuse, false) as domestic_abuse

    from target_hardening
    inner join referrals
        on target_hardening.referral_id = referrals.referral_id

),

scenario_inputs as (

    select
        hardened_referrals.referral_id,
        scenarios.scenario,
        case
            when hardened_referrals.domestic_abuse then scenarios.repeat_rate_domestic_abuse
            else coalesce(crime_type_repeat_rate.setting, scenarios.repeat_rate_default)
        end as repeat_rate,
        case
            when hardened_referrals.crime_type = 'burglary_residential'
                then scenarios.situational_prevention_effect_burglary
            else scenarios.situational_prevention_effect
        end as prevention_effect,
        scenarios.displacement_prevention,
        coalesce(crime_type_cost.setting, scenarios.crime_cost_default) as crime_cost,
        case
            when
                crime_type_response.setting is not null
                or crime_type_residual.setting is not null
                then
                    coalesce(crime_type_response.setting, 0)
                    + coalesce(crime_type_residual.setting, 0)
        end as crime_cost_residual

    from hardened_referrals
    cross join scenarios
    left join settings as crime_type_repeat_rate
        on
            scenarios.scenario = crime_type_repeat_rate.scenario
            and crime_type_repeat_rate.parameter_name
            = 'repeat_rate_' || hardened_referrals.crime_type
    left join settings as crime_type_cost
        on
            scenarios.scenario = crime_type_cost.scenario
            and crime_type_cost.parameter_name = 'crime_cost_' || hardened_referrals.crime_type
    left join settings as crime_type_residual
        on
            scenarios.scenario = crime_type_residual.scenario
            and crime_type_residual.parameter_name
            = 'crime_cost_residual_' || hardened_referrals.crime_type
    left join settings as crime_type_response
        on
            scenarios.scenario = crime_type_response.scenario
            and crime_type_response.parameter_name
            = 'crime_cost_response_' || hardened_referrals.crime_type

),

scenario_estimates as (

    select
        referral_id,
        scenario,
        repeat_rate,
        repeat_rate * prevention_effect * (1 - displacement_prevention) as prevention_estimate,
        crime_cost,
        crime_cost_residual

    from scenario_inputs

),

scenario_values as (

    select
        referral_id,
        scenario,
        repeat_rate,
        crime_cost_residual,
        prevention_estimate,
        prevention_estimate * crime_cost as crime_cost_avoided_gbp,
        prevention_estimate * crime_cost_residual as crime_cost_residual_gbp

    from scenario_estimates

),

pivoted as (

    select
        referral_id,
        max(prevention_estimate) filter (where scenario = 'low') as prevention_estimate_low,
        max(prevention_estimate) filter (
            where scenario = 'central'
        ) as prevention_estimate_central,
        max(prevention_estimate) filter (where scenario = 'high') as prevention_estimate_high,
        max(crime_cost_avoided_gbp) filter (
            where scenario = 'low'
        ) as crime_cost_avoided_gbp_low,
        max(crime_cost_avoided_gbp) filter (
            where scenario = 'central'
        ) as crime_cost_avoided_gbp_central,
        max(crime_cost_avoided_gbp) filter (
            where scenario = 'high'
        ) as crime_cost_avoided_gbp_high,
        max(crime_cost_residual_gbp) filter (
            where scenario = 'low'
        ) as crime_cost_residual_gbp_low,
        max(crime_cost_residual_gbp) filter (
            where scenario = 'central'
        ) as crime_cost_residual_gbp_central,
        max(crime_cost_residual_gbp) filter (
            where scenario = 'high'
        ) as crime_cost_residual_gbp_high,
        max(repeat_rate) filter (where scenario = 'central') as repeat_rate_central,
        max(crime_cost_residual) filter (
            where scenario = 'central'
        ) as crime_cost_in_total_central

    from scenario_values
    group by referral_id

),

final as (

    select
        hardened_referrals.referral_id,
        hardened_referrals.first_target_hardening_date,
        pivoted.prevention_estimate_low,
        pivoted.prevention_estimate_central,
        pivoted.prevention_estimate_high,
        pivoted.crime_cost_avoided_gbp_low,
        pivoted.crime_cost_avoided_gbp_central,
        pivoted.crime_cost_avoided_gbp_high,
        pivoted.crime_cost_residual_gbp_low,
        pivoted.crime_cost_residual_gbp_central,
        pivoted.crime_cost_residual_gbp_high,
        pivoted.repeat_rate_central,
        pivoted.crime_cost_in_total_central

    from hardened_referrals
    left join pivoted
        on hardened_referrals.referral_id = pivoted.referral_id

)

select * from final
