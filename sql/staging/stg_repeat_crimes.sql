-- staging: later police-recorded crimes against the same person; one row per loaded row of repeat_crimes.csv
with

source as (

    select * from raw.repeat_crimes

),

renamed as (

    select
        crime_ref,
        victim_id,
        crime_date,
        crime_type

    from source

)

select * from renamed
