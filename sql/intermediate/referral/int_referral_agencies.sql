-- materialized: ephemeral
-- grain: one row per (referral_id, agency) the referral involves.
-- A referral involves victim_support (the lead agency, always), every agency
-- that delivered a service to it and every agency that accepted an agency
-- referral for it. Agency rows of indicators are built from this table.
-- Every referral has its victim_support row, so the other agencies' rows
-- only need de-duplicating among themselves (raw rows have unique
-- referral_id and no orphans: the ingest quarantines both).
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

partner_agencies as (

    select
        services.referral_id,
        services.agency
    from services
    where services.agency != 'victim_support'
    union all
    select
        agency_referrals.referral_id,
        agency_referrals.agency
    from agency_referrals
    where
        agency_referrals.outcome = 'accepted'
        and agency_referrals.agency != 'victim_support'

),

distinct_partner_agencies as (

    select distinct
        partner_agencies.referral_id,
        partner_agencies.agency
    from partner_agencies

),

final as (

    select
        lead_agency.referral_id,
        lead_agency.agency
    from lead_agency
    union all
    select
        distinct_partner_agencies.referral_id,
        distinct_partner_agencies.agency
    from distinct_partner_agencies

)

select * from final
