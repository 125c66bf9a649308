-- audiences: manager, pcc
-- One working-together rate by the victim's area over the months, every area kept; with
-- whether the hub has no data for the indicator.
with

areas as (

    select * from marts.collaboration_by_area

),

hub as (

    select status
    from marts.indicator_monthly
    where
        indicator_id = $indicator and agency = 'all'
        and month between $first and $last

),

final as (

    select
        areas.area,
        sum(areas.numerator) as numerator,
        sum(areas.denominator) as denominator,
        sum(areas.persons) as persons,
        (select bool_and(hub.status = 'no_data') from hub) as is_no_data
    from areas
    where areas.indicator_id = $indicator and areas.month between $first and $last
    group by areas.area

)

select * from final
order by area = 'unknown', area
