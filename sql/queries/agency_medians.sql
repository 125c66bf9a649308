-- audiences: manager, pcc
-- Median working days from assessment to agency referral over the months first..last,
-- for the hub (`all`) and each receiving agency, with the agency referrals and the
-- distinct victims behind it.
with

agency_referrals as (

    select * from marts.agency_referrals

),

sent as (

    select
        agency,
        victim_id,
        working_days_from_assessment as working_days
    from agency_referrals
    where
        sent_month between $first and $last
        and working_days_from_assessment is not null

),

final as (

    select
        'all' as agency,
        quantile_cont(working_days, 0.5) as median_days,
        count(*) as units,
        count(distinct victim_id) as persons
    from sent
    union all
    select
        agency,
        quantile_cont(working_days, 0.5) as median_days,
        count(*) as units,
        count(distinct victim_id) as persons
    from sent
    group by agency

)

select * from final
