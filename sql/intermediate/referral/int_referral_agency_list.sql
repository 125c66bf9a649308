-- grain: one row per agency code of the contract (metrics/contract.py AGENCIES):
-- the agencies that get their own rows in indicator_monthly.
with

codes as (

    select unnest([
        'victim_support',
        'hate_crime',
        'older_people',
        'young_people',
        'lgbt',
        'witness_care',
        'nhs_mental_health'
    ]) as agency

),

final as (

    select codes.agency
    from codes

)

select * from final
