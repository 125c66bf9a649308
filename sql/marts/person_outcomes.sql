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
-- For speed at scale (issue 16): a record's set flags that an outcome names are kept as
-- bits (a flag's bit is its place among the names, at most 63 of them: the catalogue
-- checks it), gathered in one grouping with a referral's agency bits (its flags and its
-- involves_<agency> flags are unpivoted together), so the record's months, unpivoted with its victim, agency bits and flag
-- bits, meet the outcomes in one join on (kind of record, month column) and a bit test
-- says whether the record is in the base and met the outcome: no join on record ids.
-- Outcomes are keyed by a small number until the end (outcome_number; record_source 1
-- for a referral, 2 for an agency referral); one grouping by (victim, outcome, month)
-- merges the records' success and agency bits.
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

-- every flag an outcome names, with its bit (1, 2, 4, ... in the order of the names)
flags as (

    select
        flag,
        1::bigint << (row_number() over (order by flag) - 1)::int as flag_bit
    from (
        select base_flag as flag from outcomes
        where base_flag != 'true'

        union

        select success_flag as flag from outcomes
    ) as named

),

outcome_bits as (

    select
        outcomes.outcome_number,
        outcomes.record_source,
        outcomes.month_column,
        outcomes.base_flag = 'true' as is_every_record,
        coalesce(base_flags.flag_bit, 0) as base_bit,
        coalesce(success_flags.flag_bit, 0) as success_bit
    from outcomes
    left join flags as base_flags
        on outcomes.base_flag = base_flags.flag
    left join flags as success_flags
        on outcomes.success_flag = success_flags.flag

),

-- a referral's flags and its involves_<agency> flags, unpivoted together
referral_flags as (

    unpivot (
        select
            referral_id as record_id,
            columns(
                '^involves_|_base$|_success$|^is_|^homes_made_safer$|^enhanced_rights$'
            )
        from referrals
    )
    on columns(* exclude (record_id))
    into name flag value is_set

),

-- the bit of each flag an outcome names and of each agency's involves_<agency> flag
referral_flag_names as (

    select
        flag,
        flag_bit,
        0::bigint as agency_bit
    from flags
    -- an involves_<agency> column says an agency, never an outcome's flag
    where not starts_with(flag, 'involves_')

    union all

    select
        'involves_' || agency as flag,
        0::bigint as flag_bit,
        agency_bit
    from agency_bits

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

-- each record's set flags that an outcome names, as bits
referral_flag_bits as (

    select
        referral_flags.record_id,
        bit_or(referral_flag_names.flag_bit) as flag_bits,
        bit_or(referral_flag_names.agency_bit) as agency_bits
    from referral_flags
    inner join referral_flag_names
        on referral_flags.flag = referral_flag_names.flag
    where referral_flags.is_set
    group by referral_flags.record_id

),

agency_referral_flag_bits as (

    select
        agency_referral_flags.record_id,
        bit_or(flags.flag_bit) as flag_bits
    from agency_referral_flags
    inner join flags
        on agency_referral_flags.flag = flags.flag
    where agency_referral_flags.is_set
    group by agency_referral_flags.record_id

),

-- each record's months, with its victim, agencies and flags
referral_months as (

    unpivot (
        select
            referrals.referral_id as record_id,
            referrals.victim_id,
            coalesce(referral_flag_bits.agency_bits, 0) as agency_bits,
            coalesce(referral_flag_bits.flag_bits, 0) as flag_bits,
            columns('_month$')
        from referrals
        left join referral_flag_bits
            on referrals.referral_id = referral_flag_bits.record_id
    )
    on columns(* exclude (record_id, victim_id, agency_bits, flag_bits))
    into name month_column value month  -- noqa: RF04

),

agency_referral_months as (

    unpivot (
        select
            agency_referrals.agency_referral_id as record_id,
            agency_referrals.victim_id,
            coalesce(agency_bits.agency_bit, 0) as agency_bits,
            coalesce(agency_referral_flag_bits.flag_bits, 0) as flag_bits,
            columns('_month$')
        from agency_referrals
        left join agency_bits
            on agency_referrals.agency = agency_bits.agency
        left join agency_referral_flag_bits
            on agency_referrals.agency_referral_id = agency_referral_flag_bits.record_id
    )
    on columns(* exclude (record_id, victim_id, agency_bits, flag_bits))
    into name month_column value month  -- noqa: RF04

),

record_months as (

    select
        1 as record_source,
        victim_id,
        agency_bits,
        flag_bits,
        month_column,
        month
    from referral_months

    union all

    select
        2 as record_source,
        victim_id,
        agency_bits,
        flag_bits,
        month_column,
        month
    from agency_referral_months

),

-- a record in an outcome's base (its base flag set, or every record), in its cohort month
record_outcomes as (

    select
        record_months.victim_id,
        outcome_bits.outcome_number,
        record_months.month,
        record_months.flag_bits & outcome_bits.success_bit != 0 as is_met,
        record_months.agency_bits
    from record_months
    inner join outcome_bits
        on
            record_months.record_source = outcome_bits.record_source
            and record_months.month_column = outcome_bits.month_column
    where
        outcome_bits.is_every_record
        or record_months.flag_bits & outcome_bits.base_bit != 0

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
