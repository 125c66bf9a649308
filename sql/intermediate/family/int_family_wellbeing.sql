-- grain: one row per (indicator_id, month, agency) with a non-empty base, for the
-- catalogue's `wellbeing` family (the assessment-based rate indicators: wellbeing,
-- safety and health outcomes, and family_benefited).
-- Nothing here names an indicator: every outcome indicator <id> has the columns
-- <id>_base and <id>_success in intermediate.int_outcome_referrals; this model counts
-- all of them in one pass per cohort month (DuckDB's columns(...)), unpivots the totals
-- to one row per indicator, and keeps the indicators the catalogue puts in this family,
-- each on its cohort month (catalogue.cohort_month: `closed`, the month the case closed,
-- or `survey`, the month of the exit survey).
-- Units are referrals (family_benefited: exit surveys, one per referral). The row for
-- `all` counts each referral once; an agency row counts the referrals that agency is
-- involved in (intermediate.int_referral_agencies); every referral involves
-- victim_support, so its rows are the `all` rows. Censoring and status are set by the
-- assembly.
-- persons: distinct victims; a victim with a single referral is one person per unit, so
-- only victims with other referrals need a distinct count.
with

outcome_referrals as (

    select * from intermediate.int_outcome_referrals

),

referral_agencies as (

    select * from intermediate.int_referral_agencies

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

outcome_flags as (

    select
        referral_id,
        victim_id,
        victim_has_other_referrals,
        closed_month,
        survey_month,
        columns('_base$'),
        columns('_success$')

    from outcome_referrals

),

referral_units as (

    select
        'all' as agency,
        outcome_flags.*

    from outcome_flags

    union all

    select
        referral_agencies.agency,
        outcome_flags.*

    from outcome_flags
    inner join referral_agencies
        on outcome_flags.referral_id = referral_agencies.referral_id
    where referral_agencies.agency != 'victim_support'

),

cohort_units as (

    select
        'closed' as cohort_rule,
        closed_month as cohort_month,
        * exclude (closed_month, survey_month)

    from referral_units
    where closed_month is not null

    union all

    select
        'survey' as cohort_rule,
        survey_month as cohort_month,
        * exclude (closed_month, survey_month)

    from referral_units
    where survey_month is not null

),

unit_totals as (

    select
        cohort_rule,
        cohort_month,
        agency,
        count_if(columns('(.*)_base$')) as '\1__units_in_base',  -- noqa: RF05
        count_if(columns('(.*)_success$')) as '\1__units_counted',  -- noqa: RF05
        count_if(
            columns('(.*)_base$') and not victim_has_other_referrals
        ) as '\1__single_victims'  -- noqa: RF05

    from cohort_units
    group by cohort_rule, cohort_month, agency

),

repeat_victim_bases as (

    select
        cohort_rule,
        cohort_month,
        agency,
        victim_id,
        bool_or(columns('_base$'))

    from cohort_units
    where victim_has_other_referrals
    group by cohort_rule, cohort_month, agency, victim_id

),

repeat_person_totals as (

    select
        cohort_rule,
        cohort_month,
        agency,
        count_if(columns('(.*)_base$')) as '\1__repeat_persons'  -- noqa: RF05

    from repeat_victim_bases
    group by cohort_rule, cohort_month, agency

),

unit_measures as (

    unpivot unit_totals
    on columns('__')
    into name measure value amount

),

repeat_person_measures as (

    unpivot repeat_person_totals
    on columns('__')
    into name measure value amount

),

indicator_totals as (

    select
        cohort_rule,
        cohort_month,
        agency,
        split_part(measure, '__', 1) as indicator_id,
        sum(amount) filter (
            where split_part(measure, '__', 2) = 'units_in_base'
        ) as units_in_base,
        sum(amount) filter (
            where split_part(measure, '__', 2) = 'units_counted'
        ) as units_counted,
        sum(amount) filter (
            where split_part(measure, '__', 2) = 'single_victims'
        ) as single_victims

    from unit_measures
    group by cohort_rule, cohort_month, agency, split_part(measure, '__', 1)

),

repeat_persons as (

    select
        cohort_rule,
        cohort_month,
        agency,
        split_part(measure, '__', 1) as indicator_id,
        amount as persons

    from repeat_person_measures

),

scope_rows as (

    select
        indicator_totals.indicator_id,
        indicator_totals.cohort_month,
        indicator_totals.agency,
        indicator_totals.units_in_base,
        indicator_totals.units_counted,
        indicator_totals.single_victims
        + coalesce(repeat_persons.persons, 0) as persons

    from indicator_totals
    inner join family_indicators
        on
            indicator_totals.indicator_id = family_indicators.indicator_id
            and indicator_totals.cohort_rule = family_indicators.cohort_rule
    left join repeat_persons
        on
            indicator_totals.cohort_rule = repeat_persons.cohort_rule
            and indicator_totals.cohort_month = repeat_persons.cohort_month
            and indicator_totals.agency = repeat_persons.agency
            and indicator_totals.indicator_id = repeat_persons.indicator_id
    where indicator_totals.units_in_base > 0

),

hub_and_agency_rows as (

    select * from scope_rows

    union all

    select scope_rows.* replace ('victim_support' as agency)
    from scope_rows
    where scope_rows.agency = 'all'

),

final as (

    select
        indicator_id,
        cohort_month as month,  -- noqa: RF04
        agency,
        cast(units_counted as double) as numerator,
        cast(units_in_base as double) as denominator,
        units_counted / units_in_base as value,  -- noqa: RF04
        cast(null as double) as value_low,
        cast(null as double) as value_high,
        cast(persons as bigint) as persons

    from hub_and_agency_rows

)

select * from final
