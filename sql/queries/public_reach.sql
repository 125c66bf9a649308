-- audiences: public
-- The published reach of the quarter ending with the month $last.
with

equity_reach as (

    select * from published.equity_reach

),

final as (

    select
        month,
        basis,
        characteristic,
        category,
        victims_referred,
        comparison_people,
        reach_ratio,
        ci_low,
        ci_high,
        basis_label,
        status,
        suppressed
    from equity_reach
    where month = $last

)

select * from final
order by characteristic, category, basis
