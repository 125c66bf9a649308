-- grain: one row per (indicator_id, month, agency) emitted by an indicator
-- family (intermediate.int_family_<family>), tagged with the family. Internal
-- ids (starting with an underscore, such as _crime_cost_residual_gbp) are
-- kept: the value-for-money model reads them; the catalogue spine drops them.
with

operations_rows as (

    select * from intermediate.int_family_operations

),

wellbeing_rows as (

    select * from intermediate.int_family_wellbeing

),

prevention_rows as (

    select * from intermediate.int_family_prevention

),

nhs_rows as (

    select * from intermediate.int_family_nhs

),

value_rows as (

    select * from intermediate.int_family_value

),

final as (

    select
        'operations' as source_family,
        operations_rows.indicator_id,
        operations_rows.month, -- noqa: RF04
        operations_rows.agency,
        operations_rows.numerator,
        operations_rows.denominator,
        operations_rows.value, -- noqa: RF04
        operations_rows.value_low,
        operations_rows.value_high,
        operations_rows.persons
    from operations_rows
    union all
    select
        'wellbeing' as source_family,
        wellbeing_rows.indicator_id,
        wellbeing_rows.month, -- noqa: RF04
        wellbeing_rows.agency,
        wellbeing_rows.numerator,
        wellbeing_rows.denominator,
        wellbeing_rows.value, -- noqa: RF04
        wellbeing_rows.value_low,
        wellbeing_rows.value_high,
        wellbeing_rows.persons
    from wellbeing_rows
    union all
    select
        'prevention' as source_family,
        prevention_rows.indicator_id,
        prevention_rows.month, -- noqa: RF04
        prevention_rows.agency,
        prevention_rows.numerator,
        prevention_rows.denominator,
        prevention_rows.value, -- noqa: RF04
        prevention_rows.value_low,
        prevention_rows.value_high,
        prevention_rows.persons
    from prevention_rows
    union all
    select
        'nhs' as source_family,
        nhs_rows.indicator_id,
        nhs_rows.month, -- noqa: RF04
        nhs_rows.agency,
        nhs_rows.numerator,
        nhs_rows.denominator,
        nhs_rows.value, -- noqa: RF04
        nhs_rows.value_low,
        nhs_rows.value_high,
        nhs_rows.persons
    from nhs_rows
    union all
    select
        'value' as source_family,
        value_rows.indicator_id,
        value_rows.month, -- noqa: RF04
        value_rows.agency,
        value_rows.numerator,
        value_rows.denominator,
        value_rows.value, -- noqa: RF04
        value_rows.value_low,
        value_rows.value_high,
        value_rows.persons
    from value_rows

)

select * from final
