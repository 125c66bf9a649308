-- grain: one row per (referral_id, scope): every referral once with scope
-- 'all' (the hub as a whole) and once per agency it involves (see
-- int_referral_agencies). Referral-based indicators group by scope to get the
-- `all` row and the agency involvement rows in one pass.
with

referrals as (

    select * from staging.stg_referrals

),

referral_agencies as (

    select * from intermediate.int_referral_agencies

),

hub as (

    select
        referrals.referral_id,
        referrals.victim_id,
        'all' as agency
    from referrals

),

involved as (

    select
        referral_agencies.referral_id,
        referrals.victim_id,
        referral_agencies.agency
    from referral_agencies
    inner join referrals
        on referral_agencies.referral_id = referrals.referral_id

),

final as (

    select
        hub.referral_id,
        hub.victim_id,
        hub.agency
    from hub
    union all
    select
        involved.referral_id,
        involved.victim_id,
        involved.agency
    from involved

)

select * from final
