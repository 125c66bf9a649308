-- grain: one row per scenario (low, central, high) with the register settings the
-- outcome models use and the two annuity factors.
-- Annuity factor A(T, d, r) = sum for t = 0 .. T-1 of (1 - d)^t / (1 + r)^t, so year 0
-- is not discounted and A(1, d, r) = 1, written once (annuity_years); the register
-- holds whole years (metrics.register checks), the floor only guards the cast; the Python
-- function is metrics.register.annuity_factor (a test checks the two agree).
-- Wellbeing: A(benefit_years_wellbeing, dropoff_wellbeing, discount_rate_health).
-- NHS: A(benefit_years_nhs, dropoff_nhs, discount_rate).
with

settings as (

    select * from intermediate.int_outcome_parameter_settings

),

scenario_settings as (

    select
        scenario,
        max(setting) filter (
            where parameter_name = 'swemwbs_meaningful_change'
        ) as swemwbs_meaningful_change,
        max(setting) filter (where parameter_name = 'wellby_value_gbp') as wellby_value_gbp,
        max(setting) filter (
            where parameter_name = 'deadweight_wellbeing'
        ) as deadweight_wellbeing,
        max(setting) filter (
            where parameter_name = 'attribution_wellbeing'
        ) as attribution_wellbeing,
        max(setting) filter (where parameter_name = 'dropoff_wellbeing') as dropoff_wellbeing,
        max(setting) filter (
            where parameter_name = 'benefit_years_wellbeing'
        ) as benefit_years_wellbeing,
        max(setting) filter (
            where parameter_name = 'discount_rate_health'
        ) as discount_rate_health,
        max(setting) filter (where parameter_name = 'discount_rate') as discount_rate,
        max(setting) filter (
            where parameter_name = 'situational_prevention_effect'
        ) as situational_prevention_effect,
        max(setting) filter (
            where parameter_name = 'situational_prevention_effect_burglary'
        ) as situational_prevention_effect_burglary,
        max(setting) filter (
            where parameter_name = 'displacement_prevention'
        ) as displacement_prevention,
        max(setting) filter (
            where parameter_name = 'repeat_rate_domestic_abuse'
        ) as repeat_rate_domestic_abuse,
        max(setting) filter (
            where parameter_name = 'repeat_rate_default'
        ) as repeat_rate_default,
        max(setting) filter (where parameter_name = 'crime_cost_default') as crime_cost_default,
        max(setting) filter (
            where parameter_name = 'unit_cost_gp_appointments'
        ) as unit_cost_gp_appointments,
        max(setting) filter (
            where parameter_name = 'unit_cost_ae_attendances'
        ) as unit_cost_ae_attendances,
        max(setting) filter (
            where parameter_name = 'unit_cost_mental_health_crisis_contacts'
        ) as unit_cost_mental_health_crisis_contacts,
        max(setting) filter (
            where parameter_name = 'unit_cost_ambulance_callouts'
        ) as unit_cost_ambulance_callouts,
        max(setting) filter (
            where parameter_name = 'unit_cost_nonelective_admissions'
        ) as unit_cost_nonelective_admissions,
        max(setting) filter (where parameter_name = 'deadweight_nhs') as deadweight_nhs,
        max(setting) filter (where parameter_name = 'attribution_nhs') as attribution_nhs,
        max(setting) filter (where parameter_name = 'dropoff_nhs') as dropoff_nhs,
        max(setting) filter (where parameter_name = 'benefit_years_nhs') as benefit_years_nhs

    from settings
    group by scenario

),

annuity_settings as (

    select
        scenario,
        'wellbeing' as benefit,
        benefit_years_wellbeing as benefit_years,
        dropoff_wellbeing as dropoff,
        discount_rate_health as discount

    from scenario_settings

    union all

    select
        scenario,
        'nhs' as benefit,
        benefit_years_nhs as benefit_years,
        dropoff_nhs as dropoff,
        discount_rate as discount

    from scenario_settings

),

annuity_years as (

    select
        scenario,
        benefit,
        (1 - dropoff) / (1 + discount) as yearly_ratio,
        unnest(range(0, cast(floor(benefit_years) as bigint))) as year_index

    from annuity_settings

),

annuities as (

    select
        scenario,
        benefit,
        cast(sum(cast(pow(yearly_ratio, year_index) as decimal(38, 10))) as double) as annuity

    from annuity_years
    group by scenario, benefit

),

final as (

    select
        scenario_settings.*,
        case
            when scenario_settings.benefit_years_wellbeing is not null
                then coalesce(wellbeing_annuity.annuity, 0)
        end as annuity_wellbeing,
        case
            when scenario_settings.benefit_years_nhs is not null
                then coalesce(nhs_annuity.annuity, 0)
        end as annuity_nhs

    from scenario_settings
    left join annuities as wellbeing_annuity
        on
            scenario_settings.scenario = wellbeing_annuity.scenario
            and wellbeing_annuity.benefit = 'wellbeing'
    left join annuities as nhs_annuity
        on
            scenario_settings.scenario = nhs_annuity.scenario
            and nhs_annuity.benefit = 'nhs'

)

select * from final
