-- audiences: manager, pcc
-- A hub's own register: each overridden row, the shipped settings beside the hub's.
select
    name,
    unit,
    shipped_low,
    shipped_central,
    shipped_high,
    shipped_status,
    shipped_source,
    shipped_price_year,
    low,
    central,
    high,
    status,
    source,
    price_year,
    note
from ref.overrides
order by name
