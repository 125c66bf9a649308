-- grain: one row per (indicator_id, month, agency) for the exit-survey
-- indicators, month of survey_date; agency rows are involvement rows.
-- satisfaction: base surveys with a satisfaction score; count: score >= 4.
-- goals_achieved: sum of goals_achieved over sum of goals_set, over surveys
--   with both (a month whose goals_set sum is 0 is left to the assembly as
--   an empty base).
with

exit_surveys as (

    select * from staging.stg_exit_surveys

),

scopes as (

    select * from intermediate.int_core_referral_scopes

),

scoped as (

    select
        scopes.agency,
        cast(date_trunc('month', exit_surveys.survey_date) as date) as survey_month,
        scopes.victim_id,
        exit_surveys.satisfaction,
        exit_surveys.goals_set,
        exit_surveys.goals_achieved,
        exit_surveys.goals_set is not null and exit_surveys.goals_achieved is not null
            as has_goals
    from exit_surveys
    inner join scopes
        on exit_surveys.referral_id = scopes.referral_id

),

victim_totals as (

    select
        survey_month,
        agency,
        victim_id,
        count(satisfaction) as rated,
        count(*) filter (where satisfaction >= 4) as satisfied,
        count(*) filter (where has_goals) as with_goals,
        sum(goals_set) filter (where has_goals) as goals_set,
        sum(goals_achieved) filter (where has_goals) as goals_achieved
    from scoped
    group by survey_month, agency, victim_id

),

totals as (

    select
        survey_month,
        agency,
        sum(rated) as rated,
        sum(satisfied) as satisfied,
        count(*) filter (where rated > 0) as rated_persons,
        sum(with_goals) as with_goals,
        sum(goals_set) as goals_set,
        sum(goals_achieved) as goals_achieved,
        count(*) filter (where with_goals > 0) as goals_persons
    from victim_totals
    group by survey_month, agency

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
