-- materialized: ephemeral
-- grain: one row per referral with a pre_6m health_use row.
-- Any closed referral can be paired, whatever its closure reason (the NHS indicators'
-- bases do not ask for completed support); an open referral has no post window yet.
-- Pre and post rows are compared only when they have the same source. post_6m is
-- complete when closed_date + 6 calendar months is on or before the as-of date and, when
-- given, the health_use coverage date; post_12m likewise with 12 months. A contact type
-- counts only where both windows compared have a value.
-- change_6m_<type>: pre_6m - post_6m, for a comparable and complete post_6m row.
-- first_year_change_<type>: (pre - post_6m) + (pre - post_12m) where the post_12m row is
-- comparable and complete and has the type; else 2 x (pre - post_6m) (extrapolated:
-- months 7-12 assumed like months 1-6).
-- nhs_paired: comparable, complete post_6m row with at least one contact type valued in
-- both windows (a referral with nothing to compare is not a paired observation).
-- nhs_extrapolated (paired referrals only, else NULL): at least one counted contact type
-- used 2 x (pre - post_6m) because no comparable, complete post_12m value exists.
-- pre_contacts_6m (paired referrals only): the pre_6m contacts over the contact types
-- compared (the base of contacts_change_6m; the hub-evidence NHS deadweight).
with

referrals as (

    select * from staging.stg_referrals

),

health_use as (

    select * from staging.stg_health_use

),

build as (

    select * from meta.build

),

pre_rows as (

    select * from health_use
    where health_window = 'pre_6m'

),

post_6m_rows as (

    select * from health_use
    where health_window = 'post_6m'

),

post_12m_rows as (

    select * from health_use
    where health_window = 'post_12m'

),

pre_closures as (

    select
        pre_rows.*,
        referrals.closed_date

    from pre_rows
    inner join referrals
        on pre_rows.referral_id = referrals.referral_id

),

completeness as (

    select
        pre_closures.*,
        cast(pre_closures.closed_date + interval 6 month as date) <= build.as_of
        and (
            build.coverage_health_use is null
            or cast(pre_closures.closed_date + interval 6 month as date)
            <= build.coverage_health_use
        ) as post_6m_complete,
        cast(pre_closures.closed_date + interval 12 month as date) <= build.as_of
        and (
            build.coverage_health_use is null
            or cast(pre_closures.closed_date + interval 12 month as date)
            <= build.coverage_health_use
        ) as post_12m_complete

    from pre_closures
    cross join build

),

windows as (

    select
        completeness.referral_id,
        completeness.source as pre_source,
        post_6m_rows.source as post_6m_source,
        post_12m_rows.source as post_12m_source,
        coalesce(completeness.post_6m_complete, false) as post_6m_complete,
        coalesce(completeness.post_12m_complete, false) as post_12m_complete,
        coalesce(post_6m_rows.source = completeness.source, false)
        and coalesce(completeness.post_6m_complete, false) as post_6m_usable,
        coalesce(post_12m_rows.source = completeness.source, false)
        and coalesce(completeness.post_12m_complete, false) as post_12m_usable,
        completeness.gp_appointments as pre_gp_appointments,
        completeness.ae_attendances as pre_ae_attendances,
        completeness.mental_health_crisis_contacts as pre_mental_health_crisis_contacts,
        completeness.ambulance_callouts as pre_ambulance_callouts,
        completeness.nonelective_admissions as pre_nonelective_admissions,
        post_6m_rows.gp_appointments as post_6m_gp_appointments,
        post_6m_rows.ae_attendances as post_6m_ae_attendances,
        post_6m_rows.mental_health_crisis_contacts as post_6m_mental_health_crisis_contacts,
        post_6m_rows.ambulance_callouts as post_6m_ambulance_callouts,
        post_6m_rows.nonelective_admissions as post_6m_nonelective_admissions,
        post_12m_rows.gp_appointments as post_12m_gp_appointments,
        post_12m_rows.ae_attendances as post_12m_ae_attendances,
        post_12m_rows.mental_health_crisis_contacts as post_12m_mental_health_crisis_contacts,
        post_12m_rows.ambulance_callouts as post_12m_ambulance_callouts,
        post_12m_rows.nonelective_admissions as post_12m_nonelective_admissions

    from completeness
    left join post_6m_rows
        on completeness.referral_id = post_6m_rows.referral_id
    left join post_12m_rows
        on completeness.referral_id = post_12m_rows.referral_id

),

