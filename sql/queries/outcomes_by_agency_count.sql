-- audiences: manager, pcc
-- Exit outcomes for cases with at most one agency and with two or more, over the months
-- the hub counts (status ok in indicator_monthly).
with

outcomes as (

    select * from marts.outcomes_by_agency_count

),

counted_months as (

    select
        indicator_id,
        month
    from marts.indicator_monthly
    where agency = 'all' and status = 'ok' and month between $first and $last

),

final as (

    select
        outcomes.indicator_id,
        outcomes.agency_count,
        sum(outcomes.base) as denominator,
        sum(outcomes.successes) as numerator,
        sum(outcomes.persons) as persons
    from outcomes
    inner join counted_months
        on
            outcomes.indicator_id = counted_months.indicator_id
            and outcomes.month = counted_months.month
    group by outcomes.indicator_id, outcomes.agency_count

)

select * from final
