-- audiences: manager, pcc
-- The assumptions register as built (money uprated to the price base year).
select
    name,
    low,
    central,
    high,
    unit,
    price_year,
    base_year,
    uprate_factor,
    status,
    source,
    note
from ref.parameters
order by name
