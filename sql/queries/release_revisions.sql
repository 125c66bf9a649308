-- audiences: manager, pcc, public
-- The published release: the revisions of the quarter $period, oldest first.
select * from published.revisions  -- noqa: AM04
where period = $period
order by revised_at
