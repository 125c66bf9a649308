-- grain: one row per (service standard, start date) over the calendar.
-- deadline_date is the N-th working day strictly after start_date, N being the
-- standard's central setting in the register; "within N working days of D"
-- means end_date <= deadline_date (the same day is within).
with

calendar as (

    select * from ref.calendar

),

parameters as (

    select * from ref.parameters

),

standards as (

    select
        parameters.name as standard,
        cast(parameters.central as integer) as working_days
    from parameters
    where parameters.name in (
        'victims_code_referral_working_days',
        'first_contact_working_days',
        'agency_acceptance_working_days',
        'mh_first_contact_working_days'
    )

),

working_days as (

    select
        calendar.calendar_date,
        calendar.working_day_number
    from calendar
    where calendar.is_working_day

),

final as (

    select
        standards.standard,
        standards.working_days,
        calendar.calendar_date as start_date,
        working_days.calendar_date as deadline_date
    from calendar
    cross join standards
    inner join working_days
        on calendar.working_day_number + standards.working_days = working_days.working_day_number

)

select * from final
