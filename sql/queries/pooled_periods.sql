-- audiences: manager, pcc
-- Every indicator pooled by (indicator, agency, bucket) over the months $first..$last.
-- Bucket: with $by_quarter, each calendar (financial) quarter, named by its first month
-- as text (YYYY-MM-DD); else `current` from $current_first and `previous` before it (a
-- single bucket when $current_first = $first). $every_agency: every agency's rows, else
-- $agency's. The caller sets each bucket's status and value from these sums
-- (metrics.queries).
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
        ($every_agency or indicator_monthly.agency = $agency)
        and indicator_monthly.month between $first and $last

),

bucketed as (

    select
        *,
        case
            when $by_quarter then strftime(date_trunc('quarter', month), '%Y-%m-%d')
            when month >= $current_first then 'current'
            else 'previous'
        end as bucket
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
