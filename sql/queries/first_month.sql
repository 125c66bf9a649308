-- audiences: manager
-- The first month of the indicator tables (the first referral month).
select min(month) as first_month
from marts.indicator_monthly
