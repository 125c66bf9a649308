-- audiences: manager
-- Referrals per referral month (the months a release may publish).
with

referrals as (

    select * from marts.fct_referrals

),

final as (

    select
        referral_month as month,  -- noqa: RF04
        count(*) as n
    from referrals
    where referral_month is not null
    group by all

)

select * from final
