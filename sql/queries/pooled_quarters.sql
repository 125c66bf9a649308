-- audiences: manager, pcc
-- Every indicator of the whole hub pooled over each calendar (financial) quarter of the
-- months $first..$last: bucket = the quarter's first month. The caller keeps the
-- quarters with all three months and sets their status and value (metrics.queries).
with

monthly as (

    select
        indicator_monthly.indicator_id,
        indicator_monthly.agency,
        indicator_monthly.month,
        indicator_monthly.status,
        indicator_monthly.numerator,
        indicator_monthly.denominator,
        indicator_monthly.value,
        indicator_monthly.value_low,
        indicator_monthly.value_high,
        indicator_monthly.persons,
        indicator_catalogue.kind
    from marts.indicator_monthly
    inner join marts.indicator_catalogue
        on indicator_monthly.indicator_id = indicator_catalogue.indicator_id
    where
        indicator_monthly.agency = 'all'
        and indicator_monthly.month between $first and $last

),

bucketed as (

    select
        *,
        cast(date_trunc('quarter', month) as date) as bucket
    from monthly

),

final as (

    select
        indicator_id,
        agency,
        bucket,
        any_value(kind) as kind,
        min(month) as first_month,
        max(month) as last_month,
        count(*) as months,
        count(*) filter (where status = 'ok') as months_ok,
        count(*) filter (where status = 'not_yet_measurable') as months_not_yet_measurable,
        count(*) filter (where status = 'no_data') as months_no_data,
        count(*) filter (where status = 'empty_base') as months_empty_base,
        sum(numerator) filter (where status = 'ok') as numerator,
        sum(denominator) filter (where status = 'ok') as denominator,
        sum(value_low * coalesce(denominator, 1)) filter (where status = 'ok')
            as weighted_low,
        sum(value_high * coalesce(denominator, 1)) filter (where status = 'ok')
            as weighted_high,
        sum(persons) filter (where status = 'ok') as persons,
        max(persons) filter (where status = 'ok') as persons_max,
        max(month) filter (where status = 'ok') as last_ok_month,
        arg_max(numerator, month) filter (where status = 'ok') as last_ok_numerator,
        arg_max(value, month) filter (where status = 'ok') as last_ok_value,
        arg_max(persons, month) filter (where status = 'ok') as last_ok_persons,
        arg_max(denominator, month) filter (where status = 'ok') as last_ok_denominator
    from bucketed
    group by indicator_id, agency, bucket

)

select * from final
order by indicator_id, agency, bucket
