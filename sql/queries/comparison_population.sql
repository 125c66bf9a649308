-- audiences: manager
-- The comparison population of every month (marts.equity_reach): its people by basis,
-- characteristic and category.
with

equity_reach as (

    select * from marts.equity_reach

),

final as (

    select
        month,
        basis,
        basis_label,
        characteristic,
        category,
        comparison_people
    from equity_reach
    where comparison_people is not null

)

select * from final
order by month, basis, characteristic, category
