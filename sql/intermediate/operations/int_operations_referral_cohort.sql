-- grain: one row per (indicator_id, month, agency) for the operations
-- indicators of the referral-month cohort (catalogue: family `operations`,
-- cohort_month `referral`): the seven funnel counts, police_referral_2wd,
-- first_contact_2wd and enhanced_rights_share.
-- Each indicator <id> is defined once, as the per-referral flags <id>_base (in its
-- base; for a count, counted) and, for a rate, <id>_success
-- (intermediate.int_operations_referral_flags), counted per referral month and agency
-- in intermediate.int_family_flag_counts; the kind (count or rate) comes from the
-- catalogue. agency rows are involvement rows.
-- Counts are emitted for every (month, agency) with a referral; rates only
-- where their base is not empty. Family columns as in docs/architecture.md.
with

flag_counts as (

    select * from intermediate.int_family_flag_counts

),

catalogue as (

    select * from ref.indicator_catalogue

),

cohort_indicators as (

    select
        indicator_id,
        kind

    from catalogue
    where family = 'operations' and cohort_month = 'referral'

),

final as (

    select
        flag_counts.indicator_id,
        flag_counts.cohort_month as month, -- noqa: RF04
        flag_counts.agency,
        cast(
            case
                when cohort_indicators.kind = 'count' then flag_counts.units_in_base
                else flag_counts.units_counted
            end as double
        ) as numerator,
        cast(
            case when cohort_indicators.kind = 'rate' then flag_counts.units_in_base end
            as double
        ) as denominator,
        case
            when cohort_indicators.kind = 'count' then cast(flag_counts.units_in_base as double)
            else flag_counts.units_counted / flag_counts.units_in_base
        end as value, -- noqa: RF04
        cast(null as double) as value_low,
        cast(null as double) as value_high,
        cast(flag_counts.persons as bigint) as persons

    from flag_counts
    inner join cohort_indicators
        on flag_counts.indicator_id = cohort_indicators.indicator_id
    where
        flag_counts.cohort_rule = 'referral'
        and (cohort_indicators.kind = 'count' or flag_counts.units_in_base > 0)

)

select * from final