six_month_changes as (

    select
        *,
        case
            when post_6m_usable then pre_gp_appointments - post_6m_gp_appointments
        end as change_6m_gp_appointments,
        case
            when post_6m_usable then pre_ae_attendances - post_6m_ae_attendances
        end as change_6m_ae_attendances,
        case
            when post_6m_usable
                then pre_mental_health_crisis_contacts - post_6m_mental_health_crisis_contacts
        end as change_6m_mental_health_crisis_contacts,
        case
            when post_6m_usable then pre_ambulance_callouts - post_6m_ambulance_callouts
        end as change_6m_ambulance_callouts,
        case
            when post_6m_usable
                then pre_nonelective_admissions - post_6m_nonelective_admissions
        end as change_6m_nonelective_admissions,
        case
            when post_12m_usable then pre_gp_appointments - post_12m_gp_appointments
        end as change_12m_gp_appointments,
        case
            when post_12m_usable then pre_ae_attendances - post_12m_ae_attendances
        end as change_12m_ae_attendances,
        case
            when post_12m_usable
                then pre_mental_health_crisis_contacts - post_12m_mental_health_crisis_contacts
        end as change_12m_mental_health_crisis_contacts,
        case
            when post_12m_usable then pre_ambulance_callouts - post_12m_ambulance_callouts
        end as change_12m_ambulance_callouts,
        case
            when post_12m_usable
                then pre_nonelective_admissions - post_12m_nonelective_admissions
        end as change_12m_nonelective_admissions

    from windows

),

first_year_changes as (

    select
        *,
        change_6m_gp_appointments
        + coalesce(change_12m_gp_appointments, change_6m_gp_appointments)
            as first_year_change_gp_appointments,
        change_6m_ae_attendances
        + coalesce(change_12m_ae_attendances, change_6m_ae_attendances)
            as first_year_change_ae_attendances,
        change_6m_mental_health_crisis_contacts
        + coalesce(
            change_12m_mental_health_crisis_contacts, change_6m_mental_health_crisis_contacts
        ) as first_year_change_mental_health_crisis_contacts,
        change_6m_ambulance_callouts
        + coalesce(change_12m_ambulance_callouts, change_6m_ambulance_callouts)
            as first_year_change_ambulance_callouts,
        change_6m_nonelective_admissions
        + coalesce(change_12m_nonelective_admissions, change_6m_nonelective_admissions)
            as first_year_change_nonelective_admissions,
        (change_6m_gp_appointments is not null and change_12m_gp_appointments is null)
        or (change_6m_ae_attendances is not null and change_12m_ae_attendances is null)
        or (
            change_6m_mental_health_crisis_contacts is not null
            and change_12m_mental_health_crisis_contacts is null
        )
        or (change_6m_ambulance_callouts is not null and change_12m_ambulance_callouts is null)
        or (
            change_6m_nonelective_admissions is not null
            and change_12m_nonelective_admissions is null
        ) as nhs_extrapolated

    from six_month_changes

),

crisis_sums as (

    select
        *,
        coalesce(
            change_6m_gp_appointments, change_6m_ae_attendances,
            change_6m_mental_health_crisis_contacts, change_6m_ambulance_callouts,
            change_6m_nonelective_admissions
        ) is not null as nhs_paired,
        case when change_6m_ae_attendances is not null then pre_ae_attendances else 0 end
        + case
            when change_6m_mental_health_crisis_contacts is not null
                then pre_mental_health_crisis_contacts
            else 0
        end as pre_crisis_contacts,
        case when change_6m_ae_attendances is not null then post_6m_ae_attendances else 0 end
        + case
            when change_6m_mental_health_crisis_contacts is not null
                then post_6m_mental_health_crisis_contacts
            else 0
        end as post_6m_crisis_contacts,
        case when change_6m_gp_appointments is not null then pre_gp_appointments else 0 end
        + case when change_6m_ae_attendances is not null then pre_ae_attendances else 0 end
        + case
            when change_6m_mental_health_crisis_contacts is not null
                then pre_mental_health_crisis_contacts
            else 0
        end
        + case
            when change_6m_ambulance_callouts is not null then pre_ambulance_callouts else 0
        end
        + case
            when change_6m_nonelective_admissions is not null
                then pre_nonelective_admissions
            else 0
        end as pre_contacts_6m

    from first_year_changes

),

final as (

    select
        referral_id,
        pre_source,
        post_6m_complete,
        post_12m_complete,
        post_6m_usable,
        post_12m_usable,
        nhs_paired,
        case when nhs_paired then nhs_extrapolated end as nhs_extrapolated,
        change_6m_gp_appointments,
        change_6m_ae_attendances,
        change_6m_mental_health_crisis_contacts,
        change_6m_ambulance_callouts,
        change_6m_nonelective_admissions,
        case
            when nhs_paired
                then
                    coalesce(change_6m_gp_appointments, 0)
                    + coalesce(change_6m_ae_attendances, 0)
                    + coalesce(change_6m_mental_health_crisis_contacts, 0)
                    + coalesce(change_6m_ambulance_callouts, 0)
                    + coalesce(change_6m_nonelective_admissions, 0)
        end as contacts_change_6m,
        first_year_change_gp_appointments,
        first_year_change_ae_attendances,
        first_year_change_mental_health_crisis_contacts,
        first_year_change_ambulance_callouts,
        first_year_change_nonelective_admissions,
        case when nhs_paired then pre_crisis_contacts end as pre_crisis_contacts,
        case when nhs_paired then post_6m_crisis_contacts end as post_6m_crisis_contacts,
        case when nhs_paired then pre_contacts_6m end as pre_contacts_6m

    from crisis_sums

)

select * from final
