-- grain: one row per (indicator_id, month, agency) for the exit-survey
-- indicators, month of survey_date; agency rows are involvement rows.
-- satisfaction: base surveys with a satisfaction score; count: score >= 4.
-- goals_achieved: sum of goals_achieved over sum of goals_set, over surveys
--   with both (a month whose goals_set sum is 0 is left to the assembly as
--   an empty base).
-- Every referral involves victim_support, so its rows are the `all` rows.
-- persons: a victim with a single referral is one person per survey, so only
-- repeat-referral victims need a distinct count.
with

exit_surveys as (

    select * from staging.stg_exit_surveys

),

referral_agencies as (

    select * from intermediate.int_referral_agencies

),

referrals as (

    select * from staging.stg_referrals

),

repeat_referral_victims as (

    select * from intermediate.int_outcome_repeat_referral_victims

),

units as (

    select
        exit_surveys.referral_id,
        cast(date_trunc('month', exit_surveys.survey_date) as date) as survey_month,
        referrals.victim_id,
        repeat_referral_victims.victim_id is not null as is_repeat_victim,
        exit_surveys.satisfaction,
        exit_surveys.goals_set,
        exit_surveys.goals_achieved,
        exit_surveys.goals_set is not null and exit_surveys.goals_achieved is not null
            as has_goals
    from exit_surveys
    inner join referrals
        on exit_surveys.referral_id = referrals.referral_id
    left join repeat_referral_victims
        on referrals.victim_id = repeat_referral_victims.victim_id

),

scoped as (

    select
        'all' as agency,
        units.survey_month,
        units.victim_id,
        units.is_repeat_victim,
        units.satisfaction,
        units.goals_set,
        units.goals_achieved,
        units.has_goals
    from units
    union all
    select
        referral_agencies.agency,
        units.survey_month,
        units.victim_id,
        units.is_repeat_victim,
        units.satisfaction,
        units.goals_set,
        units.goals_achieved,
        units.has_goals
    from units
    inner join referral_agencies
        on units.referral_id = referral_agencies.referral_id
    where referral_agencies.agency != 'victim_support'

),

scope_totals as (

    select
        survey_month,
        agency,
        count(satisfaction) as rated,
        count(*) filter (where satisfaction >= 4) as satisfied,
        count(*) filter (
            where satisfaction is not null and not is_repeat_victim
        ) as single_rated_persons,
        count(*) filter (where has_goals) as with_goals,
        sum(goals_set) filter (where has_goals) as goals_set,
        sum(goals_achieved) filter (where has_goals) as goals_achieved,
        count(*) filter (where has_goals and not is_repeat_victim) as single_goals_persons
    from scoped
    group by survey_month, agency

),

repeat_victim_totals as (

    select
        survey_month,
        agency,
        victim_id,
        count(satisfaction) as rated,
        count(*) filter (where has_goals) as with_goals
    from scoped
    where is_repeat_victim
    group by survey_month, agency, victim_id

),

repeat_persons as (

    select
        survey_month,
        agency,
        count(*) filter (where rated > 0) as rated_persons,
        count(*) filter (where with_goals > 0) as goals_persons
    from repeat_victim_totals
    group by survey_month, agency

),

scope_persons as (

    select
        scope_totals.survey_month,
        scope_totals.agency,
        scope_totals.rated,
        scope_totals.satisfied,
        scope_totals.single_rated_persons
        + coalesce(repeat_persons.rated_persons, 0) as rated_persons,
        scope_totals.with_goals,
        scope_totals.goals_set,
        scope_totals.goals_achieved,
        scope_totals.single_goals_persons
        + coalesce(repeat_persons.goals_persons, 0) as goals_persons
    from scope_totals
    left join repeat_persons
        on
            scope_totals.survey_month = repeat_persons.survey_month
            and scope_totals.agency = repeat_persons.agency

),

totals as (

    select
        scope_persons.survey_month,
        scope_persons.agency,
        scope_persons.rated,
        scope_persons.satisfied,
        scope_persons.rated_persons,
        scope_persons.with_goals,
        scope_persons.goals_set,
        scope_persons.goals_achieved,
        scope_persons.goals_persons
    from scope_persons
    union all
    select
        scope_persons.survey_month,
        'victim_support' as agency,
        scope_persons.rated,
        scope_persons.satisfied,
        scope_persons.rated_persons,
        scope_persons.with_goals,
        scope_persons.goals_set,
        scope_persons.goals_achieved,
        scope_persons.goals_persons
    from scope_persons
    where scope_persons.agency = 'all'

),

measures as (

    select
        'satisfaction' as indicator_id,
        survey_month,
        agency,
        cast(satisfied as double) as numerator,
        cast(rated as double) as denominator,
        rated_persons as persons
    from totals
    where rated > 0
    union all
    select
        'goals_achieved' as indicator_id,
        survey_month,
        agency,
        cast(goals_achieved as double) as numerator,
        cast(goals_set as double) as denominator,
        goals_persons as persons
    from totals
    where with_goals > 0

),

final as (

    select
        indicator_id,
        survey_month as month, -- noqa: RF04
        agency,
        numerator,
        denominator,
        case when denominator > 0 then numerator / denominator end as value, -- noqa: RF04
        cast(null as double) as value_low,
        cast(null as double) as value_high,
        cast(persons as bigint) as persons
    from measures

)

select * from final
