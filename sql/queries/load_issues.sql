-- audiences: manager, pcc
-- Quarantine and mapping counts by file, rule and column (counts and rule ids only).
select
    table_name,
    file_name,
    kind,
    rule,
    column_name,
    rows
from meta.load_issues
order by kind, table_name, rule, column_name
