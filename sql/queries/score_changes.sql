-- audiences: manager, pcc
-- How scores on one measure moved over completed referrals closed in the months
-- first..last: one row per (stage, change) with the people, and each stage's paired
-- means. A follow-up counts only where its window has closed by the as-of date.
-- change: later - intake, rounded to whole points. An agency filters to the referrals
-- involving it.
with

facts as (

    select * from marts.fct_referrals

),

scores as (

    select * from marts.score_pairs

),

build as (

    select * from meta.build

),

changes as (

    select
        scores.stage,
        round(scores.later_score - scores.intake_score) as change,  -- noqa: RF04
        scores.intake_score,
        scores.later_score
    from facts
    inner join scores
        on facts.referral_id = scores.referral_id
    cross join build
    where
        scores.measure = $measure
        and facts.is_completed
        and facts.closed_month between $first and $last
        and (
            scores.follow_up_days is null
            or last_day(facts.closed_month) + scores.follow_up_days <= build.as_of
        )
        and ($crime_type = 'all' or facts.crime_type = $crime_type)
        and (
            $agency = 'all'
            or coalesce(case $agency
                when 'victim_support' then facts.involves_victim_support
                when 'hate_crime' then facts.involves_hate_crime
                when 'older_people' then facts.involves_older_people
                when 'young_people' then facts.involves_young_people
                when 'lgbt' then facts.involves_lgbt
                when 'witness_care' then facts.involves_witness_care
                when 'nhs_mental_health' then facts.involves_nhs_mental_health
            end, false)
        )

),

means as (

    select
        stage,
        avg(intake_score) as intake_mean,
        avg(later_score) as later_mean,
        count(*) as paired
    from changes
    group by stage

),

counts as (

    select
        stage,
        change,
        count(*) as people
    from changes
    group by stage, change

),

final as (

    select
        counts.stage,
        counts.change,
        counts.people,
        means.intake_mean,
        means.later_mean,
        means.paired
    from counts
    inner join means
        on counts.stage = means.stage

)

select * from final
order by stage, change
