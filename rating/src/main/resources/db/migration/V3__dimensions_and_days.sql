-- Grouped meters: one aggregate per group of dimension values. dimensions is the group as canonical
-- JSON text, names in the meter's group-by order ({"region":"eu"}), and '{}' for an ungrouped meter.
alter table usage_aggregate add column dimensions text not null default '{}';
alter table usage_aggregate drop constraint usage_aggregate_pkey;
alter table usage_aggregate add primary key (tenant_id, customer_id, meter_key, period_start, dimensions);

-- The same deltas per UTC day of event time: the usage API's per-day series, and the per-day
-- quantities an invoice explanation points at. Summing a period's days gives its aggregate (COUNT
-- and SUM are sums), which the usage API test checks.
create table usage_daily (
    tenant_id   text        not null,
    customer_id text        not null,
    meter_key   text        not null,
    day         date        not null,
    dimensions  text        not null,
    quantity    numeric     not null,
    event_count bigint      not null,
    updated_at  timestamptz not null default now(),
    primary key (tenant_id, customer_id, meter_key, day, dimensions)
);
