-- audiences: system
-- The build id and build time of the warehouse file: the key of the app's caches.
select
    build_id,
    built_at
from meta.build
