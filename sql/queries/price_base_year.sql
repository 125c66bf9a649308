-- audiences: manager, pcc
-- The base year the register's money was uprated to (a build that left the price
-- base year to the default records none of its own).
select max(base_year) as base_year
from ref.parameters
where base_year is not null and base_year <> ''
