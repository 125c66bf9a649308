-- staging: measures taken during and after the journey; one row per loaded row of assessments.csv
with

source as (

    select * from raw.assessments

),

renamed as (

    select
        assessment_id,
        referral_id,
        stage,
        assessment_date,
        swemwbs,
        swemwbs_metric,
        life_satisfaction,
        health_wellbeing,
        safety,
        coping,
        information_choices,
        daily_activities

    from source

)

select * from renamed
