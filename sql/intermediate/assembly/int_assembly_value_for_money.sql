-- grain: one row per month of the spine and value-for-money indicator (hub
-- only, agency `all`), with its status already set.
-- public_value_total_gbp = wellbeing_social_value_gbp + nhs_cost_avoided_gbp +
--   the residual crime cost (internal id _crime_cost_residual_gbp, emitted over
--   the same referrals as crime_cost_avoided_gbp; 0 when no row). Status: the
--   first of no_data, not_yet_measurable, empty_base found among the three
--   components' statuses (the crime component's status is
--   crime_cost_avoided_gbp's), else ok. persons: the largest component's
--   persons (a lower bound of the distinct people behind the total).
-- value_per_pound = the total / the month's funding (all agencies); no_data
--   when funding is absent, then the total's status, then empty_base when the
--   month has no funding (or 0).
with

statuses as (

    select * from intermediate.int_assembly_indicator_status

),

family_rows as (

    select * from intermediate.int_assembly_family_rows

),

rules as (

    select * from intermediate.int_assembly_indicator_rules

),

funding as (

    select * from staging.stg_funding

),

months as (

    select * from intermediate.int_referral_month_spine

),

hub_statuses as (

    select
        statuses.indicator_id,
        statuses.month_start,
        statuses.status,
        statuses.numerator,
        statuses.value_low,
        statuses.value_high,
        statuses.persons
    from statuses
    where statuses.agency = 'all'

),

wellbeing_value as (

    select * from hub_statuses
    where indicator_id = 'wellbeing_social_value_gbp'

),

nhs_value as (

    select * from hub_statuses
    where indicator_id = 'nhs_cost_avoided_gbp'

),

crime_value as (

    select * from hub_statuses
    where indicator_id = 'crime_cost_avoided_gbp'

),

crime_residual as (

    select
        family_rows.month as month_start,
        family_rows.numerator,
        family_rows.value_low,
        family_rows.value_high
    from family_rows
    where
        family_rows.indicator_id = '_crime_cost_residual_gbp'
        and family_rows.agency = 'all'

),

monthly_funding as (

    select
        funding.funding_month,
        cast(sum(cast(funding.amount_gbp as decimal(38, 10))) as double) as amount_gbp
    from funding
    group by funding.funding_month

),

components as (

    select
        months.month_start,
        [wellbeing_value.status, nhs_value.status, crime_value.status] as component_statuses,
        wellbeing_value.numerator
        + nhs_value.numerator
        + coalesce(crime_residual.numerator, 0) as total_central,
        wellbeing_value.value_low
        + nhs_value.value_low
        + coalesce(crime_residual.value_low, 0) as total_low,
        wellbeing_value.value_high
        + nhs_value.value_high
        + coalesce(crime_residual.value_high, 0) as total_high,
        greatest(wellbeing_value.persons, nhs_value.persons, crime_value.persons)
            as total_persons
    from months
    left join wellbeing_value
        on months.month_start = wellbeing_value.month_start
    left join nhs_value
        on months.month_start = nhs_value.month_start
    left join crime_value
        on months.month_start = crime_value.month_start
    left join crime_residual
        on months.month_start = crime_residual.month_start

),

totals as (

    select
        components.month_start,
        components.total_central,
        components.total_low,
        components.total_high,
        components.total_persons,
        case
            when list_contains(components.component_statuses, 'no_data') then 'no_data'
            when list_contains(components.component_statuses, 'not_yet_measurable')
                then 'not_yet_measurable'
            when list_contains(components.component_statuses, 'empty_base') then 'empty_base'
            else 'ok'
        end as status
    from components

),

per_pound as (

    select
        totals.month_start,
        totals.total_central,
        totals.total_low,
        totals.total_high,
        totals.total_persons,
        monthly_funding.amount_gbp,
        case
            when rules.is_no_data then 'no_data'
            when totals.status != 'ok' then totals.status
            when coalesce(monthly_funding.amount_gbp, 0) = 0 then 'empty_base'
            else 'ok'
        end as status
    from totals
    inner join rules
        on rules.indicator_id = 'value_per_pound'
    left join monthly_funding
        on totals.month_start = monthly_funding.funding_month

),

final as (

    select
        'public_value_total_gbp' as indicator_id,
        totals.month_start,
        'all' as agency,
        totals.status,
        case when totals.status = 'ok' then totals.total_central end as numerator,
        cast(null as double) as denominator,
        case when totals.status = 'ok' then totals.total_central end as indicator_value,
        case when totals.status = 'ok' then totals.total_low end as value_low,
        case when totals.status = 'ok' then totals.total_high end as value_high,
        case when totals.status = 'ok' then totals.total_persons else 0 end as persons
    from totals
    union all
    select
        'value_per_pound' as indicator_id,
        per_pound.month_start,
        'all' as agency,
        per_pound.status,
        case when per_pound.status = 'ok' then per_pound.total_central end as numerator,
        case when per_pound.status = 'ok' then per_pound.amount_gbp end as denominator,
        case
            when per_pound.status = 'ok' then per_pound.total_central / per_pound.amount_gbp
        end as indicator_value,
        case
            when per_pound.status = 'ok' then per_pound.total_low / per_pound.amount_gbp
        end as value_low,
        case
            when per_pound.status = 'ok' then per_pound.total_high / per_pound.amount_gbp
        end as value_high,
        case when per_pound.status = 'ok' then per_pound.total_persons else 0 end as persons
    from per_pound

)

select * from final
