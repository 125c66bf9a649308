-- grain: one row per (cohort_rule, cohort_month, agency, indicator_id): the one
-- counting rule of the indicators defined as per-referral flags, whichever family
-- they belong to. Every indicator <id> with the columns <id>_base and <id>_success
-- (NULL or false: not counted) is counted in one pass per cohort month (DuckDB's
-- columns(...)) and the totals unpivoted to one row per indicator:
-- * the outcome flags of intermediate.int_outcome_referrals on the month the case
--   closed (cohort_rule `closed`) and on the month of the exit survey (`survey`);
-- * the operations flags of intermediate.int_operations_referral_flags on the
--   referral month (`referral`).
-- The families keep the indicators the catalogue gives them on their cohort rule
-- (int_family_wellbeing, int_operations_referral_cohort).
-- Units are referrals (exit surveys: one per referral). The row for `all` counts
-- each referral once; an agency row counts the referrals that agency is involved in
-- (intermediate.int_referral_agencies); every referral involves victim_support, so
-- its rows are copies of the `all` rows.
-- units_in_base: referrals in the base; units_counted: of those, successes.
-- persons: distinct victims in the base; a victim with a single referral is one
-- person per unit, so only victims with other referrals need a distinct count.
with

outcome_referrals as (

    select * from intermediate.int_outcome_referrals

),

operations_flags as (

    select * from intermediate.int_operations_referral_flags

),

repeat_referral_victims as (

    select * from intermediate.int_outcome_repeat_referral_victims

),

referral_agencies as (

    select * from intermediate.int_referral_agencies

),

outcome_units as (

    select
        'closed' as cohort_rule,
        closed_month as cohort_month,
        referral_id,
        victim_id,
        victim_has_other_referrals,
        columns('_base$'),
        columns('_success$')

    from outcome_referrals
    where closed_month is not null

    union all

    select
        'survey' as cohort_rule,
        survey_month as cohort_month,
        referral_id,
        victim_id,
        victim_has_other_referrals,
        columns('_base$'),
        columns('_success$')

    from outcome_referrals
    where survey_month is not null

),

operations_units as (

    select
        'referral' as cohort_rule,
        operations_flags.referral_month as cohort_month,
        repeat_referral_victims.victim_id is not null as victim_has_other_referrals,
        operations_flags.* exclude (referral_month)  -- noqa: RF02

    from operations_flags
    left join repeat_referral_victims
        on operations_flags.victim_id = repeat_referral_victims.victim_id

),

cohort_units as (

    select * from outcome_units
    union all by name
    select * from operations_units

),

scoped_units as (

    select
        'all' as agency,
        cohort_units.*

    from cohort_units

    union all

    select
        referral_agencies.agency,
        cohort_units.*

    from cohort_units
    inner join referral_agencies
        on cohort_units.referral_id = referral_agencies.referral_id
    where referral_agencies.agency != 'victim_support'

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

    from scoped_units
    group by cohort_rule, cohort_month, agency

),

repeat_victim_bases as (

    select
        cohort_rule,
        cohort_month,
        agency,
        victim_id,
        bool_or(columns('_base$'))

    from scoped_units
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
        indicator_totals.cohort_rule,
        indicator_totals.cohort_month,
        indicator_totals.agency,
        indicator_totals.indicator_id,
        indicator_totals.units_in_base,
        indicator_totals.units_counted,
        indicator_totals.single_victims
        + coalesce(repeat_persons.persons, 0) as persons

    from indicator_totals
    left join repeat_persons
        on
            indicator_totals.cohort_rule = repeat_persons.cohort_rule
            and indicator_totals.cohort_month = repeat_persons.cohort_month
            and indicator_totals.agency = repeat_persons.agency
            and indicator_totals.indicator_id = repeat_persons.indicator_id

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
        cohort_rule,
        cohort_month,
        agency,
        indicator_id,
        units_in_base,
        units_counted,
        persons

    from hub_and_agency_rows

)

select * from final
