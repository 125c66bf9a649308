-- grain: one row per (month of sent_date, from_agency, to_agency) with at
-- least one agency referral sent: the flow from the lead agency to each
-- partner (evidence.md, Working together). sent = accepted + declined +
-- redirected + withdrawn + pending (pending: no outcome by the as-of date).
-- Medians are over the month's accepted referrals (to acceptance) and its
-- referrals with a recorded first contact (to first contact), in working
-- days after sent_date; NULL when there are none (with_acceptance_days or
-- with_contact_days is then 0). persons: distinct victims behind the row.
with

agency_referrals as (

    select * from marts.agency_referrals

),

final as (

    select
        agency_referrals.sent_month as month, -- noqa: RF04
        agency_referrals.from_agency,
        agency_referrals.agency as to_agency,
        count(*) as sent,
        count(*) filter (where agency_referrals.outcome = 'accepted') as accepted,
        count(*) filter (where agency_referrals.outcome = 'declined') as declined,
        count(*) filter (where agency_referrals.outcome = 'redirected') as redirected,
        count(*) filter (where agency_referrals.outcome = 'withdrawn') as withdrawn,
        count(*) filter (where agency_referrals.outcome = 'pending') as pending,
        count(distinct agency_referrals.victim_id) as persons,
        count(agency_referrals.working_days_to_acceptance) as with_acceptance_days,
        quantile_cont(agency_referrals.working_days_to_acceptance, 0.5)
            as median_working_days_to_acceptance,
        count(agency_referrals.working_days_to_first_contact) as with_contact_days,
        quantile_cont(agency_referrals.working_days_to_first_contact, 0.5)
            as median_working_days_to_first_contact
    from agency_referrals
    group by
        agency_referrals.sent_month,
        agency_referrals.from_agency,
        agency_referrals.agency

)

select * from final
