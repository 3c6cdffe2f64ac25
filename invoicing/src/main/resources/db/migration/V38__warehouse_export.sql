-- The warehouse export (docs/finance.md): per tenant and UTC day, Parquet files of the billing facts of that day
-- (invoices, their lines, status changes, credit notes) and a manifest naming them. The row is written after every
-- file and the manifest are in place, in one transaction: a day is exported exactly when its row exists.
create table warehouse_export (
    tenant_id   text        not null references tenant,
    day         date        not null,
    manifest    text        not null, -- the manifest's path under TALLY_WAREHOUSE_DIR
    files       jsonb       not null, -- [{table, path, rows, sha256}]
    exported_at timestamptz not null,
    exported_by text        not null, -- 'schedule' or who re-ran it
    primary key (tenant_id, day)
);
