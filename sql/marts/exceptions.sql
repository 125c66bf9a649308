-- grain: one row per open case past a service deadline at the as-of date,
-- by pseudonymous id only (the exception lists of the dashboard and the
-- manager's report):
-- first_contact: a referral neither contacted nor closed, past its
--   first-contact deadline (case_id = referral_id, agency NULL);
-- agency_acceptance: an agency referral still pending past its acceptance
--   deadline (case_id = agency_referral_id);
-- mental_health_contact: a referral to NHS mental health not declined,
--   withdrawn or redirected, not seen and not ended, past its 10-working-day
--   deadline (case_id = agency_referral_id).
-- agencies: the agencies the case is for (first_contact: every agency the
-- referral involves, in the contract's order; otherwise the receiving agency).
-- crime_type: of the referral (NULL if it is not in fct_referrals).
-- responsible_agency: the agency whose standard is missed (first_contact: the
-- lead agency, victim_support, which makes the first contact; otherwise the
-- receiving agency).
-- days_past_deadline: calendar days from the deadline to the as-of date;
-- working_days_past_deadline: working days after the deadline up to and
-- including the as-of date (ref.calendar), the unit of the standards
-- themselves; 0 when the as-of date is a weekend or bank holiday straight
-- after the deadline.
with

referrals as (

    select * from marts.fct_referrals

),

agency_referrals as (

    select * from marts.agency_referrals

),

build as (

    select * from meta.build

),

calendar as (

    select * from ref.calendar

),

first_contact as (

    select
        'first_contact' as kind,
        referrals.referral_id as case_id,
        referrals.referral_id,
        null::varchar as agency_referral_id,
        null::varchar as agency,
        list_filter([
            case when referrals.involves_victim_support then 'victim_support' end,
            case when referrals.involves_hate_crime then 'hate_crime' end,
            case when referrals.involves_older_people then 'older_people' end,
            case when referrals.involves_young_people then 'young_people' end,
            case when referrals.involves_lgbt then 'lgbt' end,
            case when referrals.involves_witness_care then 'witness_care' end,
            case when referrals.involves_nhs_mental_health then 'nhs_mental_health' end
        ], lambda x: x is not null) as agencies,  -- noqa: RF02
        'victim_support' as responsible_agency,
        referrals.crime_type,
        referrals.referral_date as start_date,
        referrals.first_contact_deadline as deadline_date,
        datediff('day', referrals.first_contact_deadline, build.as_of) as days_past_deadline
    from referrals
    cross join build
    where
        referrals.first_contact_date is null
        and referrals.closed_date is null
        and referrals.first_contact_deadline < build.as_of

),

acceptance as (

    select
        'agency_acceptance' as kind,
        agency_referrals.agency_referral_id as case_id,
        agency_referrals.referral_id,
        agency_referrals.agency_referral_id,
        agency_referrals.agency,
        [agency_referrals.agency] as agencies,
        agency_referrals.agency as responsible_agency,
        referrals.crime_type,
        agency_referrals.sent_date as start_date,
        agency_referrals.acceptance_deadline as deadline_date,
        datediff('day', agency_referrals.acceptance_deadline, build.as_of)
            as days_past_deadline
    from agency_referrals
    left join referrals
        on agency_referrals.referral_id = referrals.referral_id
    cross join build
    where
        agency_referrals.outcome = 'pending'
        and agency_referrals.acceptance_deadline < build.as_of

),

mental_health as (

    select
        'mental_health_contact' as kind,
        agency_referrals.agency_referral_id as case_id,
        agency_referrals.referral_id,
        agency_referrals.agency_referral_id,
        agency_referrals.agency,
        [agency_referrals.agency] as agencies,
        agency_referrals.agency as responsible_agency,
        referrals.crime_type,
        agency_referrals.sent_date as start_date,
        agency_referrals.mh_contact_deadline as deadline_date,
        datediff('day', agency_referrals.mh_contact_deadline, build.as_of)
            as days_past_deadline
    from agency_referrals
    left join referrals
        on agency_referrals.referral_id = referrals.referral_id
    cross join build
    where
        agency_referrals.agency = 'nhs_mental_health'
        and agency_referrals.outcome not in ('declined', 'withdrawn', 'redirected')
        and agency_referrals.first_contact_date is null
        and agency_referrals.ended_date is null
        and agency_referrals.mh_contact_deadline < build.as_of

),

overdue as (

    select * from first_contact
    union all
    select * from acceptance
    union all
    select * from mental_health

),

final as (

    select
        overdue.*,
        as_of_day.working_day_number - deadline_day.working_day_number
            as working_days_past_deadline
    from overdue
    cross join build
    left join calendar as as_of_day
        on build.as_of = as_of_day.calendar_date
    left join calendar as deadline_day
        on overdue.deadline_date = deadline_day.calendar_date

)

select * from final
