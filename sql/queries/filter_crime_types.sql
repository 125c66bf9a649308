-- audiences: manager, pcc
-- What the crime type filter can offer: (kind, value).
with

referrals as (

    select * from marts.fct_referrals

),

final as (

    select
        'crime_type' as kind,
        crime_type as value  -- noqa: RF04
    from referrals
    where crime_type is not null
    group by crime_type

)

select * from final
order by kind, value
