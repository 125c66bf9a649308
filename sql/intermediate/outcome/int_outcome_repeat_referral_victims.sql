-- grain: one row per victim with more than one referral.
-- Models that count distinct victims (persons) use it, the outcome families
-- (through int_outcome_referrals.victim_has_other_referrals) and the core
-- operations models alike: a victim with a single referral is one person per
-- referral-level row, so only the referrals of these victims need a distinct
-- count (or a merge of their spans).
with

referrals as (

    select * from staging.stg_referrals

),

final as (

    select referrals.victim_id
    from referrals
    group by referrals.victim_id
    having count(*) > 1

)

select * from final
