-- staging: internal referrals from the lead agency to hub partners; one row per loaded row of agency_referrals.csv
with

source as (

    select * from raw.agency_referrals

),

renamed as (

    select
        agency_referral_id,
        referral_id,
        agency,
        sent_date,
        outcome,
        outcome_date,
        first_contact_date,
        ended_date

    from source

)

select * from renamed
