-- audiences: manager
-- The monthly indicator rows of every agency for the months first..last.
select
    indicator_id,
    month,
    agency,
    status,
    numerator,
    denominator,
    value,
    value_low,
    value_high,
    persons
from marts.indicator_monthly
where month between $first and $last
order by indicator_id, agency, month
