-- audiences: manager, pcc, public
-- The published release: its one row (when and by which build it was made).
select * from published.release  -- noqa: AM04
