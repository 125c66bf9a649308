-- grain: one row per catalogue indicator, with whether its measures are in
-- the extract. A `requires` item is `table.column`: met when the table's file
-- is in the extract, the column is in the file and at least one loaded row has
-- a value for it; `a|b` means either will do; every `;`-separated item must be
-- met, else the indicator is `no_data`.
-- `agency_requires` is what the agency rows need on top (the tables that say
-- which agencies were involved).
with

catalogue as (

    select * from ref.indicator_catalogue

),

source_tables as (

    select * from meta.source_tables

),

source_columns as (

    select * from meta.source_columns

),

available_measures as (

    select
        source_columns.table_name,
        source_columns.column_name,
        source_tables.present
        and source_columns.in_file
        and source_columns.has_values as is_available
    from source_columns
    inner join source_tables
        on source_columns.table_name = source_tables.table_name

),

rule_texts as (

    select
        catalogue.indicator_id,
        'requires' as rule_name,
        catalogue.requires as rule_text
    from catalogue
    union all
    select
        catalogue.indicator_id,
        'agency_requires' as rule_name,
        catalogue.agency_requires as rule_text
    from catalogue

),

rule_items as (

    select
        rule_texts.indicator_id,
        rule_texts.rule_name,
        unnest(string_split(rule_texts.rule_text, ';')) as item
    from rule_texts
    where rule_texts.rule_text is not null

),

item_alternatives as (

    select
        rule_items.indicator_id,
        rule_items.rule_name,
        rule_items.item,
        unnest(string_split(rule_items.item, '|')) as alternative
    from rule_items

),

checked_items as (

    select
        item_alternatives.indicator_id,
        item_alternatives.rule_name,
        item_alternatives.item,
        coalesce(bool_or(available_measures.is_available), false) as is_met
    from item_alternatives
    left join available_measures
        on
            split_part(item_alternatives.alternative, '.', 1) = available_measures.table_name
            and split_part(item_alternatives.alternative, '.', 2) = available_measures.column_name
    group by item_alternatives.indicator_id, item_alternatives.rule_name, item_alternatives.item

),

checked_rules as (

    select
        checked_items.indicator_id,
        bool_and(checked_items.is_met) filter (where checked_items.rule_name = 'requires')
            as requires_met,
        bool_and(checked_items.is_met) filter (where checked_items.rule_name = 'agency_requires')
            as agency_requires_met
    from checked_items
    group by checked_items.indicator_id

),

final as (

    select
        catalogue.indicator_id,
        catalogue.family,
        catalogue.kind,
        catalogue.has_agency_rows,
        catalogue.uses_parameters,
        catalogue.censor_days,
        catalogue.censor_months,
        catalogue.coverage_table,
        not coalesce(checked_rules.requires_met, true) as is_no_data,
        not coalesce(checked_rules.agency_requires_met, true) as is_agency_no_data
    from catalogue
    left join checked_rules
        on catalogue.indicator_id = checked_rules.indicator_id

)

select * from final
