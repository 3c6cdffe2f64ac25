-- Dedup keys: one row per accepted event, forever unique per (tenant, event id) — never involving
-- the event's timestamp, so a retry with another timestamp or on another day is still a duplicate.
-- Written in the same transaction as the outbox row that carries the event (V1, from the platform).
create table event_key (
    tenant_id   text        not null,
    event_id    text        not null,
    outbox_id   bigint      not null,
    accepted_at timestamptz not null default now(),
    primary key (tenant_id, event_id)
);
