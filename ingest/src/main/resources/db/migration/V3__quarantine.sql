-- Events that were valid but could not be attributed to a customer (unknown customer or alias, or no
-- customer and no owner of their IP, hostname or API key). Kept, not thrown away: an operator fixes
-- the mapping in the catalog and replays them (POST /v1/quarantine/replay), which accepts them through
-- the normal dedup path and deletes them here in the same transaction. One row per (tenant, event id):
-- a sender retrying a quarantined event does not pile up copies.
create table quarantine (
    tenant_id   text        not null,
    event_id    text        not null,
    reason      text        not null check (reason in ('unknown_customer', 'unattributed')),
    api_key_id  text        not null,
    event_json  text        not null,
    received_at timestamptz not null default now(),
    primary key (tenant_id, event_id)
);
