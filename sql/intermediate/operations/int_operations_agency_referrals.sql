-- grain: one row per (indicator_id, month, agency) for the indicators whose
-- unit is an agency referral: mental_health_seen_10wd, agency_accepted_5wd,
-- agency_declined and assessment_to_agency_days (median working days: the
-- median is in numerator and value, the number of agency referrals in the
-- denominator). Month of sent_date; the `all` row counts each agency referral
-- once, agency rows split by receiving agency. Rows only where the base is
-- not empty.
with

agency_referrals as (

    select * from intermediate.int_referral_agency_referrals

),

scoped as (

    select
        'all' as scope,
        agency_referrals.*
    from agency_referrals
    union all
    select
        agency_referrals.agency as scope,
        agency_referrals.*
    from agency_referrals

),

victim_totals as (

    select
        sent_month,
        scope,
        victim_id,
        count(*) filter (where is_mh_seen_in_base) as mh_base,
        count(*) filter (where is_mh_seen_on_time) as mh_on_time,
        count(*) filter (where is_acceptance_in_base) as acceptance_base,
        count(*) filter (where is_accepted_on_time) as accepted_on_time,
        count(*) filter (where is_decided) as decided,
        count(*) filter (where is_declined) as declined,
        count(working_days_from_assessment) as assessed_sent
    from scoped
    group by sent_month, scope, victim_id

),

victim_counts as (

    select
        sent_month,
        scope,
        sum(mh_base) as mh_base,
        sum(mh_on_time) as mh_on_time,
        count(*) filter (where mh_base > 0) as mh_persons,
        sum(acceptance_base) as acceptance_base,
        sum(accepted_on_time) as accepted_on_time,
        count(*) filter (where acceptance_base > 0) as acceptance_persons,
        sum(decided) as decided,
        sum(declined) as declined,
        count(*) filter (where decided > 0) as decided_persons,
        sum(assessed_sent) as assessed_sent,
        count(*) filter (where assessed_sent > 0) as assessed_persons
    from victim_totals
    group by sent_month, scope

),

medians as (

    select
        sent_month,
        scope,
        quantile_cont(working_days_from_assessment, 0.5) as median_working_days
    from scoped
    where working_days_from_assessment is not null
    group by sent_month, scope

),

totals as (

    select
        victim_counts.*,
        medians.median_working_days
    from victim_counts
    left join medians
        on
            victim_counts.sent_month = medians.sent_month
            and victim_counts.scope = medians.scope

),

measures as (

    select
        'mental_health_seen_10wd' as indicator_id,
        sent_month,
        scope,
        cast(mh_on_time as double) as numerator,
        cast(mh_base as double) as denominator,
        mh_on_time / mh_base as rate,
        mh_persons as persons
    from totals
    where mh_base > 0
    union all
    select
        'agency_accepted_5wd' as indicator_id,
        sent_month,
        scope,
        cast(accepted_on_time as double) as numerator,
        cast(acceptance_base as double) as denominator,
        accepted_on_time / acceptance_base as rate,
        acceptance_persons as persons
    from totals
    where acceptance_base > 0
    union all
    select
        'agency_declined' as indicator_id,
        sent_month,
        scope,
        cast(declined as double) as numerator,
        cast(decided as double) as denominator,
        declined / decided as rate,
        decided_persons as persons
    from totals
    where decided > 0
    union all
    select
        'assessment_to_agency_days' as indicator_id,
        sent_month,
        scope,
        median_working_days as numerator,
        cast(assessed_sent as double) as denominator,
        median_working_days as rate,
        assessed_persons as persons
    from totals
    where assessed_sent > 0

),

final as (

    select
        indicator_id,
        sent_month as month, -- noqa: RF04
        scope as agency,
        numerator,
        denominator,
        rate as value, -- noqa: RF04
        cast(null as double) as value_low,
        cast(null as double) as value_high,
        cast(persons as bigint) as persons
    from measures

)

select * from final
