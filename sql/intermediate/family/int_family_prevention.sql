-- grain: one row per (indicator_id, month, agency) with a non-empty base, for the
-- prevention indicators that are not assessment-based.
-- homes_made_safer (count of referrals with target hardening), the fractional
-- repeat_victims_prevented_estimate (sum of per-referral estimates, low/high from the
-- low/high settings) and crime_cost_avoided_gbp are in the month of the referral's first
-- target_hardening service; not_revictimised_12m (rate) in the month of referral_date.
-- _crime_cost_residual_gbp is an internal row for the value-for-money total: over the
-- same referrals as crime_cost_avoided_gbp, the part valued at
-- crime_cost_residual_<crime_type>; referrals whose crime type has no residual in the
-- register add 0 (they stay out of the total). Money rows are hub-only (`all`).
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

hardened_referrals as (

    select
        outcome_referrals.referral_id,
        outcome_referrals.victim_id,
        outcome_referrals.victim_has_other_referrals,
        outcome_referrals.target_hardening_month,
        outcome_referrals.prevention_estimate_low,
        outcome_referrals.prevention_estimate_central,
        outcome_referrals.prevention_estimate_high,
        outcome_referrals.crime_cost_avoided_gbp_low,
        outcome_referrals.crime_cost_avoided_gbp_central,
        outcome_referrals.crime_cost_avoided_gbp_high,
        outcome_referrals.crime_cost_residual_gbp_low,
        outcome_referrals.crime_cost_residual_gbp_central,
        outcome_referrals.crime_cost_residual_gbp_high

    from outcome_referrals
    where outcome_referrals.homes_made_safer

),

hardened_units as (

    select
        'all' as agency,
        hardened_referrals.*

    from hardened_referrals

    union all

    select
        referral_agencies.agency,
        hardened_referrals.*

    from hardened_referrals
    inner join referral_agencies
        on hardened_referrals.referral_id = referral_agencies.referral_id
    where referral_agencies.agency != 'victim_support'

),

revictimisation_referrals as (

    select
        outcome_referrals.referral_id,
        outcome_referrals.victim_id,
        outcome_referrals.victim_has_other_referrals,
        outcome_referrals.referral_month,
        outcome_referrals.not_revictimised_12m_success

    from outcome_referrals
    where outcome_referrals.not_revictimised_12m_base

),

revictimisation_units as (

    select
        'all' as agency,
        revictimisation_referrals.*

    from revictimisation_referrals

    union all

    select
        referral_agencies.agency,
        revictimisation_referrals.*

    from revictimisation_referrals
    inner join referral_agencies
        on revictimisation_referrals.referral_id = referral_agencies.referral_id
    where referral_agencies.agency != 'victim_support'

),

hardening_totals as (

    select
        target_hardening_month as cohort_month,
        agency,
        count(*) as units_in_base,
        count(*) filter (where not victim_has_other_referrals) as single_referral_victims,
        cast(sum(cast(prevention_estimate_central as decimal(38, 10))) as double) as prevention_central,
        cast(sum(cast(prevention_estimate_low as decimal(38, 10))) as double) as prevention_low,
        cast(sum(cast(prevention_estimate_high as decimal(38, 10))) as double) as prevention_high,
        cast(sum(cast(crime_cost_avoided_gbp_central as decimal(38, 10))) as double) as crime_cost_avoided_central,
        cast(sum(cast(crime_cost_avoided_gbp_low as decimal(38, 10))) as double) as crime_cost_avoided_low,
        cast(sum(cast(crime_cost_avoided_gbp_high as decimal(38, 10))) as double) as crime_cost_avoided_high,
        cast(sum(cast(coalesce(crime_cost_residual_gbp_central, 0) as decimal(38, 10))) as double) as crime_cost_residual_central,
        cast(sum(cast(coalesce(crime_cost_residual_gbp_low, 0) as decimal(38, 10))) as double) as crime_cost_residual_low,
        cast(sum(cast(coalesce(crime_cost_residual_gbp_high, 0) as decimal(38, 10))) as double) as crime_cost_residual_high

    from hardened_units
    group by target_hardening_month, agency

),

revictimisation_totals as (

    select
        referral_month as cohort_month,
        agency,
        count(*) as units_in_base,
        count(*) filter (where not_revictimised_12m_success) as units_counted,
        count(*) filter (where not victim_has_other_referrals) as single_referral_victims

    from revictimisation_units
    group by referral_month, agency

),

hardening_repeat_victims as (

    select distinct
        target_hardening_month as cohort_month,
        agency,
        victim_id

    from hardened_units
    where victim_has_other_referrals

),

revictimisation_repeat_victims as (

    select distinct
        referral_month as cohort_month,
        agency,
        victim_id

    from revictimisation_units
    where victim_has_other_referrals

),

