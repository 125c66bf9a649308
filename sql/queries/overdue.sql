-- audiences: manager
-- Open work past a service deadline at the as-of date, one row per case and agency
-- (a first contact overdue on a referral is listed under every agency it involves).
with

exceptions as (

    select * from marts.exceptions

),

final as (

    select
        kind,
        case_id,
        unnest(agencies) as agency,
        responsible_agency,
        deadline_date,
        working_days_past_deadline
    from exceptions

)

select * from final
order by kind asc, working_days_past_deadline desc, deadline_date asc, case_id asc, agency asc
