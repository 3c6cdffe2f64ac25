-- Usage aggregates: one row per (tenant, customer, meter, period), updated by deltas. version grows
-- by one with every change and travels with each published snapshot (consumers keep the highest).
create table usage_aggregate (
    tenant_id    text        not null,
    customer_id  text        not null,
    meter_key    text        not null,
    period_start timestamptz not null,
    period_end   timestamptz not null,
    quantity     numeric     not null,
    event_count  bigint      not null,
    version      bigint      not null,
    updated_at   timestamptz not null default now(),
    primary key (tenant_id, customer_id, meter_key, period_start)
);

-- Kafka offsets of consumed input, stored in the same transaction as the aggregates they produced.
-- On start and after every rebalance the consumer seeks to these, never to Kafka's own commits.
create table consumer_offset (
    topic           text        not null,
    kafka_partition int         not null,
    next_offset     bigint      not null,
    updated_at      timestamptz not null default now(),
    primary key (topic, kafka_partition)
);

-- Highest position applied per (ingest outbox row, partition): a relay that re-publishes a row after
-- a crash produces positions at or below it, and those are dropped.
create table applied_batch (
    topic           text        not null,
    kafka_partition int         not null,
    outbox_id       bigint      not null,
    last_position   int         not null,
    applied_at      timestamptz not null default now(),
    primary key (topic, kafka_partition, outbox_id)
);
