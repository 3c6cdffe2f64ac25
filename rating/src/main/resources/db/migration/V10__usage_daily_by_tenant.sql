-- The tenant's usage trend (GET /v1/usage/daily): a meter's daily rows over all customers, by day.
create index usage_daily_tenant_meter_day on usage_daily (tenant_id, meter_key, day);
