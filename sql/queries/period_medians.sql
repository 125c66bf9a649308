-- audiences: manager, pcc
-- Median working days from assessment to agency referral over the period (bucket
-- `current`, from $first) and the period before it (`previous`, from $previous_first),
-- for one agency or the hub (`all`).
with

agency_referrals as (

    select * from marts.agency_referrals

),

final as (

    select
        case when sent_month >= $first then 'current' else 'previous' end as bucket,
        quantile_cont(working_days_from_assessment, 0.5) as median_days
    from agency_referrals
    where
        sent_month between $previous_first and $last
        and working_days_from_assessment is not null
        and ($agency = 'all' or agency = $agency)
    group by bucket

)

select * from final
