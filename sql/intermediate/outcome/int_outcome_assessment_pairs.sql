-- materialized: ephemeral
-- grain: one row per referral with an intake or an exit assessment.
-- intake_* are the measures of the referral's intake row, exit_* those of its exit
-- row. The contract allows at most one of each; were there more, the earliest intake
-- and the latest exit row (ties broken by assessment_id) are used, whole rows, so a
-- pair never mixes measures from two assessments.
-- SWEMWBS metric score: the raw SWEMWBS sum (7..35) converted with the published table
-- ref.swemwbs_metric. Where the raw sum is absent, the stored swemwbs_metric is used as
-- it is. A row with both uses the raw sum: it is the measurement itself and the
-- conversion is fixed, so a stored metric score that disagrees cannot win.
with

assessments as (

    select * from staging.stg_assessments

),

conversion as (

    select * from ref.swemwbs_metric

),

scored as (

    select
        assessments.assessment_id,
        assessments.referral_id,
        assessments.stage,
        assessments.assessment_date,
        coalesce(conversion.metric, assessments.swemwbs_metric) as swemwbs_metric_score,
        assessments.life_satisfaction,
        assessments.health_wellbeing,
        assessments.safety,
        assessments.coping,
        assessments.information_choices,
        assessments.daily_activities

    from assessments
    left join conversion
        on assessments.swemwbs = conversion.raw
    where assessments.stage in ('intake', 'exit')

),

intake as (

    select * from scored
    where stage = 'intake'
    qualify row_number() over (
        partition by referral_id
        order by assessment_date asc, assessment_id asc
    ) = 1

),

exits as (

    select * from scored
    where stage = 'exit'
    qualify row_number() over (
        partition by referral_id
        order by assessment_date desc, assessment_id desc
    ) = 1

),

final as (

    select
        coalesce(intake.referral_id, exits.referral_id) as referral_id,
        intake.assessment_date as intake_date,
        exits.assessment_date as exit_date,
        intake.swemwbs_metric_score as intake_swemwbs_metric,
        exits.swemwbs_metric_score as exit_swemwbs_metric,
        intake.life_satisfaction as intake_life_satisfaction,
        exits.life_satisfaction as exit_life_satisfaction,
        intake.health_wellbeing as intake_health_wellbeing,
        exits.health_wellbeing as exit_health_wellbeing,
        intake.safety as intake_safety,
        exits.safety as exit_safety,
        intake.coping as intake_coping,
        exits.coping as exit_coping,
        intake.information_choices as intake_information_choices,
        exits.information_choices as exit_information_choices,
        intake.daily_activities as intake_daily_activities,
        exits.daily_activities as exit_daily_activities

    from intake
    full outer join exits
        on intake.referral_id = exits.referral_id

)

select * from final
