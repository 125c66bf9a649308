-- audiences: manager, pcc
-- The referral funnel of the referrals received in the months first..last (month of
-- referral), for the hub or the referrals involving one agency. A stage counts the
-- referrals that reached it and every stage before it, so each stage sits inside the
-- one before (received, contacted, assessed, supported, completed). The referrals that
-- skipped a stage are counted apart: given support without a needs assessment, and
-- closed as support completed without a recorded service.
with

referrals as (

    select * from marts.fct_referrals

),

chosen as (

    select
        is_contacted,
        is_contacted and is_assessed as reached_assessed,
        is_contacted and is_assessed and is_supported as reached_supported,
        is_contacted and is_assessed and is_supported and is_completed
            as reached_completed,
        is_supported and not is_assessed as supported_unassessed,
        is_completed and not is_supported as completed_unsupported
    from referrals
    where
        referral_month between $first and $last
        and (
            $agency = 'all'
            or ($agency = 'victim_support' and involves_victim_support)
            or ($agency = 'hate_crime' and involves_hate_crime)
            or ($agency = 'older_people' and involves_older_people)
            or ($agency = 'young_people' and involves_young_people)
            or ($agency = 'lgbt' and involves_lgbt)
            or ($agency = 'witness_care' and involves_witness_care)
            or ($agency = 'nhs_mental_health' and involves_nhs_mental_health)
        )

),

final as (

    select
        1 as stage_order,
        'received' as stage_name,
        count(*) as referrals
    from chosen
    union all
    select
        2 as stage_order,
        'contacted' as stage_name,
        coalesce(count_if(is_contacted), 0) as referrals
    from chosen
    union all
    select
        3 as stage_order,
        'assessed' as stage_name,
        coalesce(count_if(reached_assessed), 0) as referrals
    from chosen
    union all
    select
        4 as stage_order,
        'supported' as stage_name,
        coalesce(count_if(reached_supported), 0) as referrals
    from chosen
    union all
    select
        5 as stage_order,
        'completed' as stage_name,
        coalesce(count_if(reached_completed), 0) as referrals
    from chosen
    union all
    select
        6 as stage_order,
        'supported_unassessed' as stage_name,
        coalesce(count_if(supported_unassessed), 0) as referrals
    from chosen
    union all
    select
        7 as stage_order,
        'completed_unsupported' as stage_name,
        coalesce(count_if(completed_unsupported), 0) as referrals
    from chosen

)

select * from final
order by stage_order
