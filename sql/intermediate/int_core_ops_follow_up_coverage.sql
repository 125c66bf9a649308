-- grain: one row per (indicator_id, month, agency) for follow_up_coverage_3_12m
-- and follow_up_coverage_12m_plus. Base: completed referrals, month of
-- closed_date; count: those with any follow_up assessment in the window
-- [90, 365) or [365, 730) days after closed_date. Censoring is left to the
-- assembly (catalogue censor_days). Agency rows are involvement rows.
with

referrals as (

    select * from intermediate.int_referrals

),

assessments as (

    select * from staging.stg_assessments

),

scopes as (

    select * from intermediate.int_core_referral_scopes

),

completed as (

    select
        referrals.referral_id,
        referrals.victim_id,
        referrals.closed_date,
        referrals.closed_month
    from referrals
    where referrals.is_completed

),

follow_ups as (

    select
        completed.referral_id,
        bool_or(
            assessments.assessment_date - completed.closed_date >= 90
            and assessments.assessment_date - completed.closed_date < 365
        ) as has_medium_follow_up,
        bool_or(
            assessments.assessment_date - completed.closed_date >= 365
            and assessments.assessment_date - completed.closed_date < 730
        ) as has_long_follow_up
    from completed
    inner join assessments
        on completed.referral_id = assessments.referral_id
    where assessments.stage = 'follow_up'
    group by completed.referral_id

),

scoped as (

    select
        scopes.agency,
        completed.closed_month,
        completed.victim_id,
        coalesce(follow_ups.has_medium_follow_up, false) as has_medium_follow_up,
        coalesce(follow_ups.has_long_follow_up, false) as has_long_follow_up
    from completed
    inner join scopes
        on completed.referral_id = scopes.referral_id
    left join follow_ups
        on completed.referral_id = follow_ups.referral_id

),

victim_totals as (

    select
        closed_month,
        agency,
        victim_id,
        count(*) as completed_referrals,
        count(*) filter (where has_medium_follow_up) as with_medium_follow_up,
        count(*) filter (where has_long_follow_up) as with_long_follow_up
    from scoped
    group by closed_month, agency, victim_id

),

totals as (

    select
        closed_month,
        agency,
        sum(completed_referrals) as completed_referrals,
        sum(with_medium_follow_up) as with_medium_follow_up,
        sum(with_long_follow_up) as with_long_follow_up,
        count(*) as persons
    from victim_totals
    group by closed_month, agency

),

measures as (

    select
        'follow_up_coverage_3_12m' as indicator_id,
        closed_month,
        agency,
        with_medium_follow_up as numerator,
        completed_referrals as denominator,
        persons
    from totals
    union all
    select
        'follow_up_coverage_12m_plus' as indicator_id,
        closed_month,
        agency,
        with_long_follow_up as numerator,
        completed_referrals as denominator,
        persons
    from totals

),

final as (

    select
        indicator_id,
        closed_month as month, -- noqa: RF04
        agency,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        numerator / denominator as value, -- noqa: RF04
        cast(null as double) as value_low,
        cast(null as double) as value_high,
        cast(persons as bigint) as persons
    from measures

)

select * from final
