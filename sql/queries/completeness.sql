-- audiences: manager, pcc
-- Per loaded column: rows loaded and rows with a value (the caller orders them as the
-- contract does).
select
    table_name,
    column_name,
    rows_loaded,
    rows_with_value
from marts.column_completeness
