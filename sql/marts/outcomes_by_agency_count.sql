-- grain: one row per (indicator_id, month the case closed, agency_count) with
-- a non-empty base: the exit outcomes of cases worked on by at most one agency
-- and by two or more (the multi_agency_share rule, int_referral_collaboration),
-- with 95 % Wilson score intervals. Descriptive, not causal: cases that need
-- several agencies differ from those that need one.
-- agency_count: 'at_most_one' or 'two_or_more'. Bases and counts are
-- fct_referrals' <id>_base and <id>_success flags.
with

referrals as (

    select * from marts.fct_referrals

),

collaboration as (

    select * from intermediate.int_referral_collaboration

),

grouped as (

    select
        referrals.victim_id,
        referrals.closed_month,
        case
            when collaboration.is_multi_agency then 'two_or_more' else 'at_most_one'
        end as agency_count,
        referrals.wellbeing_gain_at_exit_base,
        referrals.wellbeing_gain_at_exit_success,
        referrals.coped_better_at_exit_base,
        referrals.coped_better_at_exit_success,
        referrals.feel_safer_at_exit_base,
        referrals.feel_safer_at_exit_success
    from referrals
    inner join collaboration
        on referrals.referral_id = collaboration.referral_id

),

units as (

    select
        'wellbeing_gain_at_exit' as indicator_id,
        grouped.closed_month,
        grouped.agency_count,
        grouped.victim_id,
        grouped.wellbeing_gain_at_exit_success as is_success
    from grouped
    where grouped.wellbeing_gain_at_exit_base
    union all
    select
        'coped_better_at_exit' as indicator_id,
        grouped.closed_month,
        grouped.agency_count,
        grouped.victim_id,
        grouped.coped_better_at_exit_success as is_success
    from grouped
    where grouped.coped_better_at_exit_base
    union all
    select
        'feel_safer_at_exit' as indicator_id,
        grouped.closed_month,
        grouped.agency_count,
        grouped.victim_id,
        grouped.feel_safer_at_exit_success as is_success
    from grouped
    where grouped.feel_safer_at_exit_base

),

totals as (

    select
        units.indicator_id,
        units.closed_month,
        units.agency_count,
        count(*) as base,
        count(*) filter (where units.is_success) as successes,
        count(distinct units.victim_id) as persons
    from units
    group by units.indicator_id, units.closed_month, units.agency_count

),

wilson as (

    select
        totals.*,
        totals.successes / totals.base as success_share,
        1.959963984540054 * 1.959963984540054 as z2
    from totals

),

final as (

    select
        wilson.indicator_id,
        wilson.closed_month as month, -- noqa: RF04
        wilson.agency_count,
        wilson.base,
        wilson.successes,
        wilson.success_share as value, -- noqa: RF04
        greatest(
            0.0,
            (wilson.success_share + wilson.z2 / (2 * wilson.base)) / (1 + wilson.z2 / wilson.base)
            - 1.959963984540054 * sqrt(
                greatest(
                    0.0,
                    wilson.success_share * (1 - wilson.success_share) / wilson.base
                    + wilson.z2 / (4 * wilson.base * wilson.base)
                )
            ) / (1 + wilson.z2 / wilson.base)
        ) as ci_low,
        least(
            1.0,
            (wilson.success_share + wilson.z2 / (2 * wilson.base)) / (1 + wilson.z2 / wilson.base)
            + 1.959963984540054 * sqrt(
                greatest(
                    0.0,
                    wilson.success_share * (1 - wilson.success_share) / wilson.base
                    + wilson.z2 / (4 * wilson.base * wilson.base)
                )
            ) / (1 + wilson.z2 / wilson.base)
        ) as ci_high,
        cast(wilson.persons as bigint) as persons
    from wilson

)

select * from final
