-- materialized: ephemeral
-- grain: one row per (indicator_id, month, agency) for the working-together
-- indicators (evidence.md, Working together), with the family columns of
-- docs/architecture.md; rows only where the base is not empty.
-- multi_agency_share: base referrals with an assessment_date, count those
--   worked on by two or more agencies (int_referral_collaboration). Month of
--   referral_date; agency rows are involvement rows (int_referral_agencies).
-- redirect_resolved_10wd: base redirects past their 10-working-day deadline,
--   count those picked up by another agency in time (int_referral_redirects).
--   Month of the redirect's outcome_date; one agency row, the agency the
--   referral was redirected from.
-- listened_to_at_exit: base exit surveys with listened_to, count scores of 4
--   or 5. Month of survey_date; agency rows are involvement rows.
-- persons: distinct victims behind the row.
with

collaboration as (

    select * from intermediate.int_referral_collaboration

),

redirects as (

    select * from intermediate.int_referral_redirects

),

referral_agencies as (

    select * from intermediate.int_referral_agencies

),

exit_surveys as (

    select * from staging.stg_exit_surveys

),

referrals as (

    select * from staging.stg_referrals

),

referral_units as (

    select
        'multi_agency_share' as indicator_id,
        collaboration.referral_month as unit_month,
        collaboration.referral_id,
        collaboration.victim_id,
        collaboration.is_multi_agency as is_counted
    from collaboration
    where collaboration.is_assessed
    union all
    select
        'listened_to_at_exit' as indicator_id,
        cast(date_trunc('month', exit_surveys.survey_date) as date) as unit_month,
        exit_surveys.referral_id,
        referrals.victim_id,
        exit_surveys.listened_to >= 4 as is_counted
    from exit_surveys
    inner join referrals
        on exit_surveys.referral_id = referrals.referral_id
    where exit_surveys.listened_to is not null

),

scoped as (

    select
        referral_units.indicator_id,
        referral_units.unit_month,
        'all' as agency,
        referral_units.victim_id,
        referral_units.is_counted
    from referral_units
    union all
    select
        referral_units.indicator_id,
        referral_units.unit_month,
        referral_agencies.agency,
        referral_units.victim_id,
        referral_units.is_counted
    from referral_units
    inner join referral_agencies
        on referral_units.referral_id = referral_agencies.referral_id
    union all
    select
        'redirect_resolved_10wd' as indicator_id,
        redirects.outcome_month as unit_month,
        'all' as agency,
        redirects.victim_id,
        redirects.is_resolved as is_counted
    from redirects
    where redirects.is_in_base
    union all
    select
        'redirect_resolved_10wd' as indicator_id,
        redirects.outcome_month as unit_month,
        redirects.agency,
        redirects.victim_id,
        redirects.is_resolved as is_counted
    from redirects
    where redirects.is_in_base

),

totals as (

    select
        scoped.indicator_id,
        scoped.unit_month,
        scoped.agency,
        count(*) filter (where scoped.is_counted) as counted,
        count(*) as base,
        count(distinct scoped.victim_id) as persons
    from scoped
    group by scoped.indicator_id, scoped.unit_month, scoped.agency

),

final as (

    select
        totals.indicator_id,
        totals.unit_month as month, -- noqa: RF04
        totals.agency,
        cast(totals.counted as double) as numerator,
        cast(totals.base as double) as denominator,
        totals.counted / totals.base as value, -- noqa: RF04
        cast(null as double) as value_low,
        cast(null as double) as value_high,
        cast(totals.persons as bigint) as persons
    from totals

)

select * from final
