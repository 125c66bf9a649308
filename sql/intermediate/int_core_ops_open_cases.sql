-- grain: one row per (month, agency) of the spine x (`all` + agencies):
-- open_cases, the cases open at the month's end.
-- all: referrals with referral_date <= month end and (closed_date null or
--   closed_date > month end): open in the months [referral month, closed
--   month), or to the as-of month while still open.
-- agency: referrals the agency accepted by the month end (outcome accepted,
--   outcome_date <= month end) whose agency referral had not ended by then
--   (ended_date null or > month end): open in [outcome month, ended month).
--   A referral counts once per agency, however many agency referrals it has.
-- Set-based without a month x case expansion: each key's (referral's or
-- victim's) open spans are merged into islands, each island adds +1 at its
-- first month and -1 at its end, and a running sum over the months gives the
-- count; persons (distinct victims) use the victim islands the same way. A
-- referral has one span in `all`, so those need no merging.
with

referrals as (

    select * from intermediate.int_referrals

),

agency_referrals as (

    select * from intermediate.int_core_agency_referrals

),

months as (

    select * from intermediate.int_month_spine

),

agencies as (

    select * from intermediate.int_core_agencies

),

build as (

    select * from meta.build

),

open_spans as (

    select
        'all' as agency,
        referrals.referral_id,
        referrals.victim_id,
        referrals.referral_month as span_start,
        coalesce(
            referrals.closed_month,
            cast(date_trunc('month', build.as_of) + interval 1 month as date)
        ) as span_end
    from referrals
    cross join build
    union all
    select
        agency_referrals.agency,
        agency_referrals.referral_id,
        agency_referrals.victim_id,
        cast(date_trunc('month', agency_referrals.outcome_date) as date) as span_start,
        coalesce(
            cast(date_trunc('month', agency_referrals.ended_date) as date),
            cast(date_trunc('month', build.as_of) + interval 1 month as date)
        ) as span_end
    from agency_referrals
    cross join build
    where agency_referrals.outcome = 'accepted'

),

keyed_spans as (

    select
        'referral' as key_kind,
        agency,
        referral_id as span_key,
        span_start,
        span_end
    from open_spans
    where span_end > span_start and agency != 'all'
    union all
    select
        'victim' as key_kind,
        agency,
        victim_id as span_key,
        span_start,
        span_end
    from open_spans
    where span_end > span_start

),

ordered_spans as (

    select
        key_kind,
        agency,
        span_key,
        span_start,
        span_end,
        max(span_end) over (
            partition by key_kind, agency, span_key
            order by span_start, span_end
            rows between unbounded preceding and 1 preceding
        ) as previous_end
    from keyed_spans

),

numbered_spans as (

    select
        key_kind,
        agency,
        span_key,
        span_start,
        span_end,
        sum(case when previous_end is null or span_start > previous_end then 1 else 0 end)
            over (
                partition by key_kind, agency, span_key
                order by span_start, span_end
                rows between unbounded preceding and current row
            ) as island_number
    from ordered_spans

),

merged_islands as (

    select
        key_kind,
        agency,
        min(span_start) as island_start,
        max(span_end) as island_end
    from numbered_spans
    group by key_kind, agency, span_key, island_number

),

islands as (

    select
        'referral' as key_kind,
        agency,
        span_start as island_start,
        span_end as island_end
    from open_spans
    where span_end > span_start and agency = 'all'
    union all
    select
        key_kind,
        agency,
        island_start,
        island_end
    from merged_islands

),

events as (

    select
        agency,
        island_start as event_month,
        count(*) filter (where key_kind = 'referral') as referral_delta,
        count(*) filter (where key_kind = 'victim') as victim_delta
    from islands
    group by agency, island_start
    union all
    select
        agency,
        island_end as event_month,
        -count(*) filter (where key_kind = 'referral') as referral_delta,
        -count(*) filter (where key_kind = 'victim') as victim_delta
    from islands
    group by agency, island_end

),

monthly_events as (

    select
        agency,
        event_month,
        sum(referral_delta) as referral_delta,
        sum(victim_delta) as victim_delta
    from events
    group by agency, event_month

),

scopes as (

    select 'all' as agency
    union all
    select agencies.agency
    from agencies

),

grid as (

    select
        months.month_start,
        scopes.agency
    from months
    cross join scopes

),

running as (

    select
        grid.month_start,
        grid.agency,
        sum(coalesce(monthly_events.referral_delta, 0)) over (
            partition by grid.agency
            order by grid.month_start
            rows between unbounded preceding and current row
        ) as open_referrals,
        sum(coalesce(monthly_events.victim_delta, 0)) over (
            partition by grid.agency
            order by grid.month_start
            rows between unbounded preceding and current row
        ) as open_persons
    from grid
    left join monthly_events
        on
            grid.agency = monthly_events.agency
            and grid.month_start = monthly_events.event_month

),

final as (

    select
        'open_cases' as indicator_id,
        month_start as month, -- noqa: RF04
        agency,
        cast(open_referrals as double) as numerator,
        cast(null as double) as denominator,
        cast(open_referrals as double) as value, -- noqa: RF04
        cast(null as double) as value_low,
        cast(null as double) as value_high,
        cast(open_persons as bigint) as persons
    from running

)

select * from final
