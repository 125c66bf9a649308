-- audiences: public
-- A hub's own register in the published release: each overridden row, the shipped
-- settings beside the hub's (settings in the row's own price year, before uprating).
with

overrides as (

    select * from published.overrides

),

final as (

    select
        name,
        unit,
        shipped_low,
        shipped_central,
        shipped_high,
        shipped_status,
        shipped_source,
        shipped_price_year,
        low,
        central,
        high,
        status,
        source,
        price_year,
        note
    from overrides

)

select * from final
order by name
