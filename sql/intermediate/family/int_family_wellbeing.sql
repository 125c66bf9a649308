-- grain: one row per (indicator_id, month, agency) with a non-empty base, for the
-- catalogue's `wellbeing` family (the assessment-based rate indicators: wellbeing,
-- safety and health outcomes, and family_benefited).
-- Nothing here names an indicator: every outcome indicator <id> has the columns
-- <id>_base and <id>_success in intermediate.int_outcome_referrals, counted per cohort
-- month and agency in intermediate.int_family_flag_counts; this model keeps the
-- indicators the catalogue puts in this family, each on its cohort month
-- (catalogue.cohort_month: `closed`, the month the case closed, or `survey`, the month
-- of the exit survey).
-- Units are referrals (family_benefited: exit surveys, one per referral); agency rows
-- are involvement rows. Censoring and status are set by the assembly.
with

flag_counts as (

    select * from intermediate.int_family_flag_counts

),

catalogue as (

    select * from ref.indicator_catalogue

),

family_indicators as (

    select
        indicator_id,
        cohort_month as cohort_rule

    from catalogue
    where family = 'wellbeing'

),

final as (

    select
        flag_counts.indicator_id,
        flag_counts.cohort_month as month,  -- noqa: RF04
        flag_counts.agency,
        cast(flag_counts.units_counted as double) as numerator,
        cast(flag_counts.units_in_base as double) as denominator,
        flag_counts.units_counted / flag_counts.units_in_base as value,  -- noqa: RF04
        cast(null as double) as value_low,
        cast(null as double) as value_high,
        cast(flag_counts.persons as bigint) as persons

    from flag_counts
    inner join family_indicators
        on
            flag_counts.indicator_id = family_indicators.indicator_id
            and flag_counts.cohort_rule = family_indicators.cohort_rule
    where flag_counts.units_in_base > 0

)

select * from final
