-- staging: one row per person supported; one row per loaded row of victims.csv
with

source as (

    select * from raw.victims

),

renamed as (

    select
        victim_id,
        age_band,
        gender,
        ethnic_group,
        disability,
        lgbt,
        area

    from source

)

select * from renamed
