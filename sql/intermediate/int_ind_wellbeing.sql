-- grain: one row per (indicator_id, month, agency) with a non-empty base, for the
-- assessment-based rate indicators (wellbeing, safety and health outcomes).
-- Units are referrals (family_benefited: exit surveys, one per referral). The row for
-- `all` counts each referral once; an agency row counts the referrals that agency is
-- involved in (intermediate.int_referral_agencies); every referral involves victim_support,
-- so its rows are the `all` rows. Bases, counts and cohort months come
-- from intermediate.int_outcome_referrals; censoring and status are set by the assembly.
-- persons: distinct victims; a victim with a single referral is one person per unit, so
-- only victims with other referrals need a distinct count.
-- One pass counts every indicator of a cohort month at once (bases and counts are
-- columns of int_outcome_referrals); the rows per indicator are made from the totals.
with

outcome_referrals as (

    select * from intermediate.int_outcome_referrals

),

referral_agencies as (

    select * from intermediate.int_referral_agencies

),

in_any_base as (

    select
        outcome_referrals.referral_id,
        outcome_referrals.victim_id,
        outcome_referrals.victim_has_other_referrals,
        outcome_referrals.closed_month,
        outcome_referrals.survey_month,
        outcome_referrals.wellbeing_gain_at_exit_base,
        outcome_referrals.wellbeing_gain_at_exit_success,
        outcome_referrals.coped_better_at_exit_base,
        outcome_referrals.coped_better_at_exit_success,
        outcome_referrals.informed_at_exit_base,
        outcome_referrals.informed_at_exit_success,
        outcome_referrals.family_benefited_base,
        outcome_referrals.family_benefited_success,
        outcome_referrals.wellbeing_sustained_3_12m_base,
        outcome_referrals.wellbeing_sustained_3_12m_success,
        outcome_referrals.back_to_daily_life_3_12m_base,
        outcome_referrals.back_to_daily_life_3_12m_success,
        outcome_referrals.wellbeing_gain_12m_plus_base,
        outcome_referrals.wellbeing_gain_12m_plus_success,
        outcome_referrals.feel_safer_at_exit_base,
        outcome_referrals.feel_safer_at_exit_success,
        outcome_referrals.feel_safe_12m_plus_base,
        outcome_referrals.feel_safe_12m_plus_success,
        outcome_referrals.health_improved_at_exit_base,
        outcome_referrals.health_improved_at_exit_success,
        outcome_referrals.health_maintained_12m_plus_base,
        outcome_referrals.health_maintained_12m_plus_success

    from outcome_referrals
    where
        outcome_referrals.wellbeing_gain_at_exit_base
        or outcome_referrals.coped_better_at_exit_base
        or outcome_referrals.informed_at_exit_base
        or outcome_referrals.family_benefited_base
        or outcome_referrals.wellbeing_sustained_3_12m_base
        or outcome_referrals.back_to_daily_life_3_12m_base
        or outcome_referrals.wellbeing_gain_12m_plus_base
        or outcome_referrals.feel_safer_at_exit_base
        or outcome_referrals.feel_safe_12m_plus_base
        or outcome_referrals.health_improved_at_exit_base
        or outcome_referrals.health_maintained_12m_plus_base

),

referral_units as (

    select
        'all' as agency,
        in_any_base.*

    from in_any_base

    union all

    select
        referral_agencies.agency,
        in_any_base.*

    from in_any_base
    inner join referral_agencies
        on in_any_base.referral_id = referral_agencies.referral_id
    where referral_agencies.agency != 'victim_support'

),

