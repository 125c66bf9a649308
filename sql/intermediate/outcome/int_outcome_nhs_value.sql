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
        (
            coalesce(paired_referrals.first_year_change_gp_appointments, 0)
            * low_scenario.unit_cost_gp_appointments
            + coalesce(paired_referrals.first_year_change_ae_attendances, 0)
            * low_scenario.unit_cost_ae_attendances
            + coalesce(paired_referrals.first_year_change_mental_health_crisis_contacts, 0)
            * low_scenario.unit_cost_mental_health_crisis_contacts
            + coalesce(paired_referrals.first_year_change_ambulance_callouts, 0)
            * low_scenario.unit_cost_ambulance_callouts
            + coalesce(paired_referrals.first_year_change_nonelective_admissions, 0)
            * low_scenario.unit_cost_nonelective_admissions
        ) * (
            (1 - low_scenario.deadweight_nhs)
            * low_scenario.attribution_nhs
            * low_scenario.annuity_nhs
        ) as nhs_cost_avoided_gbp_low,
        (
            coalesce(paired_referrals.first_year_change_gp_appointments, 0)
            * central_scenario.unit_cost_gp_appointments
            + coalesce(paired_referrals.first_year_change_ae_attendances, 0)
            * central_scenario.unit_cost_ae_attendances
            + coalesce(paired_referrals.first_year_change_mental_health_crisis_contacts, 0)
            * central_scenario.unit_cost_mental_health_crisis_contacts
            + coalesce(paired_referrals.first_year_change_ambulance_callouts, 0)
            * central_scenario.unit_cost_ambulance_callouts
            + coalesce(paired_referrals.first_year_change_nonelective_admissions, 0)
            * central_scenario.unit_cost_nonelective_admissions
        ) * (
            (1 - central_scenario.deadweight_nhs)
            * central_scenario.attribution_nhs
            * central_scenario.annuity_nhs
        ) as nhs_cost_avoided_gbp_central,
        (
            coalesce(paired_referrals.first_year_change_gp_appointments, 0)
            * high_scenario.unit_cost_gp_appointments
            + coalesce(paired_referrals.first_year_change_ae_attendances, 0)
            * high_scenario.unit_cost_ae_attendances
            + coalesce(paired_referrals.first_year_change_mental_health_crisis_contacts, 0)
            * high_scenario.unit_cost_mental_health_crisis_contacts
            + coalesce(paired_referrals.first_year_change_ambulance_callouts, 0)
            * high_scenario.unit_cost_ambulance_callouts
            + coalesce(paired_referrals.first_year_change_nonelective_admissions, 0)
            * high_scenario.unit_cost_nonelective_admissions
        ) * (
            (1 - high_scenario.deadweight_nhs)
            * high_scenario.attribution_nhs
            * high_scenario.annuity_nhs
        ) as nhs_cost_avoided_gbp_high

    from paired_referrals
    left join low_scenario
        on true
    left join central_scenario
        on true
    left join high_scenario
        on true

)

select * from final
