-- Grouped meters: rating publishes one snapshot per group of dimension values ('{}' when ungrouped),
-- each with its own version. A line prices the meter's total: the sum over its groups.
alter table usage_snapshot add column dimensions text not null default '{}';
alter table usage_snapshot drop constraint usage_snapshot_pkey;
alter table usage_snapshot add primary key (tenant_id, customer_id, meter_key, period_start, dimensions);
