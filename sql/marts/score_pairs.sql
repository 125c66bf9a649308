-- grain: one row per (referral, measure, stage) with both scores: a referral's
-- intake score on a measure and its later score at exit (stage `exit`) or at a
-- post-support follow-up (`follow_up_medium`, `follow_up_long`: the first
-- follow-up of the window with a value, int_outcome_follow_ups).
-- follow_up_days: days after the end of the closing month by which the
-- window has closed (NULL at exit). Scores as double (SWEMWBS metric scores
-- are decimals, the other measures whole points).
with

pairs as (

    select * from intermediate.int_outcome_assessment_pairs

),

follow_ups as (

    select * from intermediate.int_outcome_follow_ups

),

paired as (

    select
        pairs.*,
        follow_ups.medium_swemwbs_metric,
        follow_ups.medium_daily_activities,
        follow_ups.long_swemwbs_metric,
        follow_ups.long_safety,
        follow_ups.long_health_wellbeing
    from pairs
    left join follow_ups
        on pairs.referral_id = follow_ups.referral_id

),

-- `stage` names the point of the later score, as the dashboard calls it
-- noqa: disable=RF04
scores as (

    select
        referral_id,
        'swemwbs_metric' as measure,
        'exit' as stage,
        null::integer as follow_up_days,
        intake_swemwbs_metric::double as intake_score,
        exit_swemwbs_metric::double as later_score
    from paired
    union all
    select
        referral_id,
        'swemwbs_metric' as measure,
        'follow_up_medium' as stage,
        365 as follow_up_days,
        intake_swemwbs_metric::double as intake_score,
        medium_swemwbs_metric::double as later_score
    from paired
    union all
    select
        referral_id,
        'swemwbs_metric' as measure,
        'follow_up_long' as stage,
        730 as follow_up_days,
        intake_swemwbs_metric::double as intake_score,
        long_swemwbs_metric::double as later_score
    from paired
    union all
    select
        referral_id,
        'coping' as measure,
        'exit' as stage,
        null::integer as follow_up_days,
        intake_coping::double as intake_score,
        exit_coping::double as later_score
    from paired
    union all
    select
        referral_id,
        'information_choices' as measure,
        'exit' as stage,
        null::integer as follow_up_days,
        intake_information_choices::double as intake_score,
        exit_information_choices::double as later_score
    from paired
    union all
    select
        referral_id,
        'daily_activities' as measure,
        'exit' as stage,
        null::integer as follow_up_days,
        intake_daily_activities::double as intake_score,
        exit_daily_activities::double as later_score
    from paired
    union all
    select
        referral_id,
        'daily_activities' as measure,
        'follow_up_medium' as stage,
        365 as follow_up_days,
        intake_daily_activities::double as intake_score,
        medium_daily_activities::double as later_score
    from paired
    union all
    select
        referral_id,
        'safety' as measure,
        'exit' as stage,
        null::integer as follow_up_days,
        intake_safety::double as intake_score,
        exit_safety::double as later_score
    from paired
    union all
    select
        referral_id,
        'safety' as measure,
        'follow_up_long' as stage,
        730 as follow_up_days,
        intake_safety::double as intake_score,
        long_safety::double as later_score
    from paired
    union all
    select
        referral_id,
        'health_wellbeing' as measure,
        'exit' as stage,
        null::integer as follow_up_days,
        intake_health_wellbeing::double as intake_score,
        exit_health_wellbeing::double as later_score
    from paired
    union all
    select
        referral_id,
        'health_wellbeing' as measure,
        'follow_up_long' as stage,
        730 as follow_up_days,
        intake_health_wellbeing::double as intake_score,
        long_health_wellbeing::double as later_score
    from paired
    union all
    select
        referral_id,
        'life_satisfaction' as measure,
        'exit' as stage,
        null::integer as follow_up_days,
        intake_life_satisfaction::double as intake_score,
        exit_life_satisfaction::double as later_score
    from paired

),
-- noqa: enable=RF04

final as (

    select
        referral_id,
        measure,
        stage,
        follow_up_days,
        intake_score,
        later_score
    from scores
    where intake_score is not null and later_score is not null

)

select * from final