closed_month_totals as (

    select
        closed_month as cohort_month,
        agency,
        count(*) filter (where wellbeing_gain_at_exit_base) as wellbeing_gain_at_exit_units,
        count(*) filter (where wellbeing_gain_at_exit_success) as wellbeing_gain_at_exit_counted,
        count(*) filter (
            where wellbeing_gain_at_exit_base and not victim_has_other_referrals
        ) as wellbeing_gain_at_exit_single_victims,
        count(*) filter (where coped_better_at_exit_base) as coped_better_at_exit_units,
        count(*) filter (where coped_better_at_exit_success) as coped_better_at_exit_counted,
        count(*) filter (
            where coped_better_at_exit_base and not victim_has_other_referrals
        ) as coped_better_at_exit_single_victims,
        count(*) filter (where informed_at_exit_base) as informed_at_exit_units,
        count(*) filter (where informed_at_exit_success) as informed_at_exit_counted,
        count(*) filter (
            where informed_at_exit_base and not victim_has_other_referrals
        ) as informed_at_exit_single_victims,
        count(*) filter (where wellbeing_sustained_3_12m_base) as wellbeing_sustained_3_12m_units,
        count(*) filter (
            where wellbeing_sustained_3_12m_success
        ) as wellbeing_sustained_3_12m_counted,
        count(*) filter (
            where wellbeing_sustained_3_12m_base and not victim_has_other_referrals
        ) as wellbeing_sustained_3_12m_single_victims,
        count(*) filter (where back_to_daily_life_3_12m_base) as back_to_daily_life_3_12m_units,
        count(*) filter (
            where back_to_daily_life_3_12m_success
        ) as back_to_daily_life_3_12m_counted,
        count(*) filter (
            where back_to_daily_life_3_12m_base and not victim_has_other_referrals
        ) as back_to_daily_life_3_12m_single_victims,
        count(*) filter (where wellbeing_gain_12m_plus_base) as wellbeing_gain_12m_plus_units,
        count(*) filter (where wellbeing_gain_12m_plus_success) as wellbeing_gain_12m_plus_counted,
        count(*) filter (
            where wellbeing_gain_12m_plus_base and not victim_has_other_referrals
        ) as wellbeing_gain_12m_plus_single_victims,
        count(*) filter (where feel_safer_at_exit_base) as feel_safer_at_exit_units,
        count(*) filter (where feel_safer_at_exit_success) as feel_safer_at_exit_counted,
        count(*) filter (
            where feel_safer_at_exit_base and not victim_has_other_referrals
        ) as feel_safer_at_exit_single_victims,
        count(*) filter (where feel_safe_12m_plus_base) as feel_safe_12m_plus_units,
        count(*) filter (where feel_safe_12m_plus_success) as feel_safe_12m_plus_counted,
        count(*) filter (
            where feel_safe_12m_plus_base and not victim_has_other_referrals
        ) as feel_safe_12m_plus_single_victims,
        count(*) filter (where health_improved_at_exit_base) as health_improved_at_exit_units,
        count(*) filter (where health_improved_at_exit_success) as health_improved_at_exit_counted,
        count(*) filter (
            where health_improved_at_exit_base and not victim_has_other_referrals
        ) as health_improved_at_exit_single_victims,
        count(*) filter (where health_maintained_12m_plus_base) as health_maintained_12m_plus_units,
        count(*) filter (
            where health_maintained_12m_plus_success
        ) as health_maintained_12m_plus_counted,
        count(*) filter (
            where health_maintained_12m_plus_base and not victim_has_other_referrals
        ) as health_maintained_12m_plus_single_victims

    from referral_units
    group by closed_month, agency

),

survey_month_totals as (

    select
        survey_month as cohort_month,
        agency,
        count(*) filter (where family_benefited_base) as family_benefited_units,
        count(*) filter (where family_benefited_success) as family_benefited_counted,
        count(*) filter (
            where family_benefited_base and not victim_has_other_referrals
        ) as family_benefited_single_victims

    from referral_units
    group by survey_month, agency

),

closed_month_repeat_victims as (

    select
        closed_month as cohort_month,
        agency,
        victim_id,
        bool_or(wellbeing_gain_at_exit_base) as wellbeing_gain_at_exit,
        bool_or(coped_better_at_exit_base) as coped_better_at_exit,
        bool_or(informed_at_exit_base) as informed_at_exit,
        bool_or(wellbeing_sustained_3_12m_base) as wellbeing_sustained_3_12m,
        bool_or(back_to_daily_life_3_12m_base) as back_to_daily_life_3_12m,
        bool_or(wellbeing_gain_12m_plus_base) as wellbeing_gain_12m_plus,
        bool_or(feel_safer_at_exit_base) as feel_safer_at_exit,
        bool_or(feel_safe_12m_plus_base) as feel_safe_12m_plus,
        bool_or(health_improved_at_exit_base) as health_improved_at_exit,
        bool_or(health_maintained_12m_plus_base) as health_maintained_12m_plus

    from referral_units
    where victim_has_other_referrals
    group by closed_month, agency, victim_id

),

survey_month_repeat_victims as (

    select
        survey_month as cohort_month,
        agency,
        victim_id,
        bool_or(family_benefited_base) as family_benefited

    from referral_units
    where victim_has_other_referrals
    group by survey_month, agency, victim_id

),

