-- grain: one row per (estimate, referral_group, month closed): the sums the hub's own
-- evidence is estimated from (spec: evidence.md, section 4; metrics/hub_evidence.py).
-- * wellbeing_persistence / completed: completed referrals with life_satisfaction at
--   intake, at exit and at a follow-up in [365, 730) days after closure (the earliest
--   in the window); x = exit - intake, y = follow-up - intake.
-- * nhs_change / completed or comparison: referrals with comparable, complete NHS pairs
--   (nhs_paired), completed (support_completed) or in the comparison group (declined,
--   unable_to_contact); x = pre_6m contacts over the types compared, y = pre_6m -
--   post_6m over the same types. Other closure reasons are left out.
-- * nhs_first_year / completed: completed referrals with comparable, complete NHS pairs
--   whose first-year change did not need extrapolating (a comparable post_12m row for
--   every type compared); x = the first-year change projected from six months (2 x
--   (pre_6m - post_6m)), y = the change the post_12m rows show ((pre - post_6m) + (pre -
--   post_12m)), each summed over the contact types at the central unit cost (ref.parameters,
--   money at the price base year).
-- * prevention / completed: referrals with target hardening whose crime type has a cost in
--   the total and whose 12-month repeat window is complete (any closure reason; month as
--   homes made safer); x = the projected value (victims spared x the cost in the total),
--   y = the value the repeat_crimes rows imply: (the central repeat rate - 1 if the
--   victim had a repeat crime within 12 months, else 0) x the same cost (the register's
--   repeat rate taken as what would have happened).
-- referrals, sum_x, sum_y, sum_xx, sum_yy, sum_xy: the sums a ratio of means and its
-- delta-method interval need, added as decimals (each term to 1e-10) so that they do not
-- depend on the order the threads add the rows in: two builds give the same bytes. window_passed: the month's last day + 730 days (the
-- wellbeing follow-up window's end; for nhs_first_year, + 12 months, and the health_use
-- coverage date reached; for prevention, + 365 days and the repeat_crimes coverage date)
-- is on or before the as-of date.
with

referrals as (

    select * from staging.stg_referrals

),

assessment_pairs as (

    select * from intermediate.int_outcome_assessment_pairs

),

follow_ups as (

    select * from intermediate.int_outcome_follow_ups

),

health_pairs as (

    select * from intermediate.int_outcome_health_pairs

),

outcome_referrals as (

    select * from intermediate.int_outcome_referrals

),

prevention_settings as (

    select * from intermediate.int_outcome_prevention

),

build as (

    select * from meta.build

),

parameters as (

    select * from ref.parameters

),

unit_costs as (

    select
        max(central) filter (where name = 'unit_cost_gp_appointments') as gp_appointments,
        max(central) filter (where name = 'unit_cost_ae_attendances') as ae_attendances,
        max(central) filter (
            where name = 'unit_cost_mental_health_crisis_contacts'
        ) as mental_health_crisis_contacts,
        max(central) filter (
            where name = 'unit_cost_ambulance_callouts'
        ) as ambulance_callouts,
        max(central) filter (
            where name = 'unit_cost_nonelective_admissions'
        ) as nonelective_admissions
    from parameters

),

wellbeing_changes as (

    select
        'wellbeing_persistence' as estimate,
        'completed' as referral_group,
        date_trunc('month', referrals.closed_date) as closed_month,
        assessment_pairs.exit_life_satisfaction
        - assessment_pairs.intake_life_satisfaction as x,
        follow_ups.long_life_satisfaction
        - assessment_pairs.intake_life_satisfaction as y
    from referrals
    inner join assessment_pairs
        on referrals.referral_id = assessment_pairs.referral_id
    inner join follow_ups
        on referrals.referral_id = follow_ups.referral_id
    where
        referrals.closure_reason = 'support_completed'
        and assessment_pairs.intake_life_satisfaction is not null
        and assessment_pairs.exit_life_satisfaction is not null
        and follow_ups.long_life_satisfaction is not null

),

nhs_changes as (

    select
        'nhs_change' as estimate,
        case
            when referrals.closure_reason = 'support_completed' then 'completed'
            else 'comparison'
        end as referral_group,
        date_trunc('month', referrals.closed_date) as closed_month,
        health_pairs.pre_contacts_6m as x,
        health_pairs.contacts_change_6m as y
    from referrals
    inner join health_pairs
        on referrals.referral_id = health_pairs.referral_id
    where
        health_pairs.nhs_paired
        and referrals.closure_reason in ('support_completed', 'declined', 'unable_to_contact')

),

