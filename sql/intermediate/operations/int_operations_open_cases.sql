-- grain: one row per (month, agency) of the spine x (`all` + agencies):
-- open_cases, the cases open at the month's end.
-- all: referrals with referral_date <= month end and (closed_date null or
--   closed_date > month end): open in the months [referral month, closed
--   month), or to the as-of month while still open.
-- agency: referrals the agency accepted by the month end (outcome accepted,
--   outcome_date <= month end) whose agency referral had not ended by then
--   (ended_date null or > month end): open in [outcome month, ended month).
--   A referral counts once per agency, however many agency referrals it has.
-- Set-based without a month x case expansion: a key (referral or victim)
-- with a single open span adds +1 at its first month and -1 at its end, and a
-- running sum over the months gives the count. A referral has one span in
-- `all`, and so has a victim with a single referral; the few keys with
-- several spans (a repeat-referral victim, a referral with several accepted
-- agency referrals to one agency) are counted month by month from their
-- distinct (key, month) pairs, so overlapping spans count once. persons
-- (distinct victims) use the victim keys the same way.
with

referrals as (

    select * from intermediate.int_outcome_referrals

),

agency_referrals as (

    select * from intermediate.int_referral_agency_referrals

),

months as (

    select * from intermediate.int_referral_month_spine

),

agencies as (

    select * from intermediate.int_referral_agency_list

),

build as (

    select * from meta.build

),

open_spans as (

    select
        'all' as agency,
        referrals.referral_id,
        referrals.victim_id,
        not referrals.victim_has_other_referrals as is_single_referral_victim,
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
        false as is_single_referral_victim,
        cast(date_trunc('month', agency_referrals.outcome_date) as date) as span_start,
        coalesce(
            cast(date_trunc('month', agency_referrals.ended_date) as date),
            cast(date_trunc('month', build.as_of) + interval 1 month as date)
        ) as span_end
    from agency_referrals
    cross join build
    where agency_referrals.outcome = 'accepted'

),

nonempty_spans as (

    select
        open_spans.agency,
        open_spans.referral_id,
        open_spans.victim_id,
        open_spans.span_start,
        open_spans.span_end,
        open_spans.is_single_referral_victim
    from open_spans
    where open_spans.span_end > open_spans.span_start

),

keyed_spans as (

    select
        'referral' as key_kind,
        agency,
        referral_id as span_key,
        span_start,
        span_end
    from nonempty_spans
    where agency != 'all'
    union all
    select
        'victim' as key_kind,
        agency,
        victim_id as span_key,
        span_start,
        span_end
    from nonempty_spans
    where not is_single_referral_victim

),

key_spans as (

    select
        key_kind,
        agency,
        span_key,
        count(*) as spans,
        min(span_start) as first_start,
        max(span_end) as last_end
    from keyed_spans
    group by key_kind, agency, span_key

),

multi_span_keys as (

    select
        key_kind,
        agency,
        span_key
    from key_spans
    where spans > 1

),

multi_spans as (

    select
        keyed_spans.key_kind,
        keyed_spans.agency,
        keyed_spans.span_key,
        keyed_spans.span_start,
        keyed_spans.span_end
    from keyed_spans
    inner join multi_span_keys
        on
            keyed_spans.key_kind = multi_span_keys.key_kind
            and keyed_spans.agency = multi_span_keys.agency
            and keyed_spans.span_key = multi_span_keys.span_key

),

multi_span_months as (

    select distinct
        multi_spans.key_kind,
        multi_spans.agency,
        multi_spans.span_key,
        months.month_start
    from multi_spans
    inner join months
        on
            multi_spans.span_start <= months.month_start
            and multi_spans.span_end > months.month_start

),

multi_span_counts as (

    select
        agency,
        month_start,
        count(*) filter (where key_kind = 'referral') as open_referrals,
        count(*) filter (where key_kind = 'victim') as open_persons
    from multi_span_months
    group by agency, month_start

),

islands as (

    select
        'referral' as key_kind,
        agency,
        span_start as island_start,
        span_end as island_end
    from nonempty_spans
    where agency = 'all'
    union all
    select
        'victim' as key_kind,
        agency,
        span_start as island_start,
        span_end as island_end
    from nonempty_spans
    where is_single_referral_victim
    union all
    select
        key_kind,
        agency,
        first_start as island_start,
        last_end as island_end
    from key_spans
    where spans = 1

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

open_counts as (

    select
        running.month_start,
        running.agency,
        running.open_referrals + coalesce(multi_span_counts.open_referrals, 0)
            as open_referrals,
        running.open_persons + coalesce(multi_span_counts.open_persons, 0) as open_persons
    from running
    left join multi_span_counts
        on
            running.agency = multi_span_counts.agency
            and running.month_start = multi_span_counts.month_start

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
    from open_counts

)

select * from final
