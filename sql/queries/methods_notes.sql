-- audiences: manager, pcc
-- NHS-paired referrals of the whole warehouse, and those whose first-year change was
-- extrapolated from six months.
select
    count(*) filter (where nhs_paired) as nhs_paired,
    count(*) filter (where nhs_paired and nhs_extrapolated) as nhs_extrapolated
from marts.health_pairs
