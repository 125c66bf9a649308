-- grain: one row per area among the victims of the extract (evidence.md, Place): the
-- list every breakdown by area is drawn over, so an area with nobody in a base or a
-- period still has its row (zero, or empty, never left out). The extract has no list
-- of the hub's areas of its own: an area is known when some victim's record names it.
-- A blank area is 'unknown' ("Not recorded"), listed only when some victim has none.
-- victims: the people with that area (the whole extract, not a period).
with

victims as (

    select * from staging.stg_victims

),

victim_areas as (

    select
        victims.victim_id,
        coalesce(nullif(trim(victims.area), ''), 'unknown') as area
    from victims

),

final as (

    select
        victim_areas.area,
        count(*) as victims
    from victim_areas
    group by victim_areas.area

)

select * from final
