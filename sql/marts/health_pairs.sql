-- grain: one row per referral with NHS records: whether its before and after
-- records are comparable (nhs_paired) and, when paired, whether the first-year
-- change was extrapolated from six months (nhs_extrapolated).
with

health_pairs as (

    select * from intermediate.int_outcome_health_pairs

),

final as (

    select
        referral_id,
        nhs_paired,
        nhs_extrapolated
    from health_pairs

)

select * from final
