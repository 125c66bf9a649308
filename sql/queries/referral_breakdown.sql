-- audiences: manager, pcc
-- One outcome over the months first..last split by a referral characteristic: per
-- category, the referrals in the indicator's base, those counted, and the distinct
-- victims in the base. Only cohort months the warehouse counts (status ok in
-- indicator_monthly, hub-wide) are included, so the categories add up to the hub's
-- figure. indicator, dimension and cohort (the indicator's cohort month column) are
-- values of the caller's allow-lists; an agency filters to the referrals involving it.
with

facts as (

    select * from marts.fct_referrals

),

counted_months as (

    select month
    from marts.indicator_monthly
    where
        indicator_id = $indicator
        and agency = 'all'
        and status = 'ok'
        and month between $first and $last

),

chosen as (

    select
        facts.victim_id,
        case $dimension
            when 'crime_type' then cast(facts.crime_type as varchar)
            when 'enhanced_rights' then cast(facts.enhanced_rights as varchar)
            when 'hate_crime' then cast(facts.hate_crime as varchar)
            when 'domestic_abuse' then cast(facts.domestic_abuse as varchar)
            when 'source' then cast(facts.source as varchar)
            when 'age_band' then cast(facts.age_band as varchar)
            when 'gender' then cast(facts.gender as varchar)
            when 'ethnic_group' then cast(facts.ethnic_group as varchar)
            when 'disability' then cast(facts.disability as varchar)
            when 'lgbt' then cast(facts.lgbt as varchar)
            when 'area' then nullif(trim(facts.area), '')
        end as dimension_value,
        case $indicator
            when 'wellbeing_gain_at_exit' then facts.wellbeing_gain_at_exit_base
            when 'coped_better_at_exit' then facts.coped_better_at_exit_base
            when 'informed_at_exit' then facts.informed_at_exit_base
            when 'family_benefited' then facts.family_benefited_base
            when 'wellbeing_sustained_3_12m' then facts.wellbeing_sustained_3_12m_base
            when 'back_to_daily_life_3_12m' then facts.back_to_daily_life_3_12m_base
            when 'wellbeing_gain_12m_plus' then facts.wellbeing_gain_12m_plus_base
            when 'feel_safer_at_exit' then facts.feel_safer_at_exit_base
            when 'feel_safe_12m_plus' then facts.feel_safe_12m_plus_base
            when 'health_improved_at_exit' then facts.health_improved_at_exit_base
            when 'health_maintained_12m_plus' then facts.health_maintained_12m_plus_base
            when 'not_revictimised_12m' then facts.not_revictimised_12m_base
            when 'fewer_crisis_contacts' then facts.fewer_crisis_contacts_base
            when 'homes_made_safer' then facts.homes_made_safer
        end as in_base,
        case $indicator
            when 'wellbeing_gain_at_exit' then facts.wellbeing_gain_at_exit_success
            when 'coped_better_at_exit' then facts.coped_better_at_exit_success
            when 'informed_at_exit' then facts.informed_at_exit_success
            when 'family_benefited' then facts.family_benefited_success
            when 'wellbeing_sustained_3_12m' then facts.wellbeing_sustained_3_12m_success
            when 'back_to_daily_life_3_12m' then facts.back_to_daily_life_3_12m_success
            when 'wellbeing_gain_12m_plus' then facts.wellbeing_gain_12m_plus_success
            when 'feel_safer_at_exit' then facts.feel_safer_at_exit_success
            when 'feel_safe_12m_plus' then facts.feel_safe_12m_plus_success
            when 'health_improved_at_exit' then facts.health_improved_at_exit_success
            when 'health_maintained_12m_plus' then facts.health_maintained_12m_plus_success
            when 'not_revictimised_12m' then facts.not_revictimised_12m_success
            when 'fewer_crisis_contacts' then facts.fewer_crisis_contacts_success
            when 'homes_made_safer' then facts.homes_made_safer
        end as is_success,
        case $cohort
            when 'closed_month' then facts.closed_month
            when 'survey_month' then facts.survey_month
            when 'referral_month' then facts.referral_month
            when 'target_hardening_month' then facts.target_hardening_month
        end as cohort_month
    from facts
    where
        ($crime_type = 'all' or facts.crime_type = $crime_type)
        and (
            $agency = 'all'
            or coalesce(case $agency
                when 'victim_support' then facts.involves_victim_support
                when 'hate_crime' then facts.involves_hate_crime
                when 'older_people' then facts.involves_older_people
                when 'young_people' then facts.involves_young_people
                when 'lgbt' then facts.involves_lgbt
                when 'witness_care' then facts.involves_witness_care
                when 'nhs_mental_health' then facts.involves_nhs_mental_health
            end, false)
        )

),

final as (

    select
        coalesce(chosen.dimension_value, 'unknown') as category,
        count(*) filter (where chosen.in_base) as base_count,
        count(*) filter (where chosen.is_success) as success_count,
        count(distinct chosen.victim_id) filter (where chosen.in_base) as persons
    from chosen
    inner join counted_months
        on chosen.cohort_month = counted_months.month
    group by all

)

select * from final
order by category
