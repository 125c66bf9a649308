-- audiences: manager
-- The comparison population's share of each category (equity_reach, the latest month
-- on or before $month).
with

reach as (

    select * from marts.equity_reach

),

latest as (

    select max(reach.month) as latest_month
    from reach
    where reach.month <= $month

),

final as (

    select
        reach.characteristic,
        reach.category,
        reach.basis_label,
        reach.comparison_share
    from reach
    inner join latest
        on reach.month = latest.latest_month
    where reach.comparison_share is not null

)

select * from final
order by characteristic, category
