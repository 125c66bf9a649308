-- audiences: manager, pcc
-- Every area among the victims (the list a breakdown by area is drawn over), recorded
-- areas first, 'unknown' (Not recorded) last.
with

areas as (

    select * from marts.areas

),

final as (

    select areas.area
    from areas

)

select * from final
order by area = 'unknown', area
