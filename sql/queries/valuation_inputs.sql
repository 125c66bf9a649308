-- audiences: manager, pcc
-- What the value-for-money page recomputes from, for the months of the period.
select
    month,
    component,
    item,
    referrals,
    persons,
    amount,
    status
from marts.valuation_inputs
where month between $first and $last
order by month, component, item
