-- grain: one row per (victim, person-level outcome, cohort month) with the victim in
-- the outcome's base: the outcomes the catalogue counts per record (`record_table`
-- fct_referrals or agency_referrals, flags `base_flag` and `success_flag`, cohort
-- month `cohort_month`), what the reports and the public release count in people.
-- Nothing here names an indicator or an agency: a record's flags and months are
-- unpivoted by column name (a flag is a boolean column; the catalogue's base flag
-- `true` puts every record in the base) and the cohort month of rule <rule> is the
-- record's column <rule>_month.
-- is_met: at least one of the victim's records in the base that month met the
-- outcome. agencies: the agencies involved in those records (a referral's
-- involves_<agency> flags; an agency referral's receiving agency), sorted.
with

referrals as (

    select * from marts.fct_referrals

),

agency_referrals as (

    select * from marts.agency_referrals

),

catalogue as (

    select * from ref.indicator_catalogue

),

outcomes as (

    select
        indicator_id,
        record_table,
        base_flag,
        success_flag,
        cohort_month as cohort_rule
    from catalogue
    where record_table in ('fct_referrals', 'agency_referrals')

),

referral_flags as (

    unpivot (
        select
            referral_id as record_id,
            columns('_base$|_success$|^is_|^homes_made_safer$|^enhanced_rights$')
        from referrals
    )
    on columns(* exclude (record_id))
    into name flag value is_set

),

agency_referral_flags as (

    unpivot (
        select
            agency_referral_id as record_id,
            columns('^is_')
        from agency_referrals
    )
    on columns(* exclude (record_id))
    into name flag value is_set

),

referral_months as (

    unpivot (
        select
            referral_id as record_id,
            columns('_month$')
        from referrals
    )
    on columns(* exclude (record_id))
    into name month_column value month  -- noqa: RF04

),

agency_referral_months as (

    unpivot (
        select
            agency_referral_id as record_id,
            columns('_month$')
        from agency_referrals
    )
    on columns(* exclude (record_id))
    into name month_column value month  -- noqa: RF04

),

involvement as (

    unpivot (
        select
            referral_id as record_id,
            columns('^involves_')
        from referrals
    )
    on columns(* exclude (record_id))
    into name involvement_column value is_involved

),

referral_agency_lists as (

    select
        record_id,
        list(substr(involvement_column, length('involves_') + 1)) as agencies
    from involvement
    where is_involved
    group by record_id

),

records as (

    select
        'fct_referrals' as record_table,
        referrals.referral_id as record_id,
        referrals.victim_id,
        coalesce(referral_agency_lists.agencies, []::varchar[]) as agencies
    from referrals
    left join referral_agency_lists
        on referrals.referral_id = referral_agency_lists.record_id

    union all

    select
        'agency_referrals' as record_table,
        agency_referral_id as record_id,
        victim_id,
        [agency] as agencies
    from agency_referrals

),

record_flags as (

    select
        'fct_referrals' as record_table,
        record_id,
        flag,
        is_set
    from referral_flags

    union all

    select
        'agency_referrals' as record_table,
        record_id,
        flag,
        is_set
    from agency_referral_flags

),

record_months as (

    select
        'fct_referrals' as record_table,
        record_id,
        month_column,
        month
    from referral_months

    union all

    select
        'agency_referrals' as record_table,
        record_id,
        month_column,
        month
    from agency_referral_months

),

in_base as (

    select
        outcomes.indicator_id,
        outcomes.record_table,
        outcomes.success_flag,
        outcomes.cohort_rule,
        record_flags.record_id
    from outcomes
    inner join record_flags
        on
            outcomes.record_table = record_flags.record_table
            and outcomes.base_flag = record_flags.flag
    where record_flags.is_set

    union all

    select
        outcomes.indicator_id,
        outcomes.record_table,
        outcomes.success_flag,
        outcomes.cohort_rule,
        records.record_id
    from outcomes
    inner join records
        on outcomes.record_table = records.record_table
    where outcomes.base_flag = 'true'

),

record_outcomes as (

    select
        records.victim_id,
        in_base.indicator_id,
        record_months.month,
        coalesce(success.is_set, false) as is_met,
        records.agencies
    from in_base
    inner join records
        on
            in_base.record_table = records.record_table
            and in_base.record_id = records.record_id
    inner join record_months
        on
            in_base.record_table = record_months.record_table
            and in_base.record_id = record_months.record_id
            and in_base.cohort_rule || '_month' = record_months.month_column
    left join record_flags as success
        on
            in_base.record_table = success.record_table
            and in_base.record_id = success.record_id
            and in_base.success_flag = success.flag

),

final as (

    select
        victim_id,
        indicator_id,
        month,  -- noqa: RF04
        bool_or(is_met) as is_met,
        list_sort(list_distinct(flatten(list(agencies)))) as agencies
    from record_outcomes
    group by victim_id, indicator_id, month

)

select * from final
