-- staging: money in; one row per loaded row of funding.csv
with

source as (

    select * from raw.funding

),

renamed as (

    select
        cast(month || '-01' as date) as funding_month,
        agency,
        amount_gbp

    from source

)

select * from renamed
