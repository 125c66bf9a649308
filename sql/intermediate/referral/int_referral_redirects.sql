-- grain: one row per agency referral redirected (outcome `redirected`), for
-- redirect_resolved_10wd ("no wrong door", evidence.md, Working together).
-- deadline_date: the 10th working day strictly after the redirect's
--   outcome_date (ref.calendar, bank holidays excluded); the 10 is the
--   spec's, not a register setting.
-- is_in_base: the deadline is strictly before the as-of date.
-- is_resolved: the same referral has another agency referral, to a different
--   agency and sent at any time, accepted with an outcome_date on or after the
--   redirect's outcome_date and no later than the deadline.
-- agency is the agency the referral was redirected from.
with

agency_referrals as (

    select * from staging.stg_agency_referrals

),

referrals as (

    select * from staging.stg_referrals

),

calendar as (

    select * from ref.calendar

),

build as (

    select * from meta.build

),

working_days as (

    select
        calendar.calendar_date,
        calendar.working_day_number
    from calendar
    where calendar.is_working_day

),

redirects as (

    select
        agency_referrals.agency_referral_id,
        agency_referrals.referral_id,
        referrals.victim_id,
        agency_referrals.agency,
        agency_referrals.outcome_date,
        cast(date_trunc('month', agency_referrals.outcome_date) as date) as outcome_month,
        deadline_day.calendar_date as deadline_date,
        deadline_day.calendar_date < build.as_of as is_in_base
    from agency_referrals
    cross join build
    inner join referrals
        on agency_referrals.referral_id = referrals.referral_id
    inner join calendar as outcome_day
        on agency_referrals.outcome_date = outcome_day.calendar_date
    inner join working_days as deadline_day
        on outcome_day.working_day_number + 10 = deadline_day.working_day_number
    where agency_referrals.outcome = 'redirected'

),

pick_ups as (

    select
        redirects.agency_referral_id,
        count(*) as accepted_elsewhere
    from redirects
    inner join agency_referrals
        on
            redirects.referral_id = agency_referrals.referral_id
            and redirects.agency != agency_referrals.agency
    where
        agency_referrals.outcome = 'accepted'
        and agency_referrals.outcome_date >= redirects.outcome_date
        and agency_referrals.outcome_date <= redirects.deadline_date
    group by redirects.agency_referral_id

),

final as (

    select
        redirects.agency_referral_id,
        redirects.referral_id,
        redirects.victim_id,
        redirects.agency,
        redirects.outcome_date,
        redirects.outcome_month,
        redirects.deadline_date,
        redirects.is_in_base,
        pick_ups.agency_referral_id is not null as is_resolved
    from redirects
    left join pick_ups
        on redirects.agency_referral_id = pick_ups.agency_referral_id

)

select * from final
