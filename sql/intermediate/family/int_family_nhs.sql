-- grain: one row per (indicator_id, month, agency) with a non-empty base, for the
-- before/after NHS indicators; month of closed_date.
-- fewer_crisis_contacts (rate): referrals with comparable pre_6m and complete post_6m
-- rows whose pre_6m crisis contacts (A&E + mental health crisis) are above 0; count:
-- post_6m crisis contacts lower.
-- nhs_contacts_change: numerator and value = sum over those paired referrals of
-- (pre - post_6m) over the contact types valued in both windows; denominator = the
-- number of paired referrals (the paired n that the honesty rules need; positive
-- numerator = fewer contacts).
-- nhs_cost_avoided_gbp: projected money, hub-only, low/high from the low/high settings.
-- Units are referrals: `all` counts each once, an agency row the referrals that agency
-- is involved in (intermediate.int_referral_agencies); every referral involves
-- victim_support, so its rows are the `all` rows. persons: distinct victims; a victim
-- with a single referral is one person per unit, so only victims with other referrals
-- need a distinct count.
with

outcome_referrals as (

    select * from intermediate.int_outcome_referrals

),

referral_agencies as (

    select * from intermediate.int_referral_agencies

),

in_any_base as (

    select
        outcome_referrals.referral_id,
        outcome_referrals.victim_id,
        outcome_referrals.victim_has_other_referrals,
        outcome_referrals.closed_month,
        outcome_referrals.fewer_crisis_contacts_base,
        outcome_referrals.fewer_crisis_contacts_success,
        outcome_referrals.nhs_contacts_change_base,
        outcome_referrals.nhs_contacts_change,
        outcome_referrals.nhs_cost_avoided_gbp_low,
        outcome_referrals.nhs_cost_avoided_gbp_central,
        outcome_referrals.nhs_cost_avoided_gbp_high

    from outcome_referrals
    where
        outcome_referrals.fewer_crisis_contacts_base
        or outcome_referrals.nhs_contacts_change_base

),

referral_units as (

    select
        'all' as agency,
        in_any_base.*

    from in_any_base

    union all

    select
        referral_agencies.agency,
        in_any_base.*

    from in_any_base
    inner join referral_agencies
        on in_any_base.referral_id = referral_agencies.referral_id
    where referral_agencies.agency != 'victim_support'

),

units as (

    select
        'fewer_crisis_contacts' as indicator_id,
        'rate' as measure_kind,
        closed_month as cohort_month,
        agency,
        victim_id,
        victim_has_other_referrals,
        fewer_crisis_contacts_success as is_success,
        cast(null as double) as amount_central,
        cast(null as double) as amount_low,
        cast(null as double) as amount_high
    from referral_units
    where fewer_crisis_contacts_base

    union all

    select
        'nhs_contacts_change' as indicator_id,
        'paired_sum' as measure_kind,
        closed_month as cohort_month,
        agency,
        victim_id,
        victim_has_other_referrals,
        cast(null as boolean) as is_success,
        cast(nhs_contacts_change as double) as amount_central,
        cast(null as double) as amount_low,
        cast(null as double) as amount_high
    from referral_units
    where nhs_contacts_change_base

    union all

    select
        'nhs_cost_avoided_gbp' as indicator_id,
        'money' as measure_kind,
        closed_month as cohort_month,
        agency,
        victim_id,
        victim_has_other_referrals,
        cast(null as boolean) as is_success,
        nhs_cost_avoided_gbp_central as amount_central,
        nhs_cost_avoided_gbp_low as amount_low,
        nhs_cost_avoided_gbp_high as amount_high
    from referral_units
    where
        nhs_contacts_change_base
        and agency = 'all'

),

aggregated as (

    select
        indicator_id,
        measure_kind,
        cohort_month,
        agency,
        count(*) as units_in_base,
        count_if(is_success) as units_counted,
        cast(sum(cast(amount_central as decimal(38, 10))) as double) as amount_central,
        cast(sum(cast(amount_low as decimal(38, 10))) as double) as amount_low,
        cast(sum(cast(amount_high as decimal(38, 10))) as double) as amount_high,
        count_if(not victim_has_other_referrals) as single_referral_victims

    from units
    group by indicator_id, measure_kind, cohort_month, agency

),

repeat_victim_units as (

    select distinct
        indicator_id,
        cohort_month,
        agency,
        victim_id

    from units
    where victim_has_other_referrals

),

repeat_victims as (

    select
        indicator_id,
        cohort_month,
        agency,
        count(*) as repeat_victims

    from repeat_victim_units
    group by indicator_id, cohort_month, agency

),

scope_rows as (

    select
        aggregated.indicator_id,
        aggregated.measure_kind,
        aggregated.cohort_month,
        aggregated.agency,
        aggregated.units_in_base,
        aggregated.units_counted,
        aggregated.amount_central,
        aggregated.amount_low,
        aggregated.amount_high,
        aggregated.single_referral_victims + coalesce(repeat_victims.repeat_victims, 0)
            as persons

    from aggregated
    left join repeat_victims
        on
            aggregated.indicator_id = repeat_victims.indicator_id
            and aggregated.cohort_month = repeat_victims.cohort_month
            and aggregated.agency = repeat_victims.agency

),

hub_and_agency_rows as (

    select * from scope_rows

    union all

    select scope_rows.* replace ('victim_support' as agency)
    from scope_rows
    where
        scope_rows.agency = 'all'
        and scope_rows.indicator_id not in ('nhs_cost_avoided_gbp')

),

final as (

    select
        hub_and_agency_rows.indicator_id,
        hub_and_agency_rows.cohort_month as month,  -- noqa: RF04
        hub_and_agency_rows.agency,
        cast(case hub_and_agency_rows.measure_kind
            when 'rate' then hub_and_agency_rows.units_counted
            else hub_and_agency_rows.amount_central
        end as double) as numerator,
        cast(case
            when hub_and_agency_rows.measure_kind in ('rate', 'paired_sum')
                then hub_and_agency_rows.units_in_base
        end as double) as denominator,
        cast(case hub_and_agency_rows.measure_kind
            when 'rate'
                then hub_and_agency_rows.units_counted / hub_and_agency_rows.units_in_base
            else hub_and_agency_rows.amount_central
        end as double) as value,  -- noqa: RF04
        cast(case
            when hub_and_agency_rows.measure_kind = 'money' then hub_and_agency_rows.amount_low
        end as double) as value_low,
        cast(case
            when hub_and_agency_rows.measure_kind = 'money' then hub_and_agency_rows.amount_high
        end as double) as value_high,
        cast(hub_and_agency_rows.persons as bigint) as persons

    from hub_and_agency_rows

)

select * from final
