-- audiences: manager, pcc, public
-- The published release: the published indicator rows of the quarter $period.
select * from published.indicator_quarter  -- noqa: AM04
where period = $period
