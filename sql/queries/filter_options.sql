-- audiences: manager, pcc
-- What the month and agency filters can offer: (kind, value).
with

indicator_monthly as (

    select * from marts.indicator_monthly

),

final as (

    select
        'month' as kind,
        strftime(month, '%Y-%m') as value  -- noqa: RF04
    from indicator_monthly
    group by month
    union all
    select
        'agency' as kind,
        agency as value  -- noqa: RF04
    from indicator_monthly
    where agency <> 'all'
    group by agency

)

select * from final
order by kind, value
