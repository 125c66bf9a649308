-- grain: one row per (indicator_id, month, agency): the operations family
-- (hub operations, mental_health_seen_10wd, enhanced_rights_share, working
-- together), with the family columns of docs/architecture.md. Each part is built in its own
-- int_operations_* model.
with

referral_cohort as (

    select * from intermediate.int_operations_referral_cohort

),

agency_referrals as (

    select * from intermediate.int_operations_agency_referrals

),

open_cases as (

    select * from intermediate.int_operations_open_cases

),

follow_up_coverage as (

    select * from intermediate.int_operations_follow_up_coverage

),

exit_surveys as (

    select * from intermediate.int_operations_exit_surveys

),

collaboration as (

    select * from intermediate.int_operations_collaboration

),

final as (

    select
        referral_cohort.indicator_id,
        referral_cohort.month, -- noqa: RF04
        referral_cohort.agency,
        referral_cohort.numerator,
        referral_cohort.denominator,
        referral_cohort.value, -- noqa: RF04
        referral_cohort.value_low,
        referral_cohort.value_high,
        referral_cohort.persons
    from referral_cohort
    union all
    select
        agency_referrals.indicator_id,
        agency_referrals.month, -- noqa: RF04
        agency_referrals.agency,
        agency_referrals.numerator,
        agency_referrals.denominator,
        agency_referrals.value, -- noqa: RF04
        agency_referrals.value_low,
        agency_referrals.value_high,
        agency_referrals.persons
    from agency_referrals
    union all
    select
        open_cases.indicator_id,
        open_cases.month, -- noqa: RF04
        open_cases.agency,
        open_cases.numerator,
        open_cases.denominator,
        open_cases.value, -- noqa: RF04
        open_cases.value_low,
        open_cases.value_high,
        open_cases.persons
    from open_cases
    union all
    select
        follow_up_coverage.indicator_id,
        follow_up_coverage.month, -- noqa: RF04
        follow_up_coverage.agency,
        follow_up_coverage.numerator,
        follow_up_coverage.denominator,
        follow_up_coverage.value, -- noqa: RF04
        follow_up_coverage.value_low,
        follow_up_coverage.value_high,
        follow_up_coverage.persons
    from follow_up_coverage
    union all
    select
        exit_surveys.indicator_id,
        exit_surveys.month, -- noqa: RF04
        exit_surveys.agency,
        exit_surveys.numerator,
        exit_surveys.denominator,
        exit_surveys.value, -- noqa: RF04
        exit_surveys.value_low,
        exit_surveys.value_high,
        exit_surveys.persons
    from exit_surveys
    union all
    select
        collaboration.indicator_id,
        collaboration.month, -- noqa: RF04
        collaboration.agency,
        collaboration.numerator,
        collaboration.denominator,
        collaboration.value, -- noqa: RF04
        collaboration.value_low,
        collaboration.value_high,
        collaboration.persons
    from collaboration

)

select * from final
