-- staging: support delivered; one row per loaded row of services.csv
with

source as (

    select * from raw.services

),

renamed as (

    select
        service_id,
        referral_id,
        agency,
        service_type,
        start_date,
        end_date,
        cost_gbp

    from source

)

select * from renamed
