-- Limit threshold crossings already announced: one row per (customer, meter, period, percent), written
-- in the same transaction as the usage that crossed it and the AlertV1 outbox record, so each
-- crossing is announced exactly once even if usage falls back (a retraction) and rises again.
create table alert_sent (
    tenant_id    text        not null,
    customer_id  text        not null,
    meter_key    text        not null,
    period_start timestamptz not null,
    percent      int         not null,
    quantity     numeric     not null,
    sent_at      timestamptz not null default now(),
    primary key (tenant_id, customer_id, meter_key, period_start, percent)
);
