-- audiences: manager, pcc
-- The indicator catalogue as built; the caller keeps the columns it shows.
select * from marts.indicator_catalogue  -- noqa: AM04
order by indicator_id
