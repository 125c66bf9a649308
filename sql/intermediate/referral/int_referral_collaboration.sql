-- materialized: ephemeral
-- grain: one row per referral, with the agencies that worked on it by the
-- multi_agency_share rule (evidence.md, Working together): an agency counts
-- when it delivered a service to the referral or accepted an agency referral
-- for it; the lead agency (victim_support) counts only through a services
-- row (its assessment, or an agency referral to it, does not count).
-- is_multi_agency: two or more distinct agencies by that rule.
-- is_assessed: the referral has an assessment_date (the indicator's base).
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

working_agencies as (

    select
        services.referral_id,
        services.agency
    from services
    union all
    select
        agency_referrals.referral_id,
        agency_referrals.agency
    from agency_referrals
    where
        agency_referrals.outcome = 'accepted'
        and agency_referrals.agency != 'victim_support'

),

agency_counts as (

    select
        working_agencies.referral_id,
        count(distinct working_agencies.agency) as agencies_working
    from working_agencies
    group by working_agencies.referral_id

),

final as (

    select
        referrals.referral_id,
        referrals.victim_id,
        cast(date_trunc('month', referrals.referral_date) as date) as referral_month,
        referrals.assessment_date is not null as is_assessed,
        coalesce(agency_counts.agencies_working, 0) as agencies_working,
        coalesce(agency_counts.agencies_working, 0) >= 2 as is_multi_agency
    from referrals
    left join agency_counts
        on referrals.referral_id = agency_counts.referral_id

)

select * from final