closed_month_repeat_persons as (

    select
        cohort_month,
        agency,
        count(*) filter (where wellbeing_gain_at_exit) as wellbeing_gain_at_exit,
        count(*) filter (where coped_better_at_exit) as coped_better_at_exit,
        count(*) filter (where informed_at_exit) as informed_at_exit,
        count(*) filter (where wellbeing_sustained_3_12m) as wellbeing_sustained_3_12m,
        count(*) filter (where back_to_daily_life_3_12m) as back_to_daily_life_3_12m,
        count(*) filter (where wellbeing_gain_12m_plus) as wellbeing_gain_12m_plus,
        count(*) filter (where feel_safer_at_exit) as feel_safer_at_exit,
        count(*) filter (where feel_safe_12m_plus) as feel_safe_12m_plus,
        count(*) filter (where health_improved_at_exit) as health_improved_at_exit,
        count(*) filter (where health_maintained_12m_plus) as health_maintained_12m_plus

    from closed_month_repeat_victims
    group by cohort_month, agency

),

survey_month_repeat_persons as (

    select
        cohort_month,
        agency,
        count(*) filter (where family_benefited) as family_benefited

    from survey_month_repeat_victims
    group by cohort_month, agency

),

scope_rows as (

    select
        'wellbeing_gain_at_exit' as indicator_id,
        closed_month_totals.cohort_month,
        closed_month_totals.agency,
        closed_month_totals.wellbeing_gain_at_exit_units as units_in_base,
        closed_month_totals.wellbeing_gain_at_exit_counted as units_counted,
        closed_month_totals.wellbeing_gain_at_exit_single_victims
        + coalesce(closed_month_repeat_persons.wellbeing_gain_at_exit, 0) as persons
    from closed_month_totals
    left join closed_month_repeat_persons
        on
            closed_month_totals.cohort_month = closed_month_repeat_persons.cohort_month
            and closed_month_totals.agency = closed_month_repeat_persons.agency
    where closed_month_totals.wellbeing_gain_at_exit_units > 0

    union all

    select
        'coped_better_at_exit' as indicator_id,
        closed_month_totals.cohort_month,
        closed_month_totals.agency,
        closed_month_totals.coped_better_at_exit_units as units_in_base,
        closed_month_totals.coped_better_at_exit_counted as units_counted,
        closed_month_totals.coped_better_at_exit_single_victims
        + coalesce(closed_month_repeat_persons.coped_better_at_exit, 0) as persons
    from closed_month_totals
    left join closed_month_repeat_persons
        on
            closed_month_totals.cohort_month = closed_month_repeat_persons.cohort_month
            and closed_month_totals.agency = closed_month_repeat_persons.agency
    where closed_month_totals.coped_better_at_exit_units > 0

    union all

    select
        'informed_at_exit' as indicator_id,
        closed_month_totals.cohort_month,
        closed_month_totals.agency,
        closed_month_totals.informed_at_exit_units as units_in_base,
        closed_month_totals.informed_at_exit_counted as units_counted,
        closed_month_totals.informed_at_exit_single_victims
        + coalesce(closed_month_repeat_persons.informed_at_exit, 0) as persons
    from closed_month_totals
    left join closed_month_repeat_persons
        on
            closed_month_totals.cohort_month = closed_month_repeat_persons.cohort_month
            and closed_month_totals.agency = closed_month_repeat_persons.agency
    where closed_month_totals.informed_at_exit_units > 0

    union all

    select
        'family_benefited' as indicator_id,
        survey_month_totals.cohort_month,
        survey_month_totals.agency,
        survey_month_totals.family_benefited_units as units_in_base,
        survey_month_totals.family_benefited_counted as units_counted,
        survey_month_totals.family_benefited_single_victims
        + coalesce(survey_month_repeat_persons.family_benefited, 0) as persons
    from survey_month_totals
    left join survey_month_repeat_persons
        on
            survey_month_totals.cohort_month = survey_month_repeat_persons.cohort_month
            and survey_month_totals.agency = survey_month_repeat_persons.agency
    where survey_month_totals.family_benefited_units > 0

    union all

    select
        'wellbeing_sustained_3_12m' as indicator_id,
        closed_month_totals.cohort_month,
        closed_month_totals.agency,
        closed_month_totals.wellbeing_sustained_3_12m_units as units_in_base,
        closed_month_totals.wellbeing_sustained_3_12m_counted as units_counted,
        closed_month_totals.wellbeing_sustained_3_12m_single_victims
        + coalesce(closed_month_repeat_persons.wellbeing_sustained_3_12m, 0) as persons
    from closed_month_totals
    left join closed_month_repeat_persons
        on
            closed_month_totals.cohort_month = closed_month_repeat_persons.cohort_month
            and closed_month_totals.agency = closed_month_repeat_persons.agency
    where closed_month_totals.wellbeing_sustained_3_12m_units > 0

    union all

    select
        'back_to_daily_life_3_12m' as indicator_id,
        closed_month_totals.cohort_month,
        closed_month_totals.agency,
        closed_month_totals.back_to_daily_life_3_12m_units as units_in_base,
        closed_month_totals.back_to_daily_life_3_12m_counted as units_counted,
        closed_month_totals.back_to_daily_life_3_12m_single_victims
        + coalesce(closed_month_repeat_persons.back_to_daily_life_3_12m, 0) as persons
    from closed_month_totals
    left join closed_month_repeat_persons
        on
            closed_month_totals.cohort_month = closed_month_repeat_persons.cohort_month
            and closed_month_totals.agency = closed_month_repeat_persons.agency
    where closed_month_totals.back_to_daily_life_3_12m_units > 0

    union all

    select
        'wellbeing_gain_12m_plus' as indicator_id,
        closed_month_totals.cohort_month,
        closed_month_totals.agency,
        closed_month_totals.wellbeing_gain_12m_plus_units as units_in_base,
        closed_month_totals.wellbeing_gain_12m_plus_counted as units_counted,
        closed_month_totals.wellbeing_gain_12m_plus_single_victims
        + coalesce(closed_month_repeat_persons.wellbeing_gain_12m_plus, 0) as persons
    from closed_month_totals
    left join closed_month_repeat_persons
        on
            closed_month_totals.cohort_month = closed_month_repeat_persons.cohort_month
            and closed_month_totals.agency = closed_month_repeat_persons.agency
    where closed_month_totals.wellbeing_gain_12m_plus_units > 0

    union all

    select
        'feel_safer_at_exit' as indicator_id,
        closed_month_totals.cohort_month,
        closed_month_totals.agency,
        closed_month_totals.feel_safer_at_exit_units as units_in_base,
        closed_month_totals.feel_safer_at_exit_counted as units_counted,
        closed_month_totals.feel_safer_at_exit_single_victims
        + coalesce(closed_month_repeat_persons.feel_safer_at_exit, 0) as persons
    from closed_month_totals
    left join closed_month_repeat_persons
        on
            closed_month_totals.cohort_month = closed_month_repeat_persons.cohort_month
            and closed_month_totals.agency = closed_month_repeat_persons.agency
    where closed_month_totals.feel_safer_at_exit_units > 0

    union all

    select
        'feel_safe_12m_plus' as indicator_id,
        closed_month_totals.cohort_month,
        closed_month_totals.agency,
        closed_month_totals.feel_safe_12m_plus_units as units_in_base,
        closed_month_totals.feel_safe_12m_plus_counted as units_counted,
        closed_month_totals.feel_safe_12m_plus_single_victims
        + coalesce(closed_month_repeat_persons.feel_safe_12m_plus, 0) as persons
    from closed_month_totals
    left join closed_month_repeat_persons
        on
            closed_month_totals.cohort_month = closed_month_repeat_persons.cohort_month
            and closed_month_totals.agency = closed_month_repeat_persons.agency
    where closed_month_totals.feel_safe_12m_plus_units > 0

    union all

    select
        'health_improved_at_exit' as indicator_id,
        closed_month_totals.cohort_month,
        closed_month_totals.agency,
        closed_month_totals.health_improved_at_exit_units as units_in_base,
        closed_month_totals.health_improved_at_exit_counted as units_counted,
        closed_month_totals.health_improved_at_exit_single_victims
        + coalesce(closed_month_repeat_persons.health_improved_at_exit, 0) as persons
    from closed_month_totals
    left join closed_month_repeat_persons
        on
            closed_month_totals.cohort_month = closed_month_repeat_persons.cohort_month
            and closed_month_totals.agency = closed_month_repeat_persons.agency
    where closed_month_totals.health_improved_at_exit_units > 0

    union all

    select
        'health_maintained_12m_plus' as indicator_id,
        closed_month_totals.cohort_month,
        closed_month_totals.agency,
        closed_month_totals.health_maintained_12m_plus_units as units_in_base,
        closed_month_totals.health_maintained_12m_plus_counted as units_counted,
        closed_month_totals.health_maintained_12m_plus_single_victims
        + coalesce(closed_month_repeat_persons.health_maintained_12m_plus, 0) as persons
    from closed_month_totals
    left join closed_month_repeat_persons
        on
            closed_month_totals.cohort_month = closed_month_repeat_persons.cohort_month
            and closed_month_totals.agency = closed_month_repeat_persons.agency
    where closed_month_totals.health_maintained_12m_plus_units > 0

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
