-- audiences: public
-- The assumptions register of the published release.
with

parameters as (

    select * from published.parameters

),

final as (

    select
        name,
        low,
        central,
        high,
        unit,
        price_year,
        base_year,
        uprate_factor,
        status,
        source,
        note
    from parameters

)

select * from final
order by name
