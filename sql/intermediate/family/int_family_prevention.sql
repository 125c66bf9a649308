-- grain: one row per (indicator_id, month, agency) with a non-empty base, for
-- the prevention indicators that are not assessment-based (their units: intermediate.int_family_prevention_units; _crime_cost_residual_gbp is an internal row for the value-for-money total),
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
    where unit_family = 'prevention'

)

select * from final
