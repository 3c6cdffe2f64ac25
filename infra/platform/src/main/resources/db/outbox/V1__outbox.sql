-- The transactional outbox, one per service schema (this file is the only copy; every service adds
-- classpath:db/outbox to its Flyway locations). A row is written in the same transaction as the
-- business change it announces; the relay publishes it to Kafka and marks it. Keys, payloads and
-- trace contexts are parallel arrays: one row can carry a whole accepted batch.
-- No tenant_id column: a row may carry records of several tenants (rating's per-poll snapshots);
-- every payload names its tenant.
create table outbox (
    id           bigserial   primary key,
    topic        text        not null,
    schema_name  text        not null,
    keys         text[]      not null,
    payloads     text[]      not null,
    traceparents text[]      not null,
    created_at   timestamptz not null default now(),
    published_at timestamptz,
    constraint outbox_arrays_align check (cardinality(keys) = cardinality(payloads)
        and cardinality(keys) = cardinality(traceparents))
);
create index outbox_unpublished on outbox (id) where published_at is null;
