-- grain: one row per (indicator_id, month, agency) for the operations
-- indicators of the referral-month cohort: the seven funnel counts,
-- police_referral_2wd, first_contact_2wd and enhanced_rights_share.
-- agency rows are involvement rows (int_referral_agencies).
-- Counts are emitted for every (month, agency) with a referral; rates only
-- where their base is not empty. Every referral involves victim_support, so
-- its rows are the `all` rows. persons (distinct victims): a victim with a
-- single referral is one person per referral; only repeat-referral victims
-- need a first aggregation per victim. Family columns as in
-- docs/architecture.md.
with

referrals as (

    select * from intermediate.int_referrals

),

referral_agencies as (

    select * from intermediate.int_referral_agencies

),

repeat_referral_victims as (

    select * from intermediate.int_outcome_repeat_referral_victims

),

flagged as (

    select
        referrals.referral_id,
        referrals.referral_month,
        referrals.victim_id,
        repeat_referral_victims.victim_id is not null as is_repeat_victim,
        referrals.is_contacted,
        referrals.is_assessed,
        referrals.is_supported,
        coalesce(referrals.closure_reason = 'support_completed', false) as is_completed,
        coalesce(referrals.closure_reason = 'declined', false) as is_declined,
        coalesce(referrals.closure_reason = 'unable_to_contact', false) as is_unable_to_contact,
        referrals.enhanced_rights is not null as is_rights_in_base,
        coalesce(referrals.enhanced_rights, false) as has_enhanced_rights,
        coalesce(referrals.is_police_referral_in_base, false) as is_police_in_base,
        coalesce(referrals.is_police_referral_on_time, false) as is_police_on_time,
        coalesce(referrals.is_first_contact_in_base, false) as is_contact_in_base,
        coalesce(referrals.is_first_contact_on_time, false) as is_contact_on_time
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
        count(*) as received,
        count(*) filter (where not is_repeat_victim) as received_single,
        count(*) filter (where is_contacted) as contacted,
        count(*) filter (where is_contacted and not is_repeat_victim) as contacted_single,
        count(*) filter (where is_assessed) as assessed,
        count(*) filter (where is_assessed and not is_repeat_victim) as assessed_single,
        count(*) filter (where is_supported) as supported,
        count(*) filter (where is_supported and not is_repeat_victim) as supported_single,
        count(*) filter (where is_completed) as completed,
        count(*) filter (where is_completed and not is_repeat_victim) as completed_single,
        count(*) filter (where is_declined) as declined,
        count(*) filter (where is_declined and not is_repeat_victim) as declined_single,
        count(*) filter (where is_unable_to_contact) as unable_to_contact,
        count(*) filter (
            where is_unable_to_contact and not is_repeat_victim
        ) as unable_to_contact_single,
        count(*) filter (where is_rights_in_base) as rights_base,
        count(*) filter (where has_enhanced_rights) as rights_count,
        count(*) filter (where is_rights_in_base and not is_repeat_victim) as rights_single,
        count(*) filter (where is_police_in_base) as police_base,
        count(*) filter (where is_police_on_time) as police_on_time,
        count(*) filter (where is_police_in_base and not is_repeat_victim) as police_single,
        count(*) filter (where is_contact_in_base) as contact_base,
        count(*) filter (where is_contact_on_time) as contact_on_time,
        count(*) filter (where is_contact_in_base and not is_repeat_victim) as contact_single
    from scoped
    group by referral_month, agency

),

repeat_victim_flags as (

    select
        referral_month,
        agency,
        victim_id,
        bool_or(is_contacted) as is_contacted,
        bool_or(is_assessed) as is_assessed,
        bool_or(is_supported) as is_supported,
        bool_or(is_completed) as is_completed,
        bool_or(is_declined) as is_declined,
        bool_or(is_unable_to_contact) as is_unable_to_contact,
        bool_or(is_rights_in_base) as is_rights_in_base,
        bool_or(is_police_in_base) as is_police_in_base,
        bool_or(is_contact_in_base) as is_contact_in_base
    from scoped
    where is_repeat_victim
    group by referral_month, agency, victim_id

),

repeat_persons as (

    select
        referral_month,
        agency,
        count(*) as received,
        count(*) filter (where is_contacted) as contacted,
        count(*) filter (where is_assessed) as assessed,
        count(*) filter (where is_supported) as supported,
        count(*) filter (where is_completed) as completed,
        count(*) filter (where is_declined) as declined,
        count(*) filter (where is_unable_to_contact) as unable_to_contact,
        count(*) filter (where is_rights_in_base) as rights,
        count(*) filter (where is_police_in_base) as police,
        count(*) filter (where is_contact_in_base) as contact
    from repeat_victim_flags
    group by referral_month, agency

),

