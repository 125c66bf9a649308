-- audiences: manager, pcc
-- Every indicator's monthly rows for one agency (or `all`) up to the month $last.
with

indicator_monthly as (

    select * from marts.indicator_monthly

),

catalogue as (

    select * from marts.indicator_catalogue

),

final as (

    select
        indicator_monthly.indicator_id,
        indicator_monthly.month as period_start,
        indicator_monthly.status,
        indicator_monthly.numerator,
        indicator_monthly.denominator,
        indicator_monthly.value,
        indicator_monthly.value_low,
        indicator_monthly.value_high,
        indicator_monthly.persons,
        catalogue.kind
    from indicator_monthly
    inner join catalogue
        on indicator_monthly.indicator_id = catalogue.indicator_id
    where indicator_monthly.agency = $agency and indicator_monthly.month <= $last

)

select * from final
order by indicator_id, period_start
