-- materialized: ephemeral
-- grain: one row per (indicator, referral in its base), for the before/after NHS
-- indicators; cohort month: the month of closed_date. Counted by
-- intermediate.int_family_unit_counts into intermediate.int_family_nhs.
-- fewer_crisis_contacts (rate): referrals with comparable pre_6m and complete post_6m
-- rows whose pre_6m crisis contacts (A&E + mental health crisis) are above 0; success:
-- post_6m crisis contacts lower.
-- nhs_contacts_change (paired_sum): numerator and value = sum over those paired
-- referrals of (pre - post_6m) over the contact types valued in both windows;
-- denominator = the number of paired referrals (the paired n that the honesty rules
-- need; positive numerator = fewer contacts).
-- nhs_cost_avoided_gbp (money): projected, hub-only, low/high from the low/high
-- settings.
with

outcome_referrals as (

    select * from intermediate.int_outcome_referrals

),

final as (

    select
        'nhs' as unit_family,
        'fewer_crisis_contacts' as indicator_id,
        'rate' as measure_kind,
        false as is_hub_only,
        closed_month as cohort_month,
        referral_id,
        victim_id,
        victim_has_other_referrals,
        fewer_crisis_contacts_success as is_success,
        cast(null as double) as amount_central,
        cast(null as double) as amount_low,
        cast(null as double) as amount_high
    from outcome_referrals
    where fewer_crisis_contacts_base

    union all

    select
        'nhs' as unit_family,
        'nhs_contacts_change' as indicator_id,
        'paired_sum' as measure_kind,
        false as is_hub_only,
        closed_month as cohort_month,
        referral_id,
        victim_id,
        victim_has_other_referrals,
        cast(null as boolean) as is_success,
        cast(nhs_contacts_change as double) as amount_central,
        cast(null as double) as amount_low,
        cast(null as double) as amount_high
    from outcome_referrals
    where nhs_contacts_change_base

    union all

    select
        'nhs' as unit_family,
        'nhs_cost_avoided_gbp' as indicator_id,
        'money' as measure_kind,
        true as is_hub_only,
        closed_month as cohort_month,
        referral_id,
        victim_id,
        victim_has_other_referrals,
        cast(null as boolean) as is_success,
        nhs_cost_avoided_gbp_central as amount_central,
        nhs_cost_avoided_gbp_low as amount_low,
        nhs_cost_avoided_gbp_high as amount_high
    from outcome_referrals
    where nhs_contacts_change_base

)

select * from final
