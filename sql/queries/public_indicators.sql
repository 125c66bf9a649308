-- audiences: public
-- The indicators of the published catalogue and their kind.
with

catalogue as (

    select * from published.catalogue

),

final as (

    select
        indicator_id,
        kind
    from catalogue

)

select * from final
order by indicator_id
