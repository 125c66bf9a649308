-- materialized: ephemeral
-- grain: one row per agency referral, with the flags of the agency-referral
-- indicators (split by the receiving agency).
-- mental health seen: referrals to nhs_mental_health not declined, withdrawn or
--   redirected, in the base once contacted or once the deadline is strictly
--   before the as-of date; on time when first contacted by the deadline.
-- accepted on time: base = accepted, or pending past the deadline (strictly
--   before the as-of date); on time when accepted by the deadline.
-- assessment to agency: working days after the case's assessment_date up to
--   sent_date (0 when sent on or before the assessment day).
with

agency_referrals as (

    select * from staging.stg_agency_referrals

),

referrals as (

    select * from staging.stg_referrals

),

deadlines as (

    select * from intermediate.int_referral_deadlines

),

calendar as (

    select * from ref.calendar

),

build as (

    select * from meta.build

),

acceptance_deadlines as (

    select
        deadlines.start_date,
        deadlines.deadline_date
    from deadlines
    where deadlines.standard = 'agency_acceptance_working_days'

),

mh_contact_deadlines as (

    select
        deadlines.start_date,
        deadlines.deadline_date
    from deadlines
    where deadlines.standard = 'mh_first_contact_working_days'

),

joined as (

    select
        agency_referrals.agency_referral_id,
        agency_referrals.referral_id,
        referrals.victim_id,
        agency_referrals.agency,
        agency_referrals.sent_date,
        cast(date_trunc('month', agency_referrals.sent_date) as date) as sent_month,
        agency_referrals.outcome,
        agency_referrals.outcome_date,
        agency_referrals.first_contact_date,
        agency_referrals.ended_date,
        referrals.assessment_date,
        acceptance_deadlines.deadline_date as acceptance_deadline,
        mh_contact_deadlines.deadline_date as mh_contact_deadline,
        sent_day.working_day_number - assessed_day.working_day_number
            as working_days_from_assessment,
        build.as_of
    from agency_referrals
    cross join build
    inner join referrals
        on agency_referrals.referral_id = referrals.referral_id
    left join acceptance_deadlines
        on agency_referrals.sent_date = acceptance_deadlines.start_date
    left join mh_contact_deadlines
        on agency_referrals.sent_date = mh_contact_deadlines.start_date
    left join calendar as sent_day
        on agency_referrals.sent_date = sent_day.calendar_date
    left join calendar as assessed_day
        on referrals.assessment_date = assessed_day.calendar_date

),

flagged as (

    select
        agency_referral_id,
        referral_id,
        victim_id,
        agency,
        sent_date,
        sent_month,
        outcome,
        outcome_date,
        first_contact_date,
        ended_date,
        assessment_date,
        acceptance_deadline,
        mh_contact_deadline,
        case
            when assessment_date is not null
                then greatest(working_days_from_assessment, 0)
        end as working_days_from_assessment,
        agency = 'nhs_mental_health'
        and outcome in ('accepted', 'pending')
        and (first_contact_date is not null or mh_contact_deadline < as_of)
            as is_mh_seen_in_base,
        coalesce(first_contact_date <= mh_contact_deadline, false) as is_contacted_by_mh_deadline,
        outcome = 'accepted'
        or (outcome = 'pending' and acceptance_deadline < as_of)
            as is_acceptance_in_base,
        coalesce(outcome = 'accepted' and outcome_date <= acceptance_deadline, false)
            as is_accepted_by_deadline,
        outcome != 'pending' as is_decided,
        outcome in ('declined', 'withdrawn', 'redirected') as is_declined
    from joined

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
        outcome_date,
        first_contact_date,
        ended_date,
        assessment_date,
        working_days_from_assessment,
        acceptance_deadline,
        is_acceptance_in_base,
        case when is_acceptance_in_base then is_accepted_by_deadline end as is_accepted_on_time,
        mh_contact_deadline,
        is_mh_seen_in_base,
        case when is_mh_seen_in_base then is_contacted_by_mh_deadline end as is_mh_seen_on_time,
        is_decided,
        case when is_decided then is_declined end as is_declined
    from flagged

)

select * from final
