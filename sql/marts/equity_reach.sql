-- grain: one row per (month, basis, characteristic, category): equity of reach
-- over the 12 months ending with the month (indicators.md, reach_ratio).
-- victims_referred: distinct victims with a referral in the 12 months, in the
--   category; victims_known: those whose category is not `unknown`.
-- comparison: the population rows of the chosen basis (`recorded_victims`
--   where the extract supplies it for the characteristic, else `residents`),
--   `unknown` left out.
-- reach_ratio = victim share / comparison share; ci_low, ci_high = the 95 %
--   Wilson interval on the victim share / the comparison share (taken as fixed).
-- Categories: those in the comparison population or among the victims; the
-- ratio is NULL where the comparison share is 0 or there are no known victims.
-- A victim counts in a month when one of their referrals falls in the 12
-- months ending with it: from each distinct referral month the victim counts
-- until the next referral month or for 12 months, whichever ends first
-- (+1 / -1 events summed over months, so no month x victim expansion). The
-- events are summed per demographic profile before they are split by
-- characteristic. A victim with a single referral has a single 12-month span,
-- so those victims are counted per (month, profile) before the events.
-- Demographics come with the referral (int_referral_base: every referral's victim
-- is in victims, the ingest quarantines orphans).
with

referrals as (

    select * from intermediate.int_referral_base

),

repeat_referral_victims as (

    select * from intermediate.int_outcome_repeat_referral_victims

),

population as (

    select * from staging.stg_population

),

months as (

    select * from intermediate.int_referral_month_spine

),

referral_months as (

    select
        referrals.victim_id,
        referrals.referral_month,
        referrals.age_band,
        referrals.gender,
        referrals.ethnic_group,
        referrals.disability,
        referrals.lgbt,
        repeat_referral_victims.victim_id is not null as is_repeat_victim
    from referrals
    left join repeat_referral_victims
        on referrals.victim_id = repeat_referral_victims.victim_id

),

single_referral_profiles as (

    select
        referral_months.referral_month,
        referral_months.age_band,
        referral_months.gender,
        referral_months.ethnic_group,
        referral_months.disability,
        referral_months.lgbt,
        count(*) as victims
    from referral_months
    where not referral_months.is_repeat_victim
    group by all

),

repeat_referral_months as (

    select distinct
        referral_months.victim_id,
        referral_months.referral_month,
        referral_months.age_band,
        referral_months.gender,
        referral_months.ethnic_group,
        referral_months.disability,
        referral_months.lgbt
    from referral_months
    where referral_months.is_repeat_victim

),

repeat_referral_spans as (

    select
        referral_month as span_start,
        least(
            cast(referral_month + interval 12 month as date),
            lead(referral_month) over (partition by victim_id order by referral_month)
        ) as span_end,
        age_band,
        gender,
        ethnic_group,
        disability,
        lgbt
    from repeat_referral_months

),

span_events as (

    select
        single_referral_profiles.referral_month as event_month,
        single_referral_profiles.age_band,
        single_referral_profiles.gender,
        single_referral_profiles.ethnic_group,
        single_referral_profiles.disability,
        single_referral_profiles.lgbt,
        single_referral_profiles.victims as delta
    from single_referral_profiles
    union all
    select
        cast(single_referral_profiles.referral_month + interval 12 month as date)
            as event_month,
        single_referral_profiles.age_band,
        single_referral_profiles.gender,
        single_referral_profiles.ethnic_group,
        single_referral_profiles.disability,
        single_referral_profiles.lgbt,
        -single_referral_profiles.victims as delta
    from single_referral_profiles
    union all
    select
        repeat_referral_spans.span_start as event_month,
        repeat_referral_spans.age_band,
        repeat_referral_spans.gender,
        repeat_referral_spans.ethnic_group,
        repeat_referral_spans.disability,
        repeat_referral_spans.lgbt,
        1 as delta
    from repeat_referral_spans
    union all
    select
        repeat_referral_spans.span_end as event_month,
        repeat_referral_spans.age_band,
        repeat_referral_spans.gender,
        repeat_referral_spans.ethnic_group,
        repeat_referral_spans.disability,
        repeat_referral_spans.lgbt,
        -1 as delta
    from repeat_referral_spans

),

profile_events as (

    select
        span_events.event_month,
        span_events.age_band,
        span_events.gender,
        span_events.ethnic_group,
        span_events.disability,
        span_events.lgbt,
        sum(span_events.delta) as delta
    from span_events
    group by all

),

