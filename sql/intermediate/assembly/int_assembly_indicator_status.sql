-- grain: one row per (indicator_id, month, agency) of the indicator_monthly
-- spine, for every catalogue indicator except value for money (computed from
-- these rows in int_assembly_value_for_money) and the equity table's reach_ratio:
-- every month of int_referral_month_spine x `all`, plus each agency for indicators
-- with agency rows.
-- status, by precedence:
--   no_data             a required measure is absent (int_assembly_indicator_rules;
--                       agency rows also need agency_requires)
--   not_yet_measurable  month_end + censor_days (or + censor_months) is after
--                       the as-of date, or after the coverage date of the
--                       indicator's coverage_table when one is given
--   empty_base          no family row, or a zero denominator (rate, median,
--                       ratio); counts are never empty: 0 without a row
--   ok                  otherwise
-- numerator, denominator, value, value_low and value_high are NULL unless ok;
-- persons is 0 unless ok. value_low and value_high only for indicators that
-- use register parameters. The denominator is NULL for counts, sums and money
-- (persons says how many people stand behind them).
with

rules as (

    select * from intermediate.int_assembly_indicator_rules

),

months as (

    select * from intermediate.int_referral_month_spine

),

agencies as (

    select * from intermediate.int_referral_agency_list

),

family_rows as (

    select * from intermediate.int_assembly_family_rows

),

build as (

    select * from meta.build

),

monthly_rules as (

    select
        rules.indicator_id,
        rules.kind,
        rules.has_agency_rows,
        rules.uses_parameters,
        rules.is_no_data,
        rules.is_agency_no_data,
        rules.censor_days,
        rules.censor_months,
        months.month_start,
        months.month_end,
        build.as_of,
        case rules.coverage_table
            when 'repeat_crimes' then build.coverage_repeat_crimes
            when 'health_use' then build.coverage_health_use
        end as coverage_date
    from rules
    cross join months
    cross join build
    where rules.family not in ('equity', 'value_for_money')

),

window_ends as (

    select
        monthly_rules.*,
        coalesce(
            monthly_rules.month_end + monthly_rules.censor_days,
            cast(monthly_rules.month_end + to_months(monthly_rules.censor_months) as date)
        ) as window_end
    from monthly_rules

),

scopes as (

    select
        'all' as agency,
        window_ends.*
    from window_ends
    union all
    select
        agencies.agency,
        window_ends.*
    from window_ends
    cross join agencies
    where window_ends.has_agency_rows

),

joined as (

    select
        scopes.indicator_id,
        scopes.month_start,
        scopes.agency,
        scopes.kind,
        scopes.uses_parameters,
        family_rows.numerator,
        family_rows.denominator,
        family_rows.value as family_value,
        family_rows.value_low,
        family_rows.value_high,
        family_rows.persons,
        family_rows.indicator_id is not null as has_family_row,
        case
            when scopes.is_no_data then 'no_data'
            when scopes.agency != 'all' and scopes.is_agency_no_data then 'no_data'
            when scopes.window_end > scopes.as_of then 'not_yet_measurable'
            when scopes.window_end > scopes.coverage_date then 'not_yet_measurable'
            when scopes.kind = 'count' then 'ok'
            when family_rows.indicator_id is null then 'empty_base'
            when
                scopes.kind in ('rate', 'median', 'ratio')
                and coalesce(family_rows.denominator, 0) = 0
                then 'empty_base'
            else 'ok'
        end as status
    from scopes
    left join family_rows
        on
            scopes.indicator_id = family_rows.indicator_id
            and scopes.month_start = family_rows.month
            and scopes.agency = family_rows.agency

),

final as (

    select
        indicator_id,
        month_start,
        agency,
        kind,
        status,
        case
            when status = 'ok' and kind = 'count' then coalesce(numerator, 0)
            when status = 'ok' then numerator
        end as numerator,
        case
            when status = 'ok' and kind not in ('count', 'money', 'sum') then denominator
        end as denominator,
        case
            when status = 'ok' and kind = 'count' then coalesce(family_value, numerator, 0)
            when status = 'ok' then family_value
        end as indicator_value,
        case when status = 'ok' and uses_parameters then value_low end as value_low,
        case when status = 'ok' and uses_parameters then value_high end as value_high,
        case when status = 'ok' then coalesce(persons, 0) else 0 end as persons
    from joined

)

select * from final
