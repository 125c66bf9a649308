-- audiences: manager, pcc
-- Where the hub reaches: per area among the victims (every one kept, 0 where nobody was
-- referred), the referrals received in months first..last and the distinct victims
-- behind them. The whole hub (no agency or crime type cut).
with

areas as (

    select * from marts.areas

),

facts as (

    select * from marts.fct_referrals

),

in_period as (

    select
        coalesce(nullif(trim(facts.area), ''), 'unknown') as area,
        facts.victim_id
    from facts
    where facts.referral_month between $first and $last

),

counted as (

    select
        in_period.area,
        count(*) as referrals,
        count(distinct in_period.victim_id) as persons
    from in_period
    group by in_period.area

),

final as (

    select
        areas.area,
        coalesce(counted.referrals, 0) as referrals,
        coalesce(counted.persons, 0) as persons
    from areas
    left join counted
        on areas.area = counted.area

)

select * from final
order by area = 'unknown', area
