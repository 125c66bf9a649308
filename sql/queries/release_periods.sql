-- audiences: manager, pcc, public
-- The published release: the release's history of the quarter $period, as published.
select * from published.periods  -- noqa: AM04
where period = $period and status = 'published'
