-- audiences: public
-- The indicator catalogue of the published release; the caller keeps the columns it
-- shows.
select * from published.catalogue  -- noqa: AM04
order by indicator_id
