-- staging: the comparison population for equity of reach; one row per loaded row of population.csv
with

source as (

    select * from raw.population

),

renamed as (

    select
        basis,
        characteristic,
        category,
        people

    from source

)

select * from renamed
