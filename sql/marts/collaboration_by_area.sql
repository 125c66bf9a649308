-- grain: one row per (indicator_id, month, area) for the working-together
-- rates (multi_agency_share, redirect_resolved_10wd, listened_to_at_exit), for
-- every month of int_referral_month_spine and every area that appears among
-- the victims (marts.areas; evidence.md, Place): an area with nobody in the base that month
-- has a row with denominator 0 (empty, never left out). A blank area is
-- 'unknown' ("Not recorded"). Bases and counts follow the hub's indicator
-- rules (int_referral_collaboration, int_referral_redirects); persons are the
-- distinct victims behind the row.
with

collaboration as (

    select * from intermediate.int_referral_collaboration

),

redirects as (

    select * from intermediate.int_referral_redirects

),

exit_surveys as (

    select * from staging.stg_exit_surveys

),

referrals as (

    select * from staging.stg_referrals

),

victims as (

    select * from staging.stg_victims

),

months as (

    select * from intermediate.int_referral_month_spine

),

areas as (

    select * from marts.areas

),

victim_areas as (

    select
        victims.victim_id,
        coalesce(nullif(trim(victims.area), ''), 'unknown') as area
    from victims

),

indicators as (

    select unnest([
        'multi_agency_share', 'redirect_resolved_10wd', 'listened_to_at_exit'
    ]) as indicator_id

),

units as (

    select
        'multi_agency_share' as indicator_id,
        collaboration.referral_month as unit_month,
        collaboration.victim_id,
        collaboration.is_multi_agency as is_counted
    from collaboration
    where collaboration.is_assessed
    union all
    select
        'redirect_resolved_10wd' as indicator_id,
        redirects.outcome_month as unit_month,
        redirects.victim_id,
        redirects.is_resolved as is_counted
    from redirects
    where redirects.is_in_base
    union all
    select
        'listened_to_at_exit' as indicator_id,
        cast(date_trunc('month', exit_surveys.survey_date) as date) as unit_month,
        referrals.victim_id,
        exit_surveys.listened_to >= 4 as is_counted
    from exit_surveys
    inner join referrals
        on exit_surveys.referral_id = referrals.referral_id
    where exit_surveys.listened_to is not null

),

totals as (

    select
        units.indicator_id,
        units.unit_month,
        victim_areas.area,
        count(*) filter (where units.is_counted) as counted,
        count(*) as base,
        count(distinct units.victim_id) as persons
    from units
    inner join victim_areas
        on units.victim_id = victim_areas.victim_id
    group by units.indicator_id, units.unit_month, victim_areas.area

),

final as (

    select
        indicators.indicator_id,
        months.month_start as month, -- noqa: RF04
        areas.area,
        cast(coalesce(totals.counted, 0) as double) as numerator,
        cast(coalesce(totals.base, 0) as double) as denominator,
        cast(coalesce(totals.persons, 0) as bigint) as persons
    from indicators
    cross join months
    cross join areas
    left join totals
        on
            indicators.indicator_id = totals.indicator_id
            and months.month_start = totals.unit_month
            and areas.area = totals.area

)

select * from final