nhs_first_year as (

    select
        'nhs_first_year' as estimate,
        'completed' as referral_group,
        date_trunc('month', referrals.closed_date) as closed_month,
        2 * (
            coalesce(health_pairs.change_6m_gp_appointments, 0) * unit_costs.gp_appointments
            + coalesce(health_pairs.change_6m_ae_attendances, 0) * unit_costs.ae_attendances
            + coalesce(health_pairs.change_6m_mental_health_crisis_contacts, 0)
            * unit_costs.mental_health_crisis_contacts
            + coalesce(health_pairs.change_6m_ambulance_callouts, 0)
            * unit_costs.ambulance_callouts
            + coalesce(health_pairs.change_6m_nonelective_admissions, 0)
            * unit_costs.nonelective_admissions
        ) as x,
        coalesce(health_pairs.first_year_change_gp_appointments, 0)
        * unit_costs.gp_appointments
        + coalesce(health_pairs.first_year_change_ae_attendances, 0)
        * unit_costs.ae_attendances
        + coalesce(health_pairs.first_year_change_mental_health_crisis_contacts, 0)
        * unit_costs.mental_health_crisis_contacts
        + coalesce(health_pairs.first_year_change_ambulance_callouts, 0)
        * unit_costs.ambulance_callouts
        + coalesce(health_pairs.first_year_change_nonelective_admissions, 0)
        * unit_costs.nonelective_admissions as y
    from referrals
    inner join health_pairs
        on referrals.referral_id = health_pairs.referral_id
    cross join unit_costs
    where
        health_pairs.nhs_paired
        and not health_pairs.nhs_extrapolated
        and referrals.closure_reason = 'support_completed'

),

prevention_values as (

    select
        'prevention' as estimate,
        'completed' as referral_group,
        outcome_referrals.target_hardening_month as closed_month,
        outcome_referrals.crime_cost_residual_gbp_central as x,
        (
            prevention_settings.repeat_rate_central
            - case when outcome_referrals.repeat_crimes_12m > 0 then 1 else 0 end
        ) * prevention_settings.crime_cost_in_total_central as y
    from outcome_referrals
    inner join prevention_settings
        on outcome_referrals.referral_id = prevention_settings.referral_id
    where
        outcome_referrals.homes_made_safer
        and outcome_referrals.not_revictimised_12m_base
        and prevention_settings.crime_cost_in_total_central is not null

),

changes as (

    select * from wellbeing_changes
    union all
    select * from nhs_changes
    union all
    select * from nhs_first_year
    union all
    select * from prevention_values

),

sums as (

    select
        estimate,
        referral_group,
        closed_month,
        count(*) as referrals,
        sum(cast(x as decimal(38, 10))) as sum_x,
        sum(cast(y as decimal(38, 10))) as sum_y,
        sum(cast(x * x as decimal(38, 10))) as sum_xx,
        sum(cast(y * y as decimal(38, 10))) as sum_yy,
        sum(cast(x * y as decimal(38, 10))) as sum_xy
    from changes
    where closed_month is not null
    group by estimate, referral_group, closed_month

),

final as (

    select
        sums.estimate,
        sums.referral_group,
        cast(sums.closed_month as date) as month, -- noqa: RF04
        cast(sums.referrals as bigint) as referrals,
        cast(sums.sum_x as double) as sum_x,
        cast(sums.sum_y as double) as sum_y,
        cast(sums.sum_xx as double) as sum_xx,
        cast(sums.sum_yy as double) as sum_yy,
        cast(sums.sum_xy as double) as sum_xy,
        coalesce(
            case
                when sums.estimate = 'nhs_first_year'
                    then
                        cast(last_day(sums.closed_month) + interval 12 month as date)
                        <= least(build.as_of, coalesce(build.coverage_health_use, build.as_of))
                when sums.estimate = 'prevention'
                    then
                        last_day(sums.closed_month) + 365
                        <= least(
                            build.as_of, coalesce(build.coverage_repeat_crimes, build.as_of)
                        )
                else last_day(sums.closed_month) + 730 <= build.as_of
            end,
            false
        ) as window_passed
    from sums
    cross join build
    order by sums.estimate, sums.referral_group, sums.closed_month

)

select * from final
