-- audiences: system
-- The as-of date of the build: the default period of the manager and pcc views ends
-- with its month.
select as_of from meta.build
