-- audiences: public
-- The published rows of the quarter starting $first ('current') and of the quarter
-- starting $previous_first ('previous').
with

indicator_quarter as (

    select * from published.indicator_quarter

),

final as (

    select
        case when period_start = $first then 'current' else 'previous' end as bucket,
        indicator_id,
        period_start,
        kind,
        months,
        months_ok,
        months_not_yet_measurable,
        months_no_data,
        months_empty_base,
        numerator,
        denominator,
        persons,
        status,
        value,
        value_low,
        value_high,
        suppressed
    from indicator_quarter
    where period_start in ($first, $previous_first)

)

select * from final
order by indicator_id, period_start
