-- grain: one row per month from the first referral month to the as-of month.
-- No referrals, no months. month_end is the month's last day (the day cohort
-- windows are counted from).
with

referrals as (

    select * from staging.stg_referrals

),

build as (

    select * from meta.build

),

bounds as (

    select
        date_trunc('month', min(referrals.referral_date)) as first_month,
        date_trunc('month', any_value(build.as_of)) as last_month
    from referrals
    cross join build

),

months as (

    select
        cast(
            unnest(generate_series(bounds.first_month, bounds.last_month, interval 1 month))
            as date
        ) as month_start
    from bounds
    where bounds.first_month is not null

),

final as (

    select
        month_start,
        last_day(month_start) as month_end
    from months

)

select * from final
