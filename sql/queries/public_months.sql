-- audiences: public
-- The months of the published quarters: the public view's month filter, (kind, value).
with

periods as (

    select * from published.periods

),

months as (

    select unnest(generate_series(first_month, last_month, interval 1 month)) as month  -- noqa: RF04
    from periods
    where status = 'published'

),

final as (

    select
        'month' as kind,
        strftime(month, '%Y-%m') as value  -- noqa: RF04
    from months
    group by all

)

select * from final
order by kind, value
