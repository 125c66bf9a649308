-- audiences: manager, pcc
-- The one row of meta.build, every column whichever build wrote it (build id, as-of
-- date, period, price base year, ...).
select * from meta.build  -- noqa: AM04
