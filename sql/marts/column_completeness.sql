-- grain: one row per (raw table, column): the rows loaded into the table and
-- the rows with a value in the column (the completeness the data-quality page
-- shows). The raw tables have exactly the contract's columns; a table absent
-- from the extract is empty, an optional column absent from its file all NULL.
-- Read from raw, not staging: these are the contract's own tables and columns.
with

victims as (

    select * from raw.victims

),

victims_counts as (

    select
        count(*) as rows_loaded,
        count(columns(*))
    from victims

),

victims_columns as (

    unpivot victims_counts
    on columns(* exclude (rows_loaded))
    into name column_name value rows_with_value

),

referrals as (

    select * from raw.referrals

),

referrals_counts as (

    select
        count(*) as rows_loaded,
        count(columns(*))
    from referrals

),

referrals_columns as (

    unpivot referrals_counts
    on columns(* exclude (rows_loaded))
    into name column_name value rows_with_value

),

agency_referrals as (

    select * from raw.agency_referrals

),

agency_referrals_counts as (

    select
        count(*) as rows_loaded,
        count(columns(*))
    from agency_referrals

),

agency_referrals_columns as (

    unpivot agency_referrals_counts
    on columns(* exclude (rows_loaded))
    into name column_name value rows_with_value

),

services as (

    select * from raw.services

),

services_counts as (

    select
        count(*) as rows_loaded,
        count(columns(*))
    from services

),

services_columns as (

    unpivot services_counts
    on columns(* exclude (rows_loaded))
    into name column_name value rows_with_value

),

assessments as (

    select * from raw.assessments

),

assessments_counts as (

    select
        count(*) as rows_loaded,
        count(columns(*))
    from assessments

),

assessments_columns as (

    unpivot assessments_counts
    on columns(* exclude (rows_loaded))
    into name column_name value rows_with_value

),

health_use as (

    select * from raw.health_use

),

health_use_counts as (

    select
        count(*) as rows_loaded,
        count(columns(*))
    from health_use

),

health_use_columns as (

    unpivot health_use_counts
    on columns(* exclude (rows_loaded))
    into name column_name value rows_with_value

),

repeat_crimes as (

    select * from raw.repeat_crimes

),

repeat_crimes_counts as (

    select
        count(*) as rows_loaded,
        count(columns(*))
    from repeat_crimes

),

repeat_crimes_columns as (

    unpivot repeat_crimes_counts
    on columns(* exclude (rows_loaded))
    into name column_name value rows_with_value

),

exit_surveys as (

    select * from raw.exit_surveys

),

exit_surveys_counts as (

    select
        count(*) as rows_loaded,
        count(columns(*))
    from exit_surveys

),

exit_surveys_columns as (

    unpivot exit_surveys_counts
    on columns(* exclude (rows_loaded))
    into name column_name value rows_with_value

),

funding as (

    select * from raw.funding

),

funding_counts as (

    select
        count(*) as rows_loaded,
        count(columns(*))
    from funding

),

funding_columns as (

    unpivot funding_counts
    on columns(* exclude (rows_loaded))
    into name column_name value rows_with_value

),

population as (

    select * from raw.population

),

population_counts as (

    select
        count(*) as rows_loaded,
        count(columns(*))
    from population

),

population_columns as (

    unpivot population_counts
    on columns(* exclude (rows_loaded))
    into name column_name value rows_with_value

),

final as (

    select
        'victims' as table_name,
        column_name,
        rows_loaded,
        rows_with_value
    from victims_columns
    union all
    select
        'referrals' as table_name,
        column_name,
        rows_loaded,
        rows_with_value
    from referrals_columns
    union all
    select
        'agency_referrals' as table_name,
        column_name,
        rows_loaded,
        rows_with_value
    from agency_referrals_columns
    union all
    select
        'services' as table_name,
        column_name,
        rows_loaded,
        rows_with_value
    from services_columns
    union all
    select
        'assessments' as table_name,
        column_name,
        rows_loaded,
        rows_with_value
    from assessments_columns
    union all
    select
        'health_use' as table_name,
        column_name,
        rows_loaded,
        rows_with_value
    from health_use_columns
    union all
    select
        'repeat_crimes' as table_name,
        column_name,
        rows_loaded,
        rows_with_value
    from repeat_crimes_columns
    union all
    select
        'exit_surveys' as table_name,
        column_name,
        rows_loaded,
        rows_with_value
    from exit_surveys_columns
    union all
    select
        'funding' as table_name,
        column_name,
        rows_loaded,
        rows_with_value
    from funding_columns
    union all
    select
        'population' as table_name,
        column_name,
        rows_loaded,
        rows_with_value
    from population_columns

)

select * from final