hardening_persons as (

    select
        hardening_totals.cohort_month,
        hardening_totals.agency,
        hardening_totals.single_referral_victims + count(hardening_repeat_victims.victim_id)
            as persons

    from hardening_totals
    left join hardening_repeat_victims
        on
            hardening_totals.cohort_month = hardening_repeat_victims.cohort_month
            and hardening_totals.agency = hardening_repeat_victims.agency
    group by
        hardening_totals.cohort_month,
        hardening_totals.agency,
        hardening_totals.single_referral_victims

),

revictimisation_persons as (

    select
        revictimisation_totals.cohort_month,
        revictimisation_totals.agency,
        revictimisation_totals.single_referral_victims
        + count(revictimisation_repeat_victims.victim_id) as persons

    from revictimisation_totals
    left join revictimisation_repeat_victims
        on
            revictimisation_totals.cohort_month = revictimisation_repeat_victims.cohort_month
            and revictimisation_totals.agency = revictimisation_repeat_victims.agency
    group by
        revictimisation_totals.cohort_month,
        revictimisation_totals.agency,
        revictimisation_totals.single_referral_victims

),

hardening_rows as (

    select
        hardening_totals.*,
        hardening_persons.persons

    from hardening_totals
    inner join hardening_persons
        on
            hardening_totals.cohort_month is not distinct from hardening_persons.cohort_month
            and hardening_totals.agency = hardening_persons.agency

),

scope_rows as (

    select
        'homes_made_safer' as indicator_id,
        'count' as measure_kind,
        cohort_month,
        agency,
        units_in_base,
        0 as units_counted,
        cast(null as double) as amount_central,
        cast(null as double) as amount_low,
        cast(null as double) as amount_high,
        persons
    from hardening_rows

    union all

    select
        'repeat_victims_prevented_estimate' as indicator_id,
        'sum' as measure_kind,
        cohort_month,
        agency,
        units_in_base,
        0 as units_counted,
        prevention_central as amount_central,
        prevention_low as amount_low,
        prevention_high as amount_high,
        persons
    from hardening_rows

    union all

    select
        'crime_cost_avoided_gbp' as indicator_id,
        'sum' as measure_kind,
        cohort_month,
        agency,
        units_in_base,
        0 as units_counted,
        crime_cost_avoided_central as amount_central,
        crime_cost_avoided_low as amount_low,
        crime_cost_avoided_high as amount_high,
        persons
    from hardening_rows
    where agency = 'all'

    union all

    select
        '_crime_cost_residual_gbp' as indicator_id,
        'sum' as measure_kind,
        cohort_month,
        agency,
        units_in_base,
        0 as units_counted,
        crime_cost_residual_central as amount_central,
        crime_cost_residual_low as amount_low,
        crime_cost_residual_high as amount_high,
        persons
    from hardening_rows
    where agency = 'all'

    union all

    select
        'not_revictimised_12m' as indicator_id,
        'rate' as measure_kind,
        revictimisation_totals.cohort_month,
        revictimisation_totals.agency,
        revictimisation_totals.units_in_base,
        revictimisation_totals.units_counted,
        cast(null as double) as amount_central,
        cast(null as double) as amount_low,
        cast(null as double) as amount_high,
        revictimisation_persons.persons
    from revictimisation_totals
    inner join revictimisation_persons
        on
            revictimisation_totals.cohort_month
            is not distinct from revictimisation_persons.cohort_month
            and revictimisation_totals.agency = revictimisation_persons.agency

),

hub_and_agency_rows as (

    select * from scope_rows

    union all

    select scope_rows.* replace ('victim_support' as agency)
    from scope_rows
    where
        scope_rows.agency = 'all'
        and scope_rows.indicator_id not in ('crime_cost_avoided_gbp', '_crime_cost_residual_gbp')

),

final as (

    select
        hub_and_agency_rows.indicator_id,
        hub_and_agency_rows.cohort_month as month,  -- noqa: RF04
        hub_and_agency_rows.agency,
        cast(case hub_and_agency_rows.measure_kind
            when 'rate' then hub_and_agency_rows.units_counted
            when 'count' then hub_and_agency_rows.units_in_base
            else hub_and_agency_rows.amount_central
        end as double) as numerator,
        cast(case
            when hub_and_agency_rows.measure_kind = 'rate' then hub_and_agency_rows.units_in_base
        end as double) as denominator,
        cast(case hub_and_agency_rows.measure_kind
            when 'rate'
                then hub_and_agency_rows.units_counted / hub_and_agency_rows.units_in_base
            when 'count' then hub_and_agency_rows.units_in_base
            else hub_and_agency_rows.amount_central
        end as double) as value,  -- noqa: RF04
        cast(case
            when hub_and_agency_rows.measure_kind = 'sum' then hub_and_agency_rows.amount_low
        end as double) as value_low,
        cast(case
            when hub_and_agency_rows.measure_kind = 'sum' then hub_and_agency_rows.amount_high
        end as double) as value_high,
        cast(hub_and_agency_rows.persons as bigint) as persons

    from hub_and_agency_rows

)

select * from final
