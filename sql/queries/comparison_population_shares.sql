-- audiences: manager
-- The comparison population's share of its characteristic, every month and basis
-- (marts.equity_reach).
with

equity_reach as (

    select * from marts.equity_reach

),

final as (

    select
        month,
        basis,
        characteristic,
        category,
        comparison_share
    from equity_reach

)

select * from final
