-- audiences: manager, pcc
-- The flow from the lead agency to each partner over the months: agency referrals sent
-- (month of sent_date), their outcomes and the median working days to acceptance and to
-- first contact, by receiving agency and the referral's crime type.
with

flows as (

    select * from marts.agency_referrals

),

facts as (

    select * from marts.fct_referrals

),

final as (

    select
        flows.from_agency,
        flows.agency as to_agency,
        count(*) as sent,
        count(*) filter (where flows.outcome = 'accepted') as accepted,
        count(*) filter (where flows.outcome = 'declined') as declined,
        count(*) filter (where flows.outcome = 'redirected') as redirected,
        count(*) filter (where flows.outcome = 'withdrawn') as withdrawn,
        count(*) filter (where flows.outcome = 'pending') as pending,
        count(distinct flows.victim_id) as persons,
        quantile_cont(flows.working_days_to_acceptance, 0.5)
            as median_days_to_acceptance,
        count(distinct flows.victim_id)
        filter (where flows.working_days_to_acceptance is not null)
            as acceptance_persons,
        quantile_cont(flows.working_days_to_first_contact, 0.5)
            as median_days_to_first_contact,
        count(distinct flows.victim_id)
        filter (where flows.working_days_to_first_contact is not null)
            as contact_persons
    from flows
    inner join facts
        on flows.referral_id = facts.referral_id
    where
        flows.sent_month between $first and $last
        and ($agency = 'all' or flows.agency = $agency)
        and ($crime_type = 'all' or facts.crime_type = $crime_type)
    group by flows.from_agency, flows.agency

)

select * from final
order by sent desc, to_agency asc
