-- audiences: public
-- The one row of the published release's build (build id, as-of date, period, ...).
select * from published.build  -- noqa: AM04
