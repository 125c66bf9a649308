-- grain: one row per (scenario, parameter) of the assumptions register.
-- setting: the parameter's low, central or high column for the scenario of that name
-- (money already uprated to the price base year). The low column holds the setting
-- that gives the lower value, so a scenario uses every parameter's column of its name.
with

parameters as (

    select * from ref.parameters

),

scenarios as (

    select unnest(['low', 'central', 'high']) as scenario

),

final as (

    select
        scenarios.scenario,
        parameters.name as parameter_name,
        case scenarios.scenario
            when 'low' then parameters.low
            when 'central' then parameters.central
            when 'high' then parameters.high
        end as setting

    from parameters
    cross join scenarios

)

select * from final
