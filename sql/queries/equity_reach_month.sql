-- audiences: manager, pcc
-- Reach ratios over the 12 months ending with the month.
select
    month,
    basis,
    characteristic,
    category,
    victims_referred,
    comparison_people,
    reach_ratio,
    ci_low,
    ci_high,
    basis_label
from marts.equity_reach
where month = $last
order by characteristic, category
