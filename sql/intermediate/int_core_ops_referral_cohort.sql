-- grain: one row per (indicator_id, month, agency) for the operations
-- indicators of the referral-month cohort: the seven funnel counts,
-- police_referral_2wd, first_contact_2wd and enhanced_rights_share.
-- agency rows are involvement rows (int_referral_agencies).
-- Counts are emitted for every (month, agency) with a referral; rates only
-- where their base is not empty. persons (distinct victims) come from a first
-- aggregation per victim, so no count(distinct) is needed. Family columns as
-- in docs/architecture.md.
with

referrals as (

    select * from intermediate.int_referrals

),

referral_agencies as (

    select * from intermediate.int_referral_agencies

),

flagged as (

    select
        referrals.referral_id,
        referrals.referral_month,
        referrals.victim_id,
        referrals.is_contacted,
        referrals.is_assessed,
        referrals.is_supported,
        referrals.closure_reason,
        referrals.enhanced_rights,
        referrals.is_police_referral_in_base,
        referrals.is_police_referral_on_time,
        referrals.is_first_contact_in_base,
        referrals.is_first_contact_on_time
    from referrals

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

),

victim_totals as (

    select
        referral_month,
        agency,
        victim_id,
        count(*) as received,
        count(*) filter (where is_contacted) as contacted,
        count(*) filter (where is_assessed) as assessed,
        count(*) filter (where is_supported) as supported,
        count(*) filter (where closure_reason = 'support_completed') as completed,
        count(*) filter (where closure_reason = 'declined') as declined,
        count(*) filter (where closure_reason = 'unable_to_contact') as unable_to_contact,
        count(*) filter (where enhanced_rights is not null) as rights_base,
        count(*) filter (where enhanced_rights) as rights_count,
        count(*) filter (where is_police_referral_in_base) as police_base,
        count(*) filter (where is_police_referral_on_time) as police_on_time,
        count(*) filter (where is_first_contact_in_base) as contact_base,
        count(*) filter (where is_first_contact_on_time) as contact_on_time
    from scoped
    group by referral_month, agency, victim_id

),

totals as (

    select
        referral_month,
        agency,
        sum(received) as received,
        count(*) as received_persons,
        sum(contacted) as contacted,
        count(*) filter (where contacted > 0) as contacted_persons,
        sum(assessed) as assessed,
        count(*) filter (where assessed > 0) as assessed_persons,
        sum(supported) as supported,
        count(*) filter (where supported > 0) as supported_persons,
        sum(completed) as completed,
        count(*) filter (where completed > 0) as completed_persons,
        sum(declined) as declined,
        count(*) filter (where declined > 0) as declined_persons,
        sum(unable_to_contact) as unable_to_contact,
        count(*) filter (where unable_to_contact > 0) as unable_to_contact_persons,
        sum(rights_base) as rights_base,
        sum(rights_count) as rights_count,
        count(*) filter (where rights_base > 0) as rights_persons,
        sum(police_base) as police_base,
        sum(police_on_time) as police_on_time,
        count(*) filter (where police_base > 0) as police_persons,
        sum(contact_base) as contact_base,
        sum(contact_on_time) as contact_on_time,
        count(*) filter (where contact_base > 0) as contact_persons
    from victim_totals
    group by referral_month, agency

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
