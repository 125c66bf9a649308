-- audiences: manager
-- Referrals neither contacted nor closed, past the first-contact deadline at the as-of
-- date, by pseudonymous id, longest overdue (in working days) first (at most 1,000). An agency filters
-- to the referrals involving it.
with

exceptions as (

    select * from marts.exceptions

),

final as (

    select
        referral_id,
        responsible_agency,
        start_date,
        deadline_date,
        working_days_past_deadline
    from exceptions
    where
        kind = 'first_contact'
        and ($crime_type = 'all' or crime_type = $crime_type)
        and ($agency = 'all' or list_contains(agencies, $agency))

)

select * from final
order by working_days_past_deadline desc, deadline_date asc, referral_id asc
limit 1000
