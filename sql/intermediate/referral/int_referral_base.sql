-- materialized: ephemeral
-- grain: one row per referral, with its victim's demographics and the dates
-- and flags the operations indicators need.
-- police referral: base = source police with a reported_date; on time when the
--   hub received it within N working days of the later of reported and consent.
-- first contact: base = contacted, or deadline strictly before the as-of date;
--   on time when first contacted within N working days of the referral date.
-- The on-time flags are NULL outside their base.
with

referrals as (

    select * from staging.stg_referrals

),

victims as (

    select * from staging.stg_victims

),

services as (

    select * from staging.stg_services

),

deadlines as (

    select * from intermediate.int_referral_deadlines

),

build as (

    select * from meta.build

),

supported as (

    select distinct services.referral_id
    from services

),

police_deadlines as (

    select
        deadlines.start_date,
        deadlines.deadline_date
    from deadlines
    where deadlines.standard = 'victims_code_referral_working_days'

),

contact_deadlines as (

    select
        deadlines.start_date,
        deadlines.deadline_date
    from deadlines
    where deadlines.standard = 'first_contact_working_days'

),

dated as (

    select
        referrals.*,
        cast(date_trunc('month', referrals.referral_date) as date) as referral_month,
        cast(date_trunc('month', referrals.closed_date) as date) as closed_month,
        greatest(referrals.reported_date, referrals.consent_date) as police_clock_start_date
    from referrals

),

with_deadlines as (

    select
        dated.*,
        police_deadlines.deadline_date as police_referral_deadline,
        contact_deadlines.deadline_date as first_contact_deadline,
        dated.source = 'police' and dated.reported_date is not null
            as is_police_referral_in_base,
        dated.first_contact_date is not null or contact_deadlines.deadline_date < build.as_of
            as is_first_contact_in_base
    from dated
    cross join build
    left join police_deadlines
        on dated.police_clock_start_date = police_deadlines.start_date
    left join contact_deadlines
        on dated.referral_date = contact_deadlines.start_date

),

final as (

    select
        with_deadlines.referral_id,
        with_deadlines.victim_id,
        victims.age_band,
        victims.gender,
        victims.ethnic_group,
        victims.disability,
        victims.lgbt,
        victims.area,
        with_deadlines.crime_type,
        with_deadlines.hate_crime,
        with_deadlines.domestic_abuse,
        with_deadlines.enhanced_rights,
        with_deadlines.source,
        with_deadlines.crime_date,
        with_deadlines.reported_date,
        with_deadlines.consent_date,
        with_deadlines.referral_date,
        with_deadlines.first_contact_date,
        with_deadlines.assessment_date,
        with_deadlines.closed_date,
        with_deadlines.closure_reason,
        with_deadlines.referral_month,
        with_deadlines.closed_month,
        coalesce(with_deadlines.closure_reason = 'support_completed', false) as is_completed,
        with_deadlines.first_contact_date is not null as is_contacted,
        with_deadlines.assessment_date is not null as is_assessed,
        supported.referral_id is not null as is_supported,
        with_deadlines.police_clock_start_date,
        with_deadlines.police_referral_deadline,
        with_deadlines.is_police_referral_in_base,
        case
            when with_deadlines.is_police_referral_in_base
                then with_deadlines.referral_date <= with_deadlines.police_referral_deadline
        end as is_police_referral_on_time,
        with_deadlines.first_contact_deadline,
        with_deadlines.is_first_contact_in_base,
        case
            when with_deadlines.is_first_contact_in_base
                then coalesce(
                    with_deadlines.first_contact_date <= with_deadlines.first_contact_deadline,
                    false
                )
        end as is_first_contact_on_time
    from with_deadlines
    left join victims
        on with_deadlines.victim_id = victims.victim_id
    left join supported
        on with_deadlines.referral_id = supported.referral_id

)

select * from final
