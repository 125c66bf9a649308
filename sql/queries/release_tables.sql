-- audiences: manager, pcc, public
-- The published release: the published tables of the quarter $period, one row per cell, in the order written.
select * from published.tables  -- noqa: AM04
where period = $period
