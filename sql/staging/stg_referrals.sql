-- staging: one row per referral into the hub (a case); one row per loaded row of referrals.csv
with

source as (

    select * from raw.referrals

),

renamed as (

    select
        referral_id,
        victim_id,
        crime_type,
        hate_crime,
        domestic_abuse,
        enhanced_rights,
        source,
        crime_date,
        reported_date,
        consent_date,
        referral_date,
        first_contact_date,
        assessment_date,
        closed_date,
        closure_reason

    from source

)

select * from renamed
