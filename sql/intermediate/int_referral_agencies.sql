-- grain: one row per (referral_id, agency) the referral involves.
-- A referral involves victim_support (the lead agency, always), every agency
-- that delivered a service to it and every agency that accepted an agency
-- referral for it. Agency rows of indicators are built from this table.
with

referrals as (

    select * from staging.stg_referrals

),

services as (

    select * from staging.stg_services

),

agency_referrals as (

    select * from staging.stg_agency_referrals

),

lead_agency as (

    select
        referrals.referral_id,
        'victim_support' as agency
    from referrals

),

service_agencies as (

    select
        services.referral_id,
        services.agency
    from services

),

accepting_agencies as (

    select
        agency_referrals.referral_id,
        agency_referrals.agency
    from agency_referrals
    where agency_referrals.outcome = 'accepted'

),

final as (

    select distinct
        involved.referral_id,
        involved.agency
    from (
        select * from lead_agency
        union all
        select * from service_agencies
        union all
        select * from accepting_agencies
    ) as involved

)

select * from final
