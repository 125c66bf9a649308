-- audiences: manager
-- Distinct victims grouped by what a report's or the release's tables cut them by, per
-- period: the periods start at the months $firsts and are $months months long. A row per
-- (period, group) with `count`, the number of victims in it:
-- * the demographics ($demographics; else null): the victim's as recorded on their
--   latest referral up to the end of the period, `unknown` when not recorded;
-- * area ($area; else null): the same for the area on the record (a blank area is not
--   recorded), for the release's table by area;
-- * stage and crime_type ($referred; else null): the stages the victim's referrals of
--   the period reached and their crime types, sorted (empty if not referred in it);
-- * in_base and met: the outcomes of $outcomes (marts.person_outcomes) whose base the
--   victim is in for a cohort month in the period, and those met;
-- * agency ($agency_for, an outcome; else null): the agencies involved in the victim's
--   records in that outcome's base.
-- Only victims referred in the period ($referred) or in an outcome's base are kept.
with

referrals as (

    select * from marts.fct_referrals

),

person_outcomes as (

    select * from marts.person_outcomes

),

referrals_in_periods as (

    select
        victim_id,
        crime_type,
        list_filter(
            $firsts, lambda first_month: referral_month >= first_month
            and referral_month < first_month + to_months($months)
        )[1] as period_start,
        list_filter(
            [
                'referred',
                case when is_contacted then 'contacted' end,
                case when is_assessed then 'assessed' end,
                case when is_supported then 'supported' end,
                case when is_completed then 'completed' end
            ],
            lambda stage: stage is not null
        ) as stages  -- noqa: RF04
    from referrals

),

referred as (

    select
        period_start,
        victim_id,
        list_sort(list_distinct(flatten(list(stages)))) as stage,  -- noqa: RF04
        list_sort(list_distinct(list(crime_type))) as crime_type
    from referrals_in_periods
    where period_start is not null
    group by period_start, victim_id

),

outcomes_in_periods as (

    select
        victim_id,
        indicator_id,
        is_met,
        agencies,
        list_filter(
            $firsts, lambda first_month: month >= first_month
            and month < first_month + to_months($months)
        )[1] as period_start
    from person_outcomes
    where list_contains($outcomes, indicator_id)

),

outcomes as (

    select
        period_start,
        victim_id,
        list_sort(list_distinct(list(indicator_id))) as in_base,
        list_sort(list_distinct(list(indicator_id) filter (where is_met))) as met,
        list_sort(list_distinct(flatten(
            list(agencies) filter (where indicator_id = $agency_for)
        ))) as agency
    from outcomes_in_periods
    where period_start is not null
    group by period_start, victim_id

),

people_in_periods as (

    select
        period_start,
        victim_id
    from referred
    where $referred

    union

    select
        period_start,
        victim_id
    from outcomes

),

latest as (

    select
        people_in_periods.period_start,
        people_in_periods.victim_id,
        arg_max(referrals.gender, referrals.referral_date) as gender,
        arg_max(referrals.age_band, referrals.referral_date) as age_band,
        arg_max(referrals.ethnic_group, referrals.referral_date) as ethnic_group,
        arg_max(referrals.disability, referrals.referral_date) as disability,
        arg_max(referrals.lgbt, referrals.referral_date) as lgbt,
        arg_max(nullif(trim(referrals.area), ''), referrals.referral_date) as area
    from people_in_periods
    inner join referrals
        on
            people_in_periods.victim_id = referrals.victim_id
            and referrals.referral_date
            <= last_day(people_in_periods.period_start + to_months($months - 1))
    group by people_in_periods.period_start, people_in_periods.victim_id

),

people as (

    select
        people_in_periods.period_start,
        case when $demographics then coalesce(latest.gender, 'unknown') end as gender,
        case when $demographics then coalesce(latest.age_band, 'unknown') end as age_band,
        case
            when $demographics then coalesce(latest.ethnic_group, 'unknown')
        end as ethnic_group,
        case when $demographics then coalesce(latest.disability, 'unknown') end as disability,
        case when $demographics then coalesce(latest.lgbt, 'unknown') end as lgbt,
        case when $area then coalesce(latest.area, 'unknown') end as area,
        case when $referred then coalesce(referred.stage, []::varchar[]) end as stage,  -- noqa: RF04
        case
            when $referred then coalesce(referred.crime_type, []::varchar[])
        end as crime_type,
        coalesce(outcomes.in_base, []::varchar[]) as in_base,
        coalesce(outcomes.met, []::varchar[]) as met,
        case when $agency_for != '' then coalesce(outcomes.agency, []::varchar[]) end as agency
    from people_in_periods
    inner join latest
        on
            people_in_periods.victim_id = latest.victim_id
            and people_in_periods.period_start = latest.period_start
    left join referred
        on
            people_in_periods.victim_id = referred.victim_id
            and people_in_periods.period_start = referred.period_start
    left join outcomes
        on
            people_in_periods.victim_id = outcomes.victim_id
            and people_in_periods.period_start = outcomes.period_start

),

final as (

    select
        period_start,
        gender,
        age_band,
        ethnic_group,
        disability,
        lgbt,
        area,
        stage,
        crime_type,
        in_base,
        met,
        agency,
        count(*) as count  -- noqa: RF04
    from people
    group by all

)

select * from final
order by all
