-- grain: one row per (indicator_id, month, agency): every catalogue indicator
-- (reach_ratio excepted: see equity_reach) for every month from the first
-- referral month to the as-of month, agency `all` plus each agency code for
-- indicators with agency rows. Status, values and persons are set in
-- int_assembly_indicator_status (families) and int_assembly_value_for_money.
with

statuses as (

    select * from intermediate.int_assembly_indicator_status

),

value_for_money as (

    select * from intermediate.int_assembly_value_for_money

),

assembled as (

    select
        statuses.indicator_id,
        statuses.month_start,
        statuses.agency,
        statuses.status,
        statuses.numerator,
        statuses.denominator,
        statuses.indicator_value,
        statuses.value_low,
        statuses.value_high,
        statuses.persons
    from statuses
    union all
    select
        value_for_money.indicator_id,
        value_for_money.month_start,
        value_for_money.agency,
        value_for_money.status,
        value_for_money.numerator,
        value_for_money.denominator,
        value_for_money.indicator_value,
        value_for_money.value_low,
        value_for_money.value_high,
        value_for_money.persons
    from value_for_money

),

final as (

    select
        cast(indicator_id as varchar) as indicator_id,
        cast(month_start as date) as month, -- noqa: RF04
        cast(agency as varchar) as agency,
        cast(status as varchar) as status,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        cast(indicator_value as double) as value, -- noqa: RF04
        cast(value_low as double) as value_low,
        cast(value_high as double) as value_high,
        cast(persons as bigint) as persons
    from assembled
    order by indicator_id, month, agency

)

select * from final
