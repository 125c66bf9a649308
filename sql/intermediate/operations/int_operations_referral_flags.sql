-- materialized: ephemeral
-- grain: one row per referral: the per-referral flags of the operations indicators
-- of the referral-month cohort (catalogue: family `operations`, cohort_month
-- `referral`): the seven funnel counts, police_referral_2wd, first_contact_2wd and
-- enhanced_rights_share. Each indicator <id> is defined once here, as <id>_base (in
-- its base; for a count, counted) and, for a rate, <id>_success; they are counted in
-- intermediate.int_family_flag_counts with the outcome flags.
with

referrals as (

    select * from intermediate.int_referral_base

),

final as (

    select
        referrals.referral_id,
        referrals.referral_month,
        referrals.victim_id,
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

)

select * from final
