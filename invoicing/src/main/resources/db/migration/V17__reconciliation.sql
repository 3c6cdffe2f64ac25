-- Reconciliation runs: an independent recount of usage from a replay of tally.events.accepted,
-- compared with rating's usage snapshots and with what invoices billed, per customer, meter and
-- period. The report (JSON) lists every key with drift and the events the recount counted for it.
create table reconciliation (
    reconciliation_id text        primary key,
    tenant_id         text        not null references tenant,
    period_start      timestamptz,           -- the period reconciled; null: every period the replay holds
    started_at        timestamptz not null,
    finished_at       timestamptz not null,
    records_read      bigint      not null,  -- this tenant's accepted events and corrections replayed
    keys_compared     int         not null,
    drifted           int         not null,  -- keys where rated or invoiced differs from the recount
    triggered_by      text        not null,  -- 'schedule' or who asked
    report            text        not null
);
create index reconciliation_tenant on reconciliation (tenant_id, started_at desc);
