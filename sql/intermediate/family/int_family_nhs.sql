-- grain: one row per (indicator_id, month, agency) with a non-empty base, for
-- the before/after NHS indicators (their units: intermediate.int_family_nhs_units),
-- counted by intermediate.int_family_unit_counts.
with

unit_counts as (

    select * from intermediate.int_family_unit_counts

),

final as (

    select
        indicator_id,
        month,  -- noqa: RF04
        agency,
        numerator,
        denominator,
        value,  -- noqa: RF04
        value_low,
        value_high,
        persons
    from unit_counts
    where unit_family = 'nhs'

)

select * from final
