-- grain: one row per referral in nhs_contacts_change (nhs_paired), with the projected
-- NHS cost avoided in each scenario.
-- nhs_cost_avoided_gbp = (sum over contact types counted of first-year change x
-- unit_cost_<type>) x (1 - deadweight_nhs) x attribution_nhs
-- x A(benefit_years_nhs, dropoff_nhs, discount_rate). More contacts after support give a
-- negative value.
with

health_pairs as (

    select * from intermediate.int_outcome_health_pairs

),

scenarios as (

    select * from intermediate.int_outcome_scenarios

),

paired_referrals as (

    select * from health_pairs
    where nhs_paired

),

scenario_costs as (

    select
        paired_referrals.referral_id,
        scenarios.scenario,
        coalesce(paired_referrals.first_year_change_gp_appointments, 0)
        * scenarios.unit_cost_gp_appointments
        + coalesce(paired_referrals.first_year_change_ae_attendances, 0)
        * scenarios.unit_cost_ae_attendances
        + coalesce(paired_referrals.first_year_change_mental_health_crisis_contacts, 0)
        * scenarios.unit_cost_mental_health_crisis_contacts
        + coalesce(paired_referrals.first_year_change_ambulance_callouts, 0)
        * scenarios.unit_cost_ambulance_callouts
        + coalesce(paired_referrals.first_year_change_nonelective_admissions, 0)
        * scenarios.unit_cost_nonelective_admissions as first_year_cost_change_gbp,
        (1 - scenarios.deadweight_nhs)
        * scenarios.attribution_nhs
        * scenarios.annuity_nhs as valuation_factor

    from paired_referrals
    cross join scenarios

),

pivoted as (

    select
        referral_id,
        max(first_year_cost_change_gbp * valuation_factor) filter (
            where scenario = 'low'
        ) as nhs_cost_avoided_gbp_low,
        max(first_year_cost_change_gbp * valuation_factor) filter (
            where scenario = 'central'
        ) as nhs_cost_avoided_gbp_central,
        max(first_year_cost_change_gbp * valuation_factor) filter (
            where scenario = 'high'
        ) as nhs_cost_avoided_gbp_high

    from scenario_costs
    group by referral_id

),

final as (

    select
        paired_referrals.referral_id,
        pivoted.nhs_cost_avoided_gbp_low,
        pivoted.nhs_cost_avoided_gbp_central,
        pivoted.nhs_cost_avoided_gbp_high

    from paired_referrals
    left join pivoted
        on paired_referrals.referral_id = pivoted.referral_id

)

select * from final
