-- audiences: manager, pcc
-- Per file of the last build: rows read, loaded and quarantined.
select
    table_name,
    file_name,
    rows_read,
    rows_loaded,
    rows_quarantined
from meta.load_report
order by table_name, file_name
