-- grain: one row per (unit_family, indicator_id, month, agency) with a non-empty base: the
-- one counting rule of the families whose indicators are listed per referral with an
-- amount (intermediate.int_family_nhs_units, intermediate.int_family_prevention_units),
-- with the family columns of docs/architecture.md. Each family model keeps its rows.
-- Units are referrals: `all` counts each once, an agency row the referrals that agency
-- is involved in (intermediate.int_referral_agencies); every referral involves
-- victim_support, so its rows are copies of the `all` rows. A hub-only indicator (money)
-- has `all` rows only. persons: distinct victims; a victim with a single referral is one
-- person per unit, so only victims with other referrals need a distinct count.
-- measure_kind: rate (successes out of the base), count (the base), sum and money (the
-- amounts, low and high too), paired_sum (the amount over the base of paired referrals).
with

nhs_units as (

    select * from intermediate.int_family_nhs_units

),

prevention_units as (

    select * from intermediate.int_family_prevention_units

),

referral_agencies as (

    select * from intermediate.int_referral_agencies

),

units as (

    select * from nhs_units
    union all
    select * from prevention_units

),

scoped_units as (

    select
        'all' as agency,
        units.*
    from units

    union all

    select
        referral_agencies.agency,
        units.*
    from units
    inner join referral_agencies
        on units.referral_id = referral_agencies.referral_id
    where
        referral_agencies.agency != 'victim_support'
        and not units.is_hub_only

),

aggregated as (

    select
        unit_family,
        indicator_id,
        measure_kind,
        is_hub_only,
        cohort_month,
        agency,
        count(*) as units_in_base,
        count_if(is_success) as units_counted,
        cast(sum(cast(amount_central as decimal(38, 10))) as double) as amount_central,
        cast(sum(cast(amount_low as decimal(38, 10))) as double) as amount_low,
        cast(sum(cast(amount_high as decimal(38, 10))) as double) as amount_high,
        count_if(not victim_has_other_referrals) as single_referral_victims
    from scoped_units
    group by unit_family, indicator_id, measure_kind, is_hub_only, cohort_month, agency

),

repeat_victim_units as (

    select distinct
        unit_family,
        indicator_id,
        cohort_month,
        agency,
        victim_id
    from scoped_units
    where victim_has_other_referrals

),

repeat_victims as (

    select
        unit_family,
        indicator_id,
        cohort_month,
        agency,
        count(*) as repeat_victims
    from repeat_victim_units
    group by unit_family, indicator_id, cohort_month, agency

),

scope_rows as (

    select
        aggregated.unit_family,
        aggregated.indicator_id,
        aggregated.measure_kind,
        aggregated.is_hub_only,
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
            aggregated.unit_family = repeat_victims.unit_family
            and aggregated.indicator_id = repeat_victims.indicator_id
            and aggregated.cohort_month is not distinct from repeat_victims.cohort_month
            and aggregated.agency = repeat_victims.agency

),

hub_and_agency_rows as (

    select * from scope_rows

    union all

    select scope_rows.* replace ('victim_support' as agency)
    from scope_rows
    where scope_rows.agency = 'all' and not scope_rows.is_hub_only

),

final as (

    select
        unit_family,
        indicator_id,
        cohort_month as month,  -- noqa: RF04
        agency,
        cast(case measure_kind
            when 'rate' then units_counted
            when 'count' then units_in_base
            else amount_central
        end as double) as numerator,
        cast(case
            when measure_kind in ('rate', 'paired_sum') then units_in_base
        end as double) as denominator,
        cast(case measure_kind
            when 'rate' then units_counted / units_in_base
            when 'count' then units_in_base
            else amount_central
        end as double) as value,  -- noqa: RF04
        cast(case
            when measure_kind in ('money', 'sum') then amount_low
        end as double) as value_low,
        cast(case
            when measure_kind in ('money', 'sum') then amount_high
        end as double) as value_high,
        cast(persons as bigint) as persons
    from hub_and_agency_rows

)

select * from final
