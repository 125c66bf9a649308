-- grain: one row per (indicator_id, month, agency) for follow_up_coverage_3_12m
-- and follow_up_coverage_12m_plus. Base: completed referrals, month of
-- closed_date; count: those with any follow_up assessment in the window
-- [90, 365) or [365, 730) days after closed_date (has_medium_follow_up and
-- has_long_follow_up of int_outcome_referrals, from int_outcome_follow_ups).
-- Censoring is left to the assembly (catalogue censor_days). Agency rows are
-- involvement rows (int_referral_agencies); every referral involves
-- victim_support, so its rows are the `all` rows. persons: a victim with a
-- single referral is one person per referral, so only repeat-referral victims
-- need a distinct count.
with

outcome_referrals as (

    select * from intermediate.int_outcome_referrals

),

referral_agencies as (

    select * from intermediate.int_referral_agencies

),

units as (

    select
        outcome_referrals.referral_id,
        outcome_referrals.closed_month,
        outcome_referrals.victim_id,
        outcome_referrals.victim_has_other_referrals as is_repeat_victim,
        outcome_referrals.has_medium_follow_up,
        outcome_referrals.has_long_follow_up
    from outcome_referrals
    where outcome_referrals.is_completed

),

scoped as (

    select
        'all' as agency,
        units.closed_month,
        units.victim_id,
        units.is_repeat_victim,
        units.has_medium_follow_up,
        units.has_long_follow_up
    from units
    union all
    select
        referral_agencies.agency,
        units.closed_month,
        units.victim_id,
        units.is_repeat_victim,
        units.has_medium_follow_up,
        units.has_long_follow_up
    from units
    inner join referral_agencies
        on units.referral_id = referral_agencies.referral_id
    where referral_agencies.agency != 'victim_support'

),

scope_totals as (

    select
        closed_month,
        agency,
        count(*) as completed_referrals,
        count(*) filter (where has_medium_follow_up) as with_medium_follow_up,
        count(*) filter (where has_long_follow_up) as with_long_follow_up,
        count(*) filter (where not is_repeat_victim) as single_referral_persons
    from scoped
    group by closed_month, agency

),

repeat_victim_rows as (

    select distinct
        closed_month,
        agency,
        victim_id
    from scoped
    where is_repeat_victim

),

repeat_persons as (

    select
        closed_month,
        agency,
        count(*) as persons
    from repeat_victim_rows
    group by closed_month, agency

),

scope_persons as (

    select
        scope_totals.closed_month,
        scope_totals.agency,
        scope_totals.completed_referrals,
        scope_totals.with_medium_follow_up,
        scope_totals.with_long_follow_up,
        scope_totals.single_referral_persons
        + coalesce(repeat_persons.persons, 0) as persons
    from scope_totals
    left join repeat_persons
        on
            scope_totals.closed_month = repeat_persons.closed_month
            and scope_totals.agency = repeat_persons.agency

),

totals as (

    select
        scope_persons.closed_month,
        scope_persons.agency,
        scope_persons.completed_referrals,
        scope_persons.with_medium_follow_up,
        scope_persons.with_long_follow_up,
        scope_persons.persons
    from scope_persons
    union all
    select
        scope_persons.closed_month,
        'victim_support' as agency,
        scope_persons.completed_referrals,
        scope_persons.with_medium_follow_up,
        scope_persons.with_long_follow_up,
        scope_persons.persons
    from scope_persons
    where scope_persons.agency = 'all'

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
