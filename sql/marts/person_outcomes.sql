-- grain: one row per (victim, person-level outcome, cohort month) with the victim in
-- the outcome's base: the outcomes the catalogue counts per record (`record_source`
-- fct_referrals or agency_referrals, flags `base_flag` and `success_flag`, cohort
-- month `cohort_month`), what the reports and the public release count in people.
-- Nothing here names an indicator or an agency: a record's flags and months are
-- unpivoted by column name (a flag is a boolean column; the catalogue's base flag
-- `true` puts every record in the base) and the cohort month of rule <rule> is the
-- record's column <rule>_month.
-- is_met: at least one of the victim's records in the base that month met the
-- outcome. agency_bits: the agencies involved in those records (a referral's
-- involves_<agency> flags; an agency referral's receiving agency) as their bits in
-- marts.person_outcome_agencies or'ed together (a number, not a list: much cheaper to
-- merge, store and group; the people_groups named query makes it names again).
-- For speed at scale (issue 16): only the flags that are set are kept from the unpivot,
-- with the victim and the record's agency bits, so a record's base and success are two
-- joins on the catalogue's flag names over set flags only; records and outcomes are
-- keyed by small numbers until the end (record_source 1 for a referral, 2 for an agency
-- referral; outcome_number); one grouping by (victim, outcome, month) merges the
-- records' success and agency bits.
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

agency_bits as (

    select * from marts.person_outcome_agencies

),

outcomes as (

    select
        indicator_id,
        row_number() over (order by indicator_id) as outcome_number,
        case record_table when 'fct_referrals' then 1 else 2 end as record_source,
        base_flag,
        success_flag,
        cohort_month || '_month' as month_column
    from catalogue
    where record_table in ('fct_referrals', 'agency_referrals')

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

referral_agency_bits as (

    select
        involvement.record_id,
        bit_or(agency_bits.agency_bit) as agency_bits
    from involvement
    inner join agency_bits
        on substr(involvement.involvement_column, length('involves_') + 1) = agency_bits.agency
    where involvement.is_involved
    group by involvement.record_id

),

referral_flags as (

    unpivot (
        select
            referrals.referral_id as record_id,
            referrals.victim_id,
            coalesce(referral_agency_bits.agency_bits, 0) as agency_bits,
            columns('_base$|_success$|^is_|^homes_made_safer$|^enhanced_rights$')
        from referrals
        left join referral_agency_bits
            on referrals.referral_id = referral_agency_bits.record_id
    )
    on columns(* exclude (record_id, victim_id, agency_bits))
    into name flag value is_set

),

agency_referral_flags as (

    unpivot (
        select
            agency_referrals.agency_referral_id as record_id,
            agency_referrals.victim_id,
            coalesce(agency_bits.agency_bit, 0) as agency_bits,
            columns('^is_')
        from agency_referrals
        left join agency_bits
            on agency_referrals.agency = agency_bits.agency
    )
    on columns(* exclude (record_id, victim_id, agency_bits))
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

records as (

    select
        1 as record_source,
        referrals.referral_id as record_id,
        referrals.victim_id,
        coalesce(referral_agency_bits.agency_bits, 0) as agency_bits
    from referrals
    left join referral_agency_bits
        on referrals.referral_id = referral_agency_bits.record_id

    union all

    select
        2 as record_source,
        agency_referrals.agency_referral_id as record_id,
        agency_referrals.victim_id,
        coalesce(agency_bits.agency_bit, 0) as agency_bits
    from agency_referrals
    left join agency_bits
        on agency_referrals.agency = agency_bits.agency

),

set_flags as (

    select
        1 as record_source,
        record_id,
        victim_id,
        agency_bits,
        flag
    from referral_flags
    where is_set

    union all

    select
        2 as record_source,
        record_id,
        victim_id,
        agency_bits,
        flag
    from agency_referral_flags
    where is_set

),

record_months as (

    select
        1 as record_source,
        record_id,
        month_column,
        month
    from referral_months

    union all

    select
        2 as record_source,
        record_id,
        month_column,
        month
    from agency_referral_months

),

base_hits as (

    select
        outcomes.outcome_number,
        outcomes.record_source,
        outcomes.month_column,
        set_flags.record_id,
        set_flags.victim_id,
        set_flags.agency_bits
    from outcomes
    inner join set_flags
        on
            outcomes.record_source = set_flags.record_source
            and outcomes.base_flag = set_flags.flag

    union all

    select
        outcomes.outcome_number,
        outcomes.record_source,
        outcomes.month_column,
        records.record_id,
        records.victim_id,
        records.agency_bits
    from outcomes
    inner join records
        on outcomes.record_source = records.record_source
    where outcomes.base_flag = 'true'

),

success_hits as (

    select
        outcomes.outcome_number,
        outcomes.record_source,
        set_flags.record_id
    from outcomes
    inner join set_flags
        on
            outcomes.record_source = set_flags.record_source
            and outcomes.success_flag = set_flags.flag

),

record_outcomes as (

    select
        base_hits.victim_id,
        base_hits.outcome_number,
        record_months.month,
        success_hits.record_id is not null as is_met,
        base_hits.agency_bits
    from base_hits
    inner join record_months
        on
            base_hits.record_source = record_months.record_source
            and base_hits.record_id = record_months.record_id
            and base_hits.month_column = record_months.month_column
    left join success_hits
        on
            base_hits.outcome_number = success_hits.outcome_number
            and base_hits.record_source = success_hits.record_source
            and base_hits.record_id = success_hits.record_id

),

grouped as (

    select
        victim_id,
        outcome_number,
        month,  -- noqa: RF04
        bool_or(is_met) as is_met,
        bit_or(agency_bits) as agency_bits
    from record_outcomes
    group by victim_id, outcome_number, month

),

final as (

    select
        grouped.victim_id,
        outcomes.indicator_id,
        grouped.month,
        grouped.is_met,
        grouped.agency_bits
    from grouped
    inner join outcomes
        on grouped.outcome_number = outcomes.outcome_number

)

select * from final
