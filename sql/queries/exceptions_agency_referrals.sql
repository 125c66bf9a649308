-- audiences: manager
-- Agency referrals past a deadline at the as-of date (kind agency_acceptance or
-- mental_health_contact), by pseudonymous id, longest overdue (in working days)
-- first (at most 1,000).
with

exceptions as (

    select * from marts.exceptions

),

final as (

    select
        agency_referral_id,
        referral_id,
        responsible_agency,
        start_date,
        deadline_date,
        working_days_past_deadline
    from exceptions
    where
        kind = $kind
        and ($crime_type = 'all' or crime_type = $crime_type)
        and ($agency = 'all' or agency = $agency)

)

select * from final
order by working_days_past_deadline desc, deadline_date asc, agency_referral_id asc
limit 1000
