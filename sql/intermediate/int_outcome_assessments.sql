-- grain: one row per assessment, with its SWEMWBS metric score.
-- swemwbs_metric_score is the raw SWEMWBS sum (7..35) converted with the published
-- table ref.swemwbs_metric. Where the raw sum is absent, the stored swemwbs_metric is
-- used as it is. A row with both uses the raw sum: it is the measurement itself and
-- the conversion is fixed, so a stored metric score that disagrees cannot win.
with

assessments as (

    select * from staging.stg_assessments

),

conversion as (

    select * from ref.swemwbs_metric

),

final as (

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

)

select * from final
