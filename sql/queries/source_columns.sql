-- audiences: manager, pcc
-- Whether each contract column was in its file.
select
    table_name,
    column_name,
    in_file
from meta.source_columns
