-- staging: the person's own view at closure; one row per loaded row of exit_surveys.csv
with

source as (

    select * from raw.exit_surveys

),

renamed as (

    select
        referral_id,
        survey_date,
        satisfaction,
        listened_to,
        family_benefited,
        goals_set,
        goals_achieved

    from source

)

select * from renamed
