-- grain: one row per (indicator_id, month, agency) for the operations
-- indicators of the referral-month cohort (catalogue: family `operations`,
-- cohort_month `referral`): the seven funnel counts, police_referral_2wd,
-- first_contact_2wd and enhanced_rights_share.
-- Each indicator <id> is defined once, as the per-referral flags <id>_base (in its
-- base; for a count, counted) and, for a rate, <id>_success; the totals are made for
-- every flag in one pass (DuckDB's columns(...)) and unpivoted to one row per
-- indicator, whose kind (count or rate) comes from the catalogue.
-- agency rows are involvement rows (int_referral_agencies).
-- Counts are emitted for every (month, agency) with a referral; rates only
-- where their base is not empty. Every referral involves victim_support, so
-- its rows are the `all` rows. persons (distinct victims): a victim with a
-- single referral is one person per referral; only repeat-referral victims
-- need a first aggregation per victim. Family columns as in
-- docs/architecture.md.
with

referrals as (

    select * from intermediate.int_referral_base

),

referral_agencies as (

    select * from intermediate.int_referral_agencies

),

repeat_referral_victims as (

    select * from intermediate.int_outcome_repeat_referral_victims

),

catalogue as (

    select * from ref.indicator_catalogue

),

cohort_indicators as (

    select
        indicator_id,
        kind

    from catalogue
    where family = 'operations' and cohort_month = 'referral'

),

flagged as (

    select
        referrals.referral_id,
        referrals.referral_month,
        referrals.victim_id,
        repeat_referral_victims.victim_id is not null as is_repeat_victim,
        true as referrals_received_base,
        referrals.is_contacted as referrals_contacted_base,
        referrals.is_assessed as referrals_assessed_base,
        referrals.is_supported as referrals_supported_base,
        coalesce(
            referrals.closure_reason = 'support_completed', false
        ) as referrals_completed_base,
        coalesce(referrals.closure_reason = 'declined', false) as referrals_declined_base,
        coalesce(
            referrals.closure_reason = 'unable_to_contact', false
        ) as referrals_unable_to_contact_base,
        referrals.enhanced_rights is not null as enhanced_rights_share_base,
        coalesce(referrals.enhanced_rights, false) as enhanced_rights_share_success,
        coalesce(referrals.is_police_referral_in_base, false) as police_referral_2wd_base,
        coalesce(referrals.is_police_referral_on_time, false) as police_referral_2wd_success,
        coalesce(referrals.is_first_contact_in_base, false) as first_contact_2wd_base,
        coalesce(referrals.is_first_contact_on_time, false) as first_contact_2wd_success

    from referrals
    left join repeat_referral_victims
        on referrals.victim_id = repeat_referral_victims.victim_id

),

scoped as (

    select
        'all' as agency,
        flagged.*

    from flagged

    union all

    select
        referral_agencies.agency,
        flagged.*

    from flagged
    inner join referral_agencies
        on flagged.referral_id = referral_agencies.referral_id
    where referral_agencies.agency != 'victim_support'

),

scope_totals as (

    select
        referral_month,
        agency,
        count_if(columns('(.*)_base$')) as '\1__units_in_base',  -- noqa: RF05
        count_if(columns('(.*)_success$')) as '\1__units_counted',  -- noqa: RF05
        count_if(
            columns('(.*)_base$') and not is_repeat_victim
        ) as '\1__single_victims'  -- noqa: RF05

    from scoped
    group by referral_month, agency

),

repeat_victim_flags as (

    select
        referral_month,
        agency,
        victim_id,
        bool_or(columns('_base$'))

    from scoped
    where is_repeat_victim
    group by referral_month, agency, victim_id

),

repeat_person_totals as (

    select
        referral_month,
        agency,
        count_if(columns('(.*)_base$')) as '\1__repeat_persons'  -- noqa: RF05

    from repeat_victim_flags
    group by referral_month, agency

),

scope_measures as (

    unpivot scope_totals
    on columns('__')
    into name measure value amount

),

repeat_person_measures as (

    unpivot repeat_person_totals
    on columns('__')
    into name measure value amount

),

indicator_totals as (

    select
        referral_month,
        agency,
        split_part(measure, '__', 1) as indicator_id,
        sum(amount) filter (
            where split_part(measure, '__', 2) = 'units_in_base'
        ) as units_in_base,
        sum(amount) filter (
            where split_part(measure, '__', 2) = 'units_counted'
        ) as units_counted,
        sum(amount) filter (
            where split_part(measure, '__', 2) = 'single_victims'
        ) as single_victims

    from scope_measures
    group by referral_month, agency, split_part(measure, '__', 1)

),

repeat_persons as (

    select
        referral_month,
        agency,
        split_part(measure, '__', 1) as indicator_id,
        amount as persons

    from repeat_person_measures

),

scope_rows as (

    select
        indicator_totals.indicator_id,
        cohort_indicators.kind,
        indicator_totals.referral_month,
        indicator_totals.agency,
        indicator_totals.units_in_base,
        indicator_totals.units_counted,
        indicator_totals.single_victims
        + coalesce(repeat_persons.persons, 0) as persons

    from indicator_totals
    inner join cohort_indicators
        on indicator_totals.indicator_id = cohort_indicators.indicator_id
    left join repeat_persons
        on
            indicator_totals.referral_month = repeat_persons.referral_month
            and indicator_totals.agency = repeat_persons.agency
            and indicator_totals.indicator_id = repeat_persons.indicator_id

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
        referral_month as month, -- noqa: RF04
        agency,
        cast(
            case when kind = 'count' then units_in_base else units_counted end as double
        ) as numerator,
        cast(case when kind = 'rate' then units_in_base end as double) as denominator,
        case
            when kind = 'count' then cast(units_in_base as double)
            else units_counted / units_in_base
        end as value, -- noqa: RF04
        cast(null as double) as value_low,
        cast(null as double) as value_high,
        cast(persons as bigint) as persons

    from hub_and_agency_rows
    where kind = 'count' or units_in_base > 0

)

select * from final
