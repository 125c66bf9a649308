-- grain: one row per indicator: the published description of every indicator
-- (drives the dashboard, reports and docs), with the rules the assembly of
-- indicator_monthly reads. Loaded from data/indicator_catalogue.csv into
-- ref.indicator_catalogue by metrics/catalogue.py before the models run.
with

catalogue as (

    select * from ref.indicator_catalogue

),

final as (

    select
        catalogue.indicator_id,
        catalogue.title,
        catalogue.theme,
        catalogue.horizon,
        catalogue.dimension,
        catalogue.unit,
        catalogue.direction,
        catalogue.definition,
        catalogue.source,
        catalogue.family,
        catalogue.has_agency_rows,
        catalogue.kind,
        catalogue.requires,
        catalogue.agency_requires,
        catalogue.cohort_month,
        catalogue.record_table,
        catalogue.base_flag,
        catalogue.success_flag,
        catalogue.censor_days,
        catalogue.censor_months,
        catalogue.coverage_table,
        catalogue.uses_parameters,
        catalogue.public_label,
        catalogue.public_base,
        catalogue.coverage_indicator,
        catalogue.benchmark_parameter,
        catalogue.benchmark_note,
        catalogue.dimension_why
    from catalogue

)

select * from final
