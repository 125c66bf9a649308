-- materialized: ephemeral
-- grain: one row per referral, with every outcome flag and quantity the outcome
-- indicator families, the dashboard and the referral-level fact table use.
-- For each outcome indicator <id>: <id>_base (in the indicator's base; never NULL) and
-- <id>_success (in its count; NULL outside the base). Cohort months: closed_month
-- (at exit, follow-ups, NHS, wellbeing value), survey_month (family_benefited),
-- referral_month (not_revictimised_12m), target_hardening_month (prevention).
-- Shared definitions (docs: the indicators): completed referral = closure_reason
-- support_completed; positive change = later score higher, or both 5; meaningful
-- SWEMWBS gain = metric score difference >= swemwbs_meaningful_change (central setting;
-- the difference is rounded to 6 decimals so float noise cannot decide a boundary).
-- victim_has_other_referrals: the victim has more than one referral (lets the families
-- count distinct victims cheaply: a victim with one referral is one person per row).
-- repeat_crimes_12m: repeat_crimes rows for the same victim with
-- referral_date < crime_date <= referral_date + 365 days (a crime on the referral date
-- itself is not a repeat). repeat_window_complete: referral_date + 365 days is on or
-- before the as-of date and, when given, the repeat_crimes coverage date.
with

referrals as (

    select * from staging.stg_referrals

),

exit_surveys as (

    select * from staging.stg_exit_surveys

),

assessment_pairs as (

    select * from intermediate.int_outcome_assessment_pairs

),

follow_ups as (

    select * from intermediate.int_outcome_follow_ups

),

repeat_crimes as (

    select * from staging.stg_repeat_crimes

),

repeat_referral_victims as (

    select * from intermediate.int_outcome_repeat_referral_victims

),

health_pairs as (

    select * from intermediate.int_outcome_health_pairs

),

nhs_value as (

    select * from intermediate.int_outcome_nhs_value

),

prevention as (

    select * from intermediate.int_outcome_prevention

),

wellbeing_value as (

    select * from intermediate.int_outcome_wellbeing_value

),

scenarios as (

    select * from intermediate.int_outcome_scenarios

),

build as (

    select * from meta.build

),

repeat_crime_counts as (

    select
        referrals.referral_id,
        count(*) as repeat_crimes_12m

    from referrals
    inner join repeat_crimes
        on
            referrals.victim_id = repeat_crimes.victim_id
            and referrals.referral_date < repeat_crimes.crime_date
            and referrals.referral_date + 365 >= repeat_crimes.crime_date
    group by referrals.referral_id

),

central_scenario as (

    select swemwbs_meaningful_change
    from scenarios
    where scenario = 'central'

),

health_values as (

    select
        health_pairs.*,
        nhs_value.nhs_cost_avoided_gbp_low,
        nhs_value.nhs_cost_avoided_gbp_central,
        nhs_value.nhs_cost_avoided_gbp_high

    from health_pairs
    left join nhs_value
        on health_pairs.referral_id = nhs_value.referral_id

),

assessment_values as (

    select
        assessment_pairs.*,
        wellbeing_value.referral_id is not null as wellbeing_value_paired,
        wellbeing_value.life_satisfaction_change,
        wellbeing_value.wellbeing_social_value_gbp_low,
        wellbeing_value.wellbeing_social_value_gbp_central,
        wellbeing_value.wellbeing_social_value_gbp_high

    from assessment_pairs
    left join wellbeing_value
        on assessment_pairs.referral_id = wellbeing_value.referral_id

),

joined as (

    select
        referrals.referral_id,
        referrals.victim_id,
        repeat_referral_victims.victim_id is not null as victim_has_other_referrals,
        referrals.crime_type,
        referrals.referral_date,
        referrals.closed_date,
        cast(date_trunc('month', referrals.referral_date) as date) as referral_month,
        cast(date_trunc('month', referrals.closed_date) as date) as closed_month,
        cast(date_trunc('month', exit_surveys.survey_date) as date) as survey_month,
        cast(
            date_trunc('month', prevention.first_target_hardening_date) as date
        ) as target_hardening_month,
        coalesce(referrals.closure_reason = 'support_completed', false) as is_completed,
        central_scenario.swemwbs_meaningful_change,
        build.as_of,
        exit_surveys.family_benefited,
        assessment_values.intake_swemwbs_metric,
        assessment_values.exit_swemwbs_metric,
        assessment_values.intake_coping,
        assessment_values.exit_coping,
        assessment_values.intake_information_choices,
        assessment_values.exit_information_choices,
        assessment_values.intake_safety,
        assessment_values.exit_safety,
        assessment_values.intake_health_wellbeing,
        assessment_values.exit_health_wellbeing,
        assessment_values.intake_daily_activities,
        coalesce(follow_ups.has_medium_follow_up, false) as has_medium_follow_up,
        coalesce(follow_ups.has_long_follow_up, false) as has_long_follow_up,
        follow_ups.medium_swemwbs_metric,
        follow_ups.medium_daily_activities,
        follow_ups.long_swemwbs_metric,
        follow_ups.long_safety,
        follow_ups.long_health_wellbeing,
        referrals.referral_date + 365 <= build.as_of
        and (
            build.coverage_repeat_crimes is null
            or referrals.referral_date + 365 <= build.coverage_repeat_crimes
        ) as repeat_window_complete,
        coalesce(repeat_crime_counts.repeat_crimes_12m, 0) as repeat_crimes_12m,
        prevention.referral_id is not null as homes_made_safer,
        prevention.prevention_estimate_low,
        prevention.prevention_estimate_central,
        prevention.prevention_estimate_high,
        prevention.crime_cost_avoided_gbp_low,
        prevention.crime_cost_avoided_gbp_central,
        prevention.crime_cost_avoided_gbp_high,
        prevention.crime_cost_residual_gbp_low,
        prevention.crime_cost_residual_gbp_central,
        prevention.crime_cost_residual_gbp_high,
        coalesce(health_values.post_6m_complete, false) as nhs_post_6m_complete,
        coalesce(health_values.nhs_paired, false) as nhs_paired,
        health_values.pre_crisis_contacts,
        health_values.post_6m_crisis_contacts,
        health_values.contacts_change_6m,
        health_values.change_6m_gp_appointments,
        health_values.change_6m_ae_attendances,
        health_values.change_6m_mental_health_crisis_contacts,
        health_values.change_6m_ambulance_callouts,
        health_values.change_6m_nonelective_admissions,
        health_values.nhs_extrapolated,
        health_values.nhs_cost_avoided_gbp_low,
        health_values.nhs_cost_avoided_gbp_central,
        health_values.nhs_cost_avoided_gbp_high,
        coalesce(assessment_values.wellbeing_value_paired, false) as wellbeing_value_paired,
        assessment_values.life_satisfaction_change,
        assessment_values.wellbeing_social_value_gbp_low,
        assessment_values.wellbeing_social_value_gbp_central,
        assessment_values.wellbeing_social_value_gbp_high

    from referrals
    left join repeat_referral_victims
        on referrals.victim_id = repeat_referral_victims.victim_id
    cross join build
    left join central_scenario
        on true
    left join exit_surveys
        on referrals.referral_id = exit_surveys.referral_id
    left join assessment_values
        on referrals.referral_id = assessment_values.referral_id
    left join follow_ups
        on referrals.referral_id = follow_ups.referral_id
    left join repeat_crime_counts
        on referrals.referral_id = repeat_crime_counts.referral_id
    left join prevention
        on referrals.referral_id = prevention.referral_id
    left join health_values
        on referrals.referral_id = health_values.referral_id

),

bases as (

    select
        *,
        is_completed
        and intake_swemwbs_metric is not null
        and exit_swemwbs_metric is not null as wellbeing_gain_at_exit_base,
        is_completed
        and intake_coping is not null
        and exit_coping is not null as coped_better_at_exit_base,
        is_completed
        and intake_information_choices is not null
        and exit_information_choices is not null as informed_at_exit_base,
        coalesce(family_benefited in ('yes', 'no'), false) as family_benefited_base,
        is_completed
        and intake_swemwbs_metric is not null
        and medium_swemwbs_metric is not null as wellbeing_sustained_3_12m_base,
        is_completed
        and intake_daily_activities is not null
        and medium_daily_activities is not null as back_to_daily_life_3_12m_base,
        is_completed
        and intake_swemwbs_metric is not null
        and long_swemwbs_metric is not null as wellbeing_gain_12m_plus_base,
        is_completed
        and intake_safety is not null
        and exit_safety is not null as feel_safer_at_exit_base,
        is_completed and long_safety is not null as feel_safe_12m_plus_base,
        is_completed
        and intake_health_wellbeing is not null
        and exit_health_wellbeing is not null as health_improved_at_exit_base,
        is_completed
        and intake_health_wellbeing is not null
        and long_health_wellbeing is not null as health_maintained_12m_plus_base,
        coalesce(repeat_window_complete, false) as not_revictimised_12m_base,
        nhs_paired and pre_crisis_contacts > 0 as fewer_crisis_contacts_base,
        nhs_paired as nhs_contacts_change_base,
        is_completed and closed_date + 365 <= as_of as medium_follow_up_window_closed,
        is_completed and closed_date + 730 <= as_of as long_follow_up_window_closed

    from joined

),

final as (

    select
        referral_id,
        victim_id,
        victim_has_other_referrals,
        crime_type,
        referral_month,
        closed_month,
        survey_month,
        target_hardening_month,
        is_completed,
        intake_swemwbs_metric,
        exit_swemwbs_metric,
        wellbeing_gain_at_exit_base,
        case
            when wellbeing_gain_at_exit_base
                then
                    round(exit_swemwbs_metric - intake_swemwbs_metric, 6)
                    >= swemwbs_meaningful_change
        end as wellbeing_gain_at_exit_success,
        coped_better_at_exit_base,
        case
            when coped_better_at_exit_base
                then exit_coping > intake_coping or (exit_coping = 5 and intake_coping = 5)
        end as coped_better_at_exit_success,
        informed_at_exit_base,
        case
            when informed_at_exit_base
                then
                    exit_information_choices > intake_information_choices
                    or (exit_information_choices = 5 and intake_information_choices = 5)
        end as informed_at_exit_success,
        family_benefited_base,
        case
            when family_benefited_base then family_benefited = 'yes'
        end as family_benefited_success,
        has_medium_follow_up,
        has_long_follow_up,
        medium_follow_up_window_closed,
        long_follow_up_window_closed,
        wellbeing_sustained_3_12m_base,
        case
            when wellbeing_sustained_3_12m_base
                then
                    round(medium_swemwbs_metric - intake_swemwbs_metric, 6)
                    >= swemwbs_meaningful_change
        end as wellbeing_sustained_3_12m_success,
        back_to_daily_life_3_12m_base,
        case
            when back_to_daily_life_3_12m_base
                then
                    medium_daily_activities > intake_daily_activities
                    or (medium_daily_activities = 5 and intake_daily_activities = 5)
        end as back_to_daily_life_3_12m_success,
        wellbeing_gain_12m_plus_base,
        case
            when wellbeing_gain_12m_plus_base
                then
                    round(long_swemwbs_metric - intake_swemwbs_metric, 6)
                    >= swemwbs_meaningful_change
        end as wellbeing_gain_12m_plus_success,
        feel_safer_at_exit_base,
        case
            when feel_safer_at_exit_base
                then exit_safety > intake_safety or (exit_safety = 5 and intake_safety = 5)
        end as feel_safer_at_exit_success,
        feel_safe_12m_plus_base,
        case
            when feel_safe_12m_plus_base then long_safety >= 4
        end as feel_safe_12m_plus_success,
        health_improved_at_exit_base,
        case
            when health_improved_at_exit_base
                then
                    exit_health_wellbeing > intake_health_wellbeing
                    or (exit_health_wellbeing = 5 and intake_health_wellbeing = 5)
        end as health_improved_at_exit_success,
        health_maintained_12m_plus_base,
        case
            when health_maintained_12m_plus_base
                then long_health_wellbeing >= intake_health_wellbeing
        end as health_maintained_12m_plus_success,
        not_revictimised_12m_base,
        case
            when not_revictimised_12m_base then repeat_crimes_12m = 0
        end as not_revictimised_12m_success,
        repeat_crimes_12m,
        homes_made_safer,
        prevention_estimate_low,
        prevention_estimate_central,
        prevention_estimate_high,
        crime_cost_avoided_gbp_low,
        crime_cost_avoided_gbp_central,
        crime_cost_avoided_gbp_high,
        crime_cost_residual_gbp_low,
        crime_cost_residual_gbp_central,
        crime_cost_residual_gbp_high,
        nhs_post_6m_complete,
        fewer_crisis_contacts_base,
        case
            when fewer_crisis_contacts_base then post_6m_crisis_contacts < pre_crisis_contacts
        end as fewer_crisis_contacts_success,
        pre_crisis_contacts,
        post_6m_crisis_contacts,
        nhs_contacts_change_base,
        contacts_change_6m as nhs_contacts_change,
        change_6m_gp_appointments as nhs_change_gp_appointments,
        change_6m_ae_attendances as nhs_change_ae_attendances,
        change_6m_mental_health_crisis_contacts as nhs_change_mental_health_crisis_contacts,
        change_6m_ambulance_callouts as nhs_change_ambulance_callouts,
        change_6m_nonelective_admissions as nhs_change_nonelective_admissions,
        nhs_extrapolated,
        nhs_cost_avoided_gbp_low,
        nhs_cost_avoided_gbp_central,
        nhs_cost_avoided_gbp_high,
        wellbeing_value_paired as wellbeing_social_value_base,
        life_satisfaction_change,
        wellbeing_social_value_gbp_low,
        wellbeing_social_value_gbp_central,
        wellbeing_social_value_gbp_high

    from bases

)

select * from final
