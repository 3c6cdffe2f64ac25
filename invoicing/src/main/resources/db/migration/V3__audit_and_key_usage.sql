-- When a key last authenticated a request to invoicing (updated at most once a minute per key).
alter table api_key add column last_used_at timestamptz;

-- Append-only, hash-chained audit trail of catalog changes, per tenant (shared-model AuditChain).
-- before/after are the JSON text exactly as hashed. Appends take a per-tenant advisory lock so the
-- chain is linear; nothing in the service updates or deletes these rows.
create table audit_log (
    tenant_id   text        not null,
    seq         bigint      not null,
    at          timestamptz not null,
    actor       text        not null,
    entity_type text        not null,
    entity_id   text        not null,
    action      text        not null,
    before_json text,
    after_json  text,
    prev_hash   char(64)    not null,
    hash        char(64)    not null,
    primary key (tenant_id, seq)
);
create index audit_log_entity on audit_log (tenant_id, entity_type, entity_id, seq);
