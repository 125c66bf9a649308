-- audiences: public
-- Every published quarter's rows up to the quarter ending with the month $last.
with

indicator_quarter as (

    select * from published.indicator_quarter

),

final as (

    select
        indicator_id,
        period_start,
        status,
        numerator,
        denominator,
        value,
        value_low,
        value_high,
        persons,
        kind,
        suppressed
    from indicator_quarter
    where period_start <= $last

)

select * from final
order by indicator_id, period_start
