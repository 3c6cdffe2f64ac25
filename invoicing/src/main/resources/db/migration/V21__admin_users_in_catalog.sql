-- Admin users now act in a tenant at ingest and rating too (the console), so those services learn them from the catalog
-- topic (CatalogRecordV1 kind ADMIN_USER: the token's SHA-256 and the role, never the token). Users created before this
-- version are announced once here, through the outbox like every catalog change; later changes by AdminResource.
insert into outbox (topic, schema_name, keys, payloads, traceparents)
select 'tally.catalog', 'CatalogRecordV1',
       array_agg('ADMIN_USER/platform/' || user_id order by user_id),
       array_agg(json_build_object('kind', 'ADMIN_USER', 'adminUser', json_build_object(
           'userId', user_id, 'sha256', sha256, 'role', role, 'disabled', disabled_at is not null))::text order by user_id),
       array_agg(''::text order by user_id)
from admin_user
having count(*) > 0;
