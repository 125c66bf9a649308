-- staging: nhs contacts around the referral (self-report or linked); one row per loaded row of health_use.csv
with

source as (

    select * from raw.health_use

),

renamed as (

    select
        referral_id,
        "window" as health_window,
        gp_appointments,
        ae_attendances,
        mental_health_crisis_contacts,
        ambulance_callouts,
        nonelective_admissions,
        source

    from source

)

select * from renamed