scope_persons as (

    select
        scope_totals.referral_month,
        scope_totals.agency,
        scope_totals.received,
        scope_totals.received_single
        + coalesce(repeat_persons.received, 0) as received_persons,
        scope_totals.contacted,
        scope_totals.contacted_single
        + coalesce(repeat_persons.contacted, 0) as contacted_persons,
        scope_totals.assessed,
        scope_totals.assessed_single
        + coalesce(repeat_persons.assessed, 0) as assessed_persons,
        scope_totals.supported,
        scope_totals.supported_single
        + coalesce(repeat_persons.supported, 0) as supported_persons,
        scope_totals.completed,
        scope_totals.completed_single
        + coalesce(repeat_persons.completed, 0) as completed_persons,
        scope_totals.declined,
        scope_totals.declined_single
        + coalesce(repeat_persons.declined, 0) as declined_persons,
        scope_totals.unable_to_contact,
        scope_totals.unable_to_contact_single
        + coalesce(repeat_persons.unable_to_contact, 0) as unable_to_contact_persons,
        scope_totals.rights_base,
        scope_totals.rights_count,
        scope_totals.rights_single + coalesce(repeat_persons.rights, 0) as rights_persons,
        scope_totals.police_base,
        scope_totals.police_on_time,
        scope_totals.police_single + coalesce(repeat_persons.police, 0) as police_persons,
        scope_totals.contact_base,
        scope_totals.contact_on_time,
        scope_totals.contact_single + coalesce(repeat_persons.contact, 0) as contact_persons
    from scope_totals
    left join repeat_persons
        on
            scope_totals.referral_month = repeat_persons.referral_month
            and scope_totals.agency = repeat_persons.agency

),

totals as (

    select * from scope_persons
    union all
    select scope_persons.* replace ('victim_support' as agency)
    from scope_persons
    where scope_persons.agency = 'all'

),

counts as (

    select
        'referrals_received' as indicator_id,
        referral_month,
        agency,
        received as numerator,
        received_persons as persons
    from totals
    union all
    select
        'referrals_contacted' as indicator_id,
        referral_month,
        agency,
        contacted as numerator,
        contacted_persons as persons
    from totals
    union all
    select
        'referrals_assessed' as indicator_id,
        referral_month,
        agency,
        assessed as numerator,
        assessed_persons as persons
    from totals
    union all
    select
        'referrals_supported' as indicator_id,
        referral_month,
        agency,
        supported as numerator,
        supported_persons as persons
    from totals
    union all
    select
        'referrals_completed' as indicator_id,
        referral_month,
        agency,
        completed as numerator,
        completed_persons as persons
    from totals
    union all
    select
        'referrals_declined' as indicator_id,
        referral_month,
        agency,
        declined as numerator,
        declined_persons as persons
    from totals
    union all
    select
        'referrals_unable_to_contact' as indicator_id,
        referral_month,
        agency,
        unable_to_contact as numerator,
        unable_to_contact_persons as persons
    from totals

),

rates as (

    select
        'enhanced_rights_share' as indicator_id,
        referral_month,
        agency,
        rights_count as numerator,
        rights_base as denominator,
        rights_persons as persons
    from totals
    union all
    select
        'police_referral_2wd' as indicator_id,
        referral_month,
        agency,
        police_on_time as numerator,
        police_base as denominator,
        police_persons as persons
    from totals
    union all
    select
        'first_contact_2wd' as indicator_id,
        referral_month,
        agency,
        contact_on_time as numerator,
        contact_base as denominator,
        contact_persons as persons
    from totals

),

final as (

    select
        indicator_id,
        referral_month as month, -- noqa: RF04
        agency,
        cast(numerator as double) as numerator,
        cast(null as double) as denominator,
        cast(numerator as double) as value, -- noqa: RF04
        cast(null as double) as value_low,
        cast(null as double) as value_high,
        cast(persons as bigint) as persons
    from counts
    union all
    select
        indicator_id,
        referral_month as month, -- noqa: RF04
        agency,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        numerator / denominator as value, -- noqa: RF04
        cast(null as double) as value_low,
        cast(null as double) as value_high,
        cast(persons as bigint) as persons
    from rates
    where denominator > 0

)

select * from final
