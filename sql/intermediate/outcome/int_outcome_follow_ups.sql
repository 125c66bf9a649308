-- grain: one row per completed referral with at least one follow_up assessment in the
-- medium or the long post-support window.
-- A post-support follow-up in window [a, b) is, for one measure, the earliest follow_up
-- row that has that measure and lies inside the window:
-- a <= assessment_date - closed_date < b days. Medium window [90, 365), long window
-- [365, 730). Rows outside both windows, including any before closure, are ignored
-- whatever their order. Each measure is chosen on its own (the earliest row having it);
-- ties on the date are broken by assessment_id.
-- SWEMWBS metric score: the raw sum converted with ref.swemwbs_metric, else the stored
-- swemwbs_metric (as in int_outcome_assessment_pairs).
-- has_*_follow_up: any follow_up row in the window, with or without a measure (the
-- follow-up coverage indicators).
with

referrals as (

    select * from staging.stg_referrals

),

assessments as (

    select * from staging.stg_assessments

),

conversion as (

    select * from ref.swemwbs_metric

),

completed_referrals as (

    select
        referral_id,
        closed_date

    from referrals
    where closure_reason = 'support_completed'

),

follow_ups as (

    select
        assessments.referral_id,
        assessments.assessment_id,
        assessments.assessment_date,
        coalesce(conversion.metric, assessments.swemwbs_metric) as swemwbs_metric_score,
        assessments.health_wellbeing,
        assessments.safety,
        assessments.daily_activities,
        assessments.life_satisfaction,
        datediff(
            'day', completed_referrals.closed_date, assessments.assessment_date
        ) as days_after_closure

    from assessments
    inner join completed_referrals
        on assessments.referral_id = completed_referrals.referral_id
    left join conversion
        on assessments.swemwbs = conversion.raw
    where assessments.stage = 'follow_up'

),

windowed as (

    select
        *,
        case
            when days_after_closure >= 90 and days_after_closure < 365 then 'medium'
            when days_after_closure >= 365 and days_after_closure < 730 then 'long'
        end as follow_up_window,
        struct_pack(assessment_date, assessment_id) as follow_up_order

    from follow_ups

),

final as (

    select
        referral_id,
        bool_or(follow_up_window = 'medium') as has_medium_follow_up,
        bool_or(follow_up_window = 'long') as has_long_follow_up,
        arg_min(swemwbs_metric_score, follow_up_order) filter (
            where follow_up_window = 'medium' and swemwbs_metric_score is not null
        ) as medium_swemwbs_metric,
        arg_min(daily_activities, follow_up_order) filter (
            where follow_up_window = 'medium' and daily_activities is not null
        ) as medium_daily_activities,
        arg_min(swemwbs_metric_score, follow_up_order) filter (
            where follow_up_window = 'long' and swemwbs_metric_score is not null
        ) as long_swemwbs_metric,
        arg_min(safety, follow_up_order) filter (
            where follow_up_window = 'long' and safety is not null
        ) as long_safety,
        arg_min(health_wellbeing, follow_up_order) filter (
            where follow_up_window = 'long' and health_wellbeing is not null
        ) as long_health_wellbeing,
        arg_min(life_satisfaction, follow_up_order) filter (
            where follow_up_window = 'long' and life_satisfaction is not null
        ) as long_life_satisfaction

    from windowed
    where follow_up_window is not null
    group by referral_id

)

select * from final
