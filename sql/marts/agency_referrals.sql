-- grain: one row per agency referral: what the dashboard, the reports and the
-- public release read of the agency referrals (int_referral_agency_referrals).
-- Identifiers are the extract's pseudonymous ids. from_agency is the lead agency
-- (agency referrals are sent by it, data-contract.md); agency the receiving agency.
-- Timeliness flags are NULL outside their base; deadlines and the working days
-- from the assessment to the referral.
-- working_days_to_acceptance: working days after sent_date up to the
--   acceptance (outcome_date), accepted referrals only.
-- working_days_to_first_contact: working days after sent_date up to the
--   receiving agency's first_contact_date, where recorded.
-- is_redirect_in_base / is_redirect_resolved: redirect_resolved_10wd
--   (int_referral_redirects); NULL for referrals not redirected.
-- area: the victim's area as recorded (NULL when blank).
with

agency_referrals as (

    select * from intermediate.int_referral_agency_referrals

),

redirects as (

    select * from intermediate.int_referral_redirects

),

victims as (

    select * from staging.stg_victims

),

calendar as (

    select * from ref.calendar

),

final as (

    select
        agency_referrals.agency_referral_id,
        agency_referrals.referral_id,
        agency_referrals.victim_id,
        agency_referrals.agency,
        agency_referrals.sent_date,
        agency_referrals.sent_month,
        agency_referrals.outcome,
        agency_referrals.first_contact_date,
        agency_referrals.ended_date,
        agency_referrals.working_days_from_assessment,
        agency_referrals.acceptance_deadline,
        agency_referrals.is_acceptance_in_base,
        agency_referrals.is_accepted_on_time,
        agency_referrals.mh_contact_deadline,
        agency_referrals.is_mh_seen_in_base,
        agency_referrals.is_mh_seen_on_time,
        victims.area,
        'victim_support' as from_agency,
        agency_referrals.outcome_date,
        case
            when agency_referrals.outcome = 'accepted'
                then outcome_day.working_day_number - sent_day.working_day_number
        end as working_days_to_acceptance,
        contact_day.working_day_number - sent_day.working_day_number
            as working_days_to_first_contact,
        redirects.outcome_month as redirect_month,
        redirects.is_in_base as is_redirect_in_base,
        case when redirects.is_in_base then redirects.is_resolved end as is_redirect_resolved
    from agency_referrals
    left join victims
        on agency_referrals.victim_id = victims.victim_id
    left join redirects
        on agency_referrals.agency_referral_id = redirects.agency_referral_id
    left join calendar as sent_day
        on agency_referrals.sent_date = sent_day.calendar_date
    left join calendar as outcome_day
        on agency_referrals.outcome_date = outcome_day.calendar_date
    left join calendar as contact_day
        on agency_referrals.first_contact_date = contact_day.calendar_date

)

select * from final
