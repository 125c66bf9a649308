-- grain: one row per agency referral: what the dashboard, the reports and the
-- public release read of the agency referrals (int_referral_agency_referrals):
-- timeliness flags (NULL outside their base), deadlines and the working days
-- from the assessment to the referral.
with

agency_referrals as (

    select * from intermediate.int_referral_agency_referrals

),

final as (

    select
        agency_referral_id,
        referral_id,
        victim_id,
        agency,
        sent_date,
        sent_month,
        outcome,
        first_contact_date,
        ended_date,
        working_days_from_assessment,
        acceptance_deadline,
        is_acceptance_in_base,
        is_accepted_on_time,
        mh_contact_deadline,
        is_mh_seen_in_base,
        is_mh_seen_on_time
    from agency_referrals

)

select * from final
