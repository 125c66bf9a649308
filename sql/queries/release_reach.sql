-- audiences: manager, pcc, public
-- The published release: the published reach rows of the quarter $period.
select * from published.equity_reach  -- noqa: AM04
where period = $period
order by characteristic, basis
