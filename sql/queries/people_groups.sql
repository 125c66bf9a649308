-- audiences: manager
-- Distinct victims grouped by what a report's or the release's tables cut them by, per
-- period: the periods start at the months $firsts and are $months months long, on one
-- grid (each first a whole number of periods after the earliest:
-- metrics.report.data.people_groups checks it). A row per (period, group) with `count`,
-- the number of victims in it:
-- * the demographics ($demographics; else null): the victim's as recorded on their
--   latest referral up to the end of the period, `unknown` when not recorded;
-- * area ($area; else null): the same for the area on the record (a blank area is not
--   recorded), for the release's table by area;
-- * stage and crime_type ($referred; else null): the stages the victim's referrals of
--   the period reached and their crime types, sorted (empty if not referred in it);
-- * in_base and met: the outcomes of $outcomes (marts.person_outcomes) whose base the
--   victim is in for a cohort month in the period, and those met, sorted;
-- * agency ($agency_for, an outcome; else null): the agencies involved in the victim's
--   records in that outcome's base (gathered as the bits of person_outcomes'
--   agency_bits and made names, sorted, once the rows are grouped:
--   marts.person_outcome_agencies).
-- Only victims referred in the period ($referred) or in an outcome's base, with a
-- referral up to the end of the period, are kept.
-- A month's period is worked out arithmetically (whole periods since the earliest first,
-- kept if that period is asked for), and the stages and outcomes of a victim are
-- gathered as bits (an outcome's bit is its place in the sorted $outcomes; a crime
-- type's its place in the sorted crime types of the referrals read) and made lists only
-- once the rows are grouped. A victim's period is one row of the period's
-- referrals (stages, crime types and the latest recorded demographics, read in the same
-- grouping) joined to one of its outcomes; only the few whose demographics are not all
-- on the period's referrals (not referred in it, or a value not recorded there) are
-- looked up in every referral up to the end of the period.
-- $coded: instead of the lists stage, crime_type, in_base, met and agency (then null),
-- stage_bits (the bits above), in_base_bits and met_bits (the outcomes' bits) as
-- integers and crime_type_json and agency_json (the sorted lists as JSON text), which
-- are much cheaper to bring into Python (metrics.report.data.people_columns decodes
-- them); without $coded these five are null.
with

referrals as (

    select * from marts.fct_referrals

),

person_outcomes as (

    select * from marts.person_outcomes

),

person_outcome_agencies as (

    select * from marts.person_outcome_agencies

),

-- every agency's name and bit, in the order of the bits (and so of the names)
agency_names as (

    select
        coalesce(list(agency order by agency_bit), []::varchar[]) as agencies,
        coalesce(list(agency_bit order by agency_bit), []::bigint[]) as agency_bits
    from person_outcome_agencies

),

referrals_in_periods as (

    select
        victim_id,
        crime_type,
        is_contacted,
        is_assessed,
        is_supported,
        is_completed,
        referral_date,
        gender,
        age_band,
        ethnic_group,
        disability,
        lgbt,
        nullif(trim(area), '') as area,
        (
            list_min($firsts) + to_months(
                datediff('month', list_min($firsts), referral_month) // $months * $months
            )
        )::date as period_start
    from referrals
    where referral_month >= list_min($firsts)

),

-- every crime type of the referrals read, sorted: a crime type's bit is its place here
-- (the contract's codes are far fewer than the 63 bits)
crime_types as (

    select coalesce(list(distinct crime_type order by crime_type), []::varchar[]) as codes
    from referrals_in_periods
    where crime_type is not null

),

referrals_with_crime_bits as (

    select
        referrals_in_periods.*,
        1::bigint << (
            list_position(crime_types.codes, referrals_in_periods.crime_type) - 1
        ) as crime_bit
    from referrals_in_periods
    cross join crime_types

),

referred as (

    select
        period_start,
        victim_id,
        -- the stages in alphabetical order, as bits: assessed 1, completed 2,
        -- contacted 4, referred 8 (every referral is), supported 16
        (case when bool_or(is_assessed) then 1 else 0 end)
        + (case when bool_or(is_completed) then 2 else 0 end)
        + (case when bool_or(is_contacted) then 4 else 0 end)
        + 8
        + (case when bool_or(is_supported) then 16 else 0 end) as stage_bits,
        coalesce(bit_or(crime_bit), 0) as crime_bits,
        -- the latest recorded demographics of the period's referrals (if recorded on one
        -- of them, the latest up to the end of the period: the period's referrals are
        -- the victim's last up to then)
        arg_max(gender, referral_date) filter (where $demographics) as gender,
        arg_max(age_band, referral_date) filter (where $demographics) as age_band,
        arg_max(ethnic_group, referral_date) filter (where $demographics) as ethnic_group,
        arg_max(disability, referral_date) filter (where $demographics) as disability,
        arg_max(lgbt, referral_date) filter (where $demographics) as lgbt,
        arg_max(area, referral_date) filter (where $area) as area
    from referrals_with_crime_bits
    -- (not needed for a frame of outcomes only without demographics: whether a victim
    -- has a referral by the end of the period is read from their first)
    where
        list_contains($firsts, period_start)
        and ($referred or $demographics or $area)
    group by period_start, victim_id

),

outcomes_in_periods as (

    select
        victim_id,
        is_met,
        agency_bits,
        indicator_id,
        1::bigint << (
            list_position(list_sort(list_distinct($outcomes)), indicator_id) - 1
        ) as outcome_bit,
        (
            list_min($firsts) + to_months(
                datediff('month', list_min($firsts), month) // $months * $months
            )
        )::date as period_start
    from person_outcomes
    where
        list_contains($outcomes, indicator_id)
        and month >= list_min($firsts)

),

outcomes as (

    select
        period_start,
        victim_id,
        bit_or(outcome_bit) as in_base_bits,
        coalesce(bit_or(outcome_bit) filter (where is_met), 0) as met_bits,
        bit_or(agency_bits) filter (where indicator_id = $agency_for) as agency_bits
    from outcomes_in_periods
    where list_contains($firsts, period_start)
    group by period_start, victim_id

),

-- the victims referred in a period ($referred) or in an outcome's base in it, with what
-- the period's referrals and outcomes say of them (the referrals' also for a victim kept
-- for its outcomes only: their demographics, and that they have a referral by then)
people_in_periods as (

    select
        coalesce(referred.period_start, outcomes.period_start) as period_start,
        coalesce(referred.victim_id, outcomes.victim_id) as victim_id,
        referred.victim_id is not null as is_referred,
        referred.stage_bits,
        referred.crime_bits,
        referred.gender,
        referred.age_band,
        referred.ethnic_group,
        referred.disability,
        referred.lgbt,
        referred.area,
        outcomes.in_base_bits,
        outcomes.met_bits,
        outcomes.agency_bits
    from referred
    full join outcomes
        on
            referred.victim_id = outcomes.victim_id
            and referred.period_start = outcomes.period_start
    where $referred or outcomes.victim_id is not null

),

-- the people whose demographics are not all found on referrals of the period (not
-- referred in it, or a value not recorded on those referrals): read from every referral
-- up to the end of the period
to_look_up as (

    select
        period_start,
        victim_id
    from people_in_periods
    where
        ($demographics or $area)
        and (
            not is_referred
            or $demographics and (
                gender is null
                or age_band is null
                or ethnic_group is null
                or disability is null
                or lgbt is null
            )
            or $area and area is null
        )

),

latest as (

    select
        to_look_up.period_start,
        to_look_up.victim_id,
        arg_max(referrals.gender, referrals.referral_date) as gender,
        arg_max(referrals.age_band, referrals.referral_date) as age_band,
        arg_max(referrals.ethnic_group, referrals.referral_date) as ethnic_group,
        arg_max(referrals.disability, referrals.referral_date) as disability,
        arg_max(referrals.lgbt, referrals.referral_date) as lgbt,
        arg_max(nullif(trim(referrals.area), ''), referrals.referral_date) as area
    from to_look_up
    inner join referrals
        on
            to_look_up.victim_id = referrals.victim_id
            and referrals.referral_date
            <= last_day(to_look_up.period_start + to_months($months - 1))
    group by to_look_up.period_start, to_look_up.victim_id

),

first_referrals as (

    select
        victim_id,
        min(referral_date) as first_referral_date
    from referrals
    where not ($demographics or $area)
    group by victim_id

),

-- only the people with a referral up to the end of the period are kept: those referred
-- in it, those found by `latest`, and (when no demographics are read) those whose first
-- referral is by then
people as (

    select
        people_in_periods.period_start,
        case
            when $demographics
                then coalesce(people_in_periods.gender, latest.gender, 'unknown')
        end as gender,
        case
            when $demographics
                then coalesce(people_in_periods.age_band, latest.age_band, 'unknown')
        end as age_band,
        case
            when $demographics
                then coalesce(people_in_periods.ethnic_group, latest.ethnic_group, 'unknown')
        end as ethnic_group,
        case
            when $demographics
                then coalesce(people_in_periods.disability, latest.disability, 'unknown')
        end as disability,
        case
            when $demographics
                then coalesce(people_in_periods.lgbt, latest.lgbt, 'unknown')
        end as lgbt,
        case
            when $area then coalesce(people_in_periods.area, latest.area, 'unknown')
        end as area,
        case when $referred then coalesce(people_in_periods.stage_bits, 0) end as stage_bits,
        case
            when $referred then coalesce(people_in_periods.crime_bits, 0)
        end as crime_bits,
        coalesce(people_in_periods.in_base_bits, 0) as in_base_bits,
        coalesce(people_in_periods.met_bits, 0) as met_bits,
        case
            when $agency_for != '' then coalesce(people_in_periods.agency_bits, 0)
        end as agency_bits
    from people_in_periods
    left join latest
        on
            people_in_periods.victim_id = latest.victim_id
            and people_in_periods.period_start = latest.period_start
    left join first_referrals
        on
            people_in_periods.victim_id = first_referrals.victim_id
            and first_referrals.first_referral_date
            <= last_day(people_in_periods.period_start + to_months($months - 1))
    where
        people_in_periods.is_referred
        or latest.victim_id is not null
        or first_referrals.victim_id is not null

),

groups as (

    select
        period_start,
        gender,
        age_band,
        ethnic_group,
        disability,
        lgbt,
        area,
        stage_bits,
        crime_bits,
        in_base_bits,
        met_bits,
        agency_bits,
        count(*) as people
    from people
    group by all

),

with_agency_names as (

    select
        groups.*,
        agency_names.agencies as agency_names,
        agency_names.agency_bits as agency_name_bits,
        crime_types.codes as crime_type_names
    from groups
    cross join agency_names
    cross join crime_types

),

named as (

    select
        *,
        case
            when crime_bits is not null then
                list_filter(
                    crime_type_names,
                    lambda crime_type: (crime_bits >> (
                        list_position(crime_type_names, crime_type) - 1
                    )) & 1 = 1
                )
        end as crime_type,
        case
            when agency_bits is not null then
                list_filter(
                    agency_names,
                    lambda agency: agency_bits & agency_name_bits[
                        list_position(agency_names, agency)
                    ] != 0
                )
        end as agency
    from with_agency_names

),

final as (

    select
        period_start,
        gender,
        age_band,
        ethnic_group,
        disability,
        lgbt,
        area,
        case
            when not $coded and stage_bits is not null then
                list_filter(
                    [
                        case when stage_bits & 1 = 1 then 'assessed' end,
                        case when stage_bits & 2 = 2 then 'completed' end,
                        case when stage_bits & 4 = 4 then 'contacted' end,
                        case when stage_bits & 8 = 8 then 'referred' end,
                        case when stage_bits & 16 = 16 then 'supported' end
                    ],
                    lambda stage: stage is not null
                )
        end as stage,  -- noqa: RF04
        case when not $coded then crime_type end as crime_type,
        case
            when not $coded then
                list_filter(
                    list_sort(list_distinct($outcomes)),
                    lambda outcome: (in_base_bits >> (
                        list_position(list_sort(list_distinct($outcomes)), outcome) - 1
                    )) & 1 = 1
                )
        end as in_base,
        case
            when not $coded then
                list_filter(
                    list_sort(list_distinct($outcomes)),
                    lambda outcome: (met_bits >> (
                        list_position(list_sort(list_distinct($outcomes)), outcome) - 1
                    )) & 1 = 1
                )
        end as met,
        case when not $coded then agency end as agency,
        case when $coded then stage_bits end as stage_bits,
        case when $coded then to_json(crime_type)::varchar end as crime_type_json,
        case when $coded then in_base_bits end as in_base_bits,
        case when $coded then met_bits end as met_bits,
        case when $coded then to_json(agency)::varchar end as agency_json,
        people as count  -- noqa: RF04
    from named

)

select * from final
order by all
