-- grain: one row per (month, component, item), hub-wide, for every month with
-- a row: what the value-for-money page recomputes from when a parameter
-- changes. metrics.queries.valuation_inputs reads the months asked for.
-- * wellbeing / life_satisfaction (month closed): referrals in the wellbeing
--   base, their distinct victims, amount = sum of (exit - intake) life
--   satisfaction (the wellbeing value is linear in it);
-- * nhs / <contact type> (month closed): over referrals with comparable before
--   and after NHS records (nhs_paired), referrals and distinct victims with a
--   first-year change in that contact type, amount = the sum of the change; a
--   month with any paired referral has a row for every contact type;
-- * prevention / <crime_type>[|domestic_abuse] (month target hardening
--   started): referrals with target hardening, their distinct victims, amount
--   = the referrals;
-- * funding / all: amount = funding received (all agencies), no counts;
-- * status / <indicator>: one row per month of indicator_monthly and
--   monetised indicator, no counts.
-- status: the month's status (agency `all`) of the row's indicator in
-- indicator_monthly (wellbeing_social_value_gbp, nhs_cost_avoided_gbp,
-- crime_cost_avoided_gbp; the ids and contact types are those of
-- VALUE_INDICATORS and NHS_CONTACT_TYPES in metrics/queries.py); `ok` where
-- the month has none (funding rows, months outside the spine).
-- Rows without a month are left out. Every row is of one month, so a period is
-- a plain filter on month.
with

outcome_referrals as (

    select * from marts.fct_referrals

),

health_pairs as (

    select * from intermediate.int_outcome_health_pairs

),

funding as (

    select * from staging.stg_funding

),

indicator_monthly as (

    select * from marts.indicator_monthly

),

statuses as (

    select
        indicator_monthly.month,
        indicator_monthly.indicator_id,
        indicator_monthly.status
    from indicator_monthly
    where
        indicator_monthly.agency = 'all'
        and indicator_monthly.indicator_id in (
            'wellbeing_social_value_gbp', 'nhs_cost_avoided_gbp', 'crime_cost_avoided_gbp'
        )

),

wellbeing as (

    select
        outcome_referrals.closed_month as month, -- noqa: RF04
        'wellbeing' as component,
        'life_satisfaction' as item,
        count(*) as referrals,
        count(distinct outcome_referrals.victim_id) as persons,
        sum(outcome_referrals.life_satisfaction_change) as amount
    from outcome_referrals
    where outcome_referrals.wellbeing_social_value_base
    group by outcome_referrals.closed_month

),

paired_referrals as (

    select
        outcome_referrals.closed_month,
        outcome_referrals.victim_id,
        health_pairs.first_year_change_gp_appointments,
        health_pairs.first_year_change_ae_attendances,
        health_pairs.first_year_change_mental_health_crisis_contacts,
        health_pairs.first_year_change_ambulance_callouts,
        health_pairs.first_year_change_nonelective_admissions
    from health_pairs
    inner join outcome_referrals
        on health_pairs.referral_id = outcome_referrals.referral_id
    where health_pairs.nhs_paired

),

health_changes as (

    select
        closed_month,
        victim_id,
        'gp_appointments' as item,
        first_year_change_gp_appointments as first_year_change
    from paired_referrals
    union all
    select
        closed_month,
        victim_id,
        'ae_attendances' as item,
        first_year_change_ae_attendances as first_year_change
    from paired_referrals
    union all
    select
        closed_month,
        victim_id,
        'mental_health_crisis_contacts' as item,
        first_year_change_mental_health_crisis_contacts as first_year_change
    from paired_referrals
    union all
    select
        closed_month,
        victim_id,
        'ambulance_callouts' as item,
        first_year_change_ambulance_callouts as first_year_change
    from paired_referrals
    union all
    select
        closed_month,
        victim_id,
        'nonelective_admissions' as item,
        first_year_change_nonelective_admissions as first_year_change
    from paired_referrals

),

nhs as (

    select
        closed_month as month, -- noqa: RF04
        'nhs' as component,
        item,
        count(first_year_change) as referrals,
        count(distinct victim_id) filter (where first_year_change is not null) as persons,
        sum(first_year_change) as amount
    from health_changes
    group by closed_month, item

),

prevention as (

    select
        outcome_referrals.target_hardening_month as month, -- noqa: RF04
        'prevention' as component,
        outcome_referrals.crime_type
        || case when outcome_referrals.domestic_abuse then '|domestic_abuse' else '' end
            as item,
        count(*) as referrals,
        count(distinct outcome_referrals.victim_id) as persons,
        cast(count(*) as double) as amount
    from outcome_referrals
    where outcome_referrals.homes_made_safer
    group by all

),

money_in as (

    select
        funding_month as month, -- noqa: RF04
        'funding' as component,
        'all' as item,
        cast(null as bigint) as referrals,
        cast(null as bigint) as persons,
        sum(amount_gbp) as amount
    from funding
    group by funding_month

),

month_statuses as (

    select
        month,
        'status' as component,
        indicator_id as item,
        cast(null as bigint) as referrals,
        cast(null as bigint) as persons,
        cast(null as double) as amount
    from statuses

),

components as (

    select * from wellbeing
    union all
    select * from nhs
    union all
    select * from prevention
    union all
    select * from money_in
    union all
    select * from month_statuses

),

final as (

    select
        cast(components.month as date) as month, -- noqa: RF04
        cast(components.component as varchar) as component,
        cast(components.item as varchar) as item,
        cast(components.referrals as bigint) as referrals,
        cast(components.persons as bigint) as persons,
        cast(components.amount as double) as amount,
        cast(coalesce(statuses.status, 'ok') as varchar) as status
    from components
    left join statuses
        on
            components.month = statuses.month
            and statuses.indicator_id = case components.component
                when 'wellbeing' then 'wellbeing_social_value_gbp'
                when 'nhs' then 'nhs_cost_avoided_gbp'
                when 'prevention' then 'crime_cost_avoided_gbp'
                when 'status' then components.item
            end
    where components.month is not null
    order by month, component, item

)

select * from final