category_events as (

    select
        'age_band' as characteristic,
        age_band as category,
        event_month,
        sum(delta) as delta
    from profile_events
    group by age_band, event_month
    union all
    select
        'gender' as characteristic,
        gender as category,
        event_month,
        sum(delta) as delta
    from profile_events
    group by gender, event_month
    union all
    select
        'ethnic_group' as characteristic,
        ethnic_group as category,
        event_month,
        sum(delta) as delta
    from profile_events
    group by ethnic_group, event_month
    union all
    select
        'disability' as characteristic,
        disability as category,
        event_month,
        sum(delta) as delta
    from profile_events
    group by disability, event_month
    union all
    select
        'lgbt' as characteristic,
        lgbt as category,
        event_month,
        sum(delta) as delta
    from profile_events
    group by lgbt, event_month

),

known_population as (

    select
        population.basis,
        population.characteristic,
        population.category,
        population.people
    from population
    where population.category != 'unknown'

),

recorded_totals as (

    select
        known_population.characteristic,
        coalesce(
            sum(known_population.people) filter (
                where known_population.basis = 'recorded_victims'
            ),
            0
        ) as recorded_victims_people
    from known_population
    group by known_population.characteristic

),

chosen_basis as (

    select
        recorded_totals.characteristic,
        case
            when recorded_totals.recorded_victims_people > 0 then 'recorded_victims'
            else 'residents'
        end as basis
    from recorded_totals

),

comparison as (

    select
        known_population.characteristic,
        known_population.category,
        known_population.people
    from known_population
    inner join chosen_basis
        on
            known_population.characteristic = chosen_basis.characteristic
            and known_population.basis = chosen_basis.basis

),

categories as (

    select
        comparison.characteristic,
        comparison.category
    from comparison
    union
    select distinct
        category_events.characteristic,
        category_events.category
    from category_events
    inner join chosen_basis
        on category_events.characteristic = chosen_basis.characteristic
    where category_events.category != 'unknown'

),

grid as (

    select
        months.month_start,
        categories.characteristic,
        categories.category
    from months
    cross join categories

),

running as (

    select
        grid.month_start,
        grid.characteristic,
        grid.category,
        sum(coalesce(category_events.delta, 0)) over (
            partition by grid.characteristic, grid.category
            order by grid.month_start
            rows between unbounded preceding and current row
        ) as victims_referred
    from grid
    left join category_events
        on
            grid.characteristic = category_events.characteristic
            and grid.category = category_events.category
            and grid.month_start = category_events.event_month

),

shares as (

    select
        running.month_start,
        chosen_basis.basis,
        running.characteristic,
        running.category,
        running.victims_referred,
        sum(running.victims_referred) over (
            partition by running.month_start, running.characteristic
        ) as victims_known,
        coalesce(comparison.people, 0) as comparison_people,
        sum(coalesce(comparison.people, 0)) over (
            partition by running.month_start, running.characteristic
        ) as comparison_total
    from running
    inner join chosen_basis
        on running.characteristic = chosen_basis.characteristic
    left join comparison
        on
            running.characteristic = comparison.characteristic
            and running.category = comparison.category

),

wilson as (

    select
        shares.*,
        case
            when shares.victims_known > 0
                then shares.victims_referred / shares.victims_known
        end as victim_share,
        case
            when shares.comparison_total > 0
                then shares.comparison_people / shares.comparison_total
        end as comparison_share,
        1.959963984540054 as z
    from shares

),

intervals as (

    select
        wilson.*,
        (
            wilson.victim_share + wilson.z ^ 2 / (2 * wilson.victims_known)
        ) / (1 + wilson.z ^ 2 / wilson.victims_known) as wilson_centre,
        wilson.z * sqrt(
            wilson.victim_share * (1 - wilson.victim_share) / wilson.victims_known
            + wilson.z ^ 2 / (4 * wilson.victims_known ^ 2)
        ) / (1 + wilson.z ^ 2 / wilson.victims_known) as wilson_half_width
    from wilson

),

final as (

    select
        intervals.month_start as month, -- noqa: RF04
        intervals.basis,
        case intervals.basis
            when 'recorded_victims' then 'relative to police-recorded victims'
            else 'relative to residents, not victims'
        end as basis_label,
        intervals.characteristic,
        intervals.category,
        cast(intervals.victims_referred as bigint) as victims_referred,
        cast(intervals.victims_known as bigint) as victims_known,
        intervals.victim_share,
        cast(intervals.comparison_people as bigint) as comparison_people,
        intervals.comparison_share,
        case
            when intervals.comparison_share > 0
                then intervals.victim_share / intervals.comparison_share
        end as reach_ratio,
        case
            when intervals.comparison_share > 0
                then
                    greatest(intervals.wilson_centre - intervals.wilson_half_width, 0)
                    / intervals.comparison_share
        end as ci_low,
        case
            when intervals.comparison_share > 0
                then
                    least(intervals.wilson_centre + intervals.wilson_half_width, 1)
                    / intervals.comparison_share
        end as ci_high
    from intervals
    order by month, intervals.characteristic, intervals.category

)

select * from final
