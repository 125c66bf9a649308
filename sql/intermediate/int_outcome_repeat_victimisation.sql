-- grain: one row per referral, whatever its closure.
-- repeat_crimes_12m: repeat_crimes rows for the same victim with
-- referral_date < crime_date <= referral_date + 365 days (a crime on the referral date
-- itself is not a repeat). repeat_window_complete: referral_date + 365 days is on or
-- before the as-of date and, when given, the repeat_crimes coverage date.
with

referrals as (

    select * from staging.stg_referrals

),

repeat_crimes as (

    select * from staging.stg_repeat_crimes

),

build as (

    select * from meta.build

),

repeat_windows as (

    select
        referrals.referral_id,
        referrals.victim_id,
        referrals.referral_date,
        referrals.referral_date + 365 as window_end_date,
        referrals.referral_date + 365 <= build.as_of
        and (
            build.coverage_repeat_crimes is null
            or referrals.referral_date + 365 <= build.coverage_repeat_crimes
        ) as repeat_window_complete

    from referrals
    cross join build

),

repeats as (

    select
        repeat_windows.referral_id,
        count(*) as repeat_crimes_12m

    from repeat_windows
    inner join repeat_crimes
        on
            repeat_windows.victim_id = repeat_crimes.victim_id
            and repeat_windows.referral_date < repeat_crimes.crime_date
            and repeat_windows.window_end_date >= repeat_crimes.crime_date
    group by repeat_windows.referral_id

),

final as (

    select
        repeat_windows.referral_id,
        repeat_windows.repeat_window_complete,
        coalesce(repeats.repeat_crimes_12m, 0) as repeat_crimes_12m

    from repeat_windows
    left join repeats
        on repeat_windows.referral_id = repeats.referral_id

)

select * from final
