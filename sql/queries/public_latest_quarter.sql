-- audiences: public
-- The first and last month of the latest published quarter (null when none is).
with

periods as (

    select * from published.periods

),

final as (

    select
        max(first_month) as first,  -- noqa: RF04
        max(last_month) as last  -- noqa: RF04
    from periods
    where status = 'published'

)

select * from final
