-- audiences: manager, pcc
-- The sums the hub's own evidence is estimated from, every month up to the as-of date.
select
    estimate,
    referral_group,
    month,
    referrals,
    sum_x,
    sum_y,
    sum_xx,
    sum_yy,
    sum_xy,
    window_passed
from marts.hub_evidence
order by estimate, referral_group, month
