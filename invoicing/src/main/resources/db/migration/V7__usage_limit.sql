-- A customer's limit on a meter per billing period (entitlements): limit_quantity in the meter's unit,
-- hard = usage at the limit is blocked, alert_at_json = percentages of the limit that raise one alert
-- each per period. Published on tally.catalog (kind LIMIT); rating enforces and alerts.
create table usage_limit (
    tenant_id      text        not null,
    customer_id    text        not null,
    meter_key      text        not null,
    limit_quantity numeric     not null check (limit_quantity > 0),
    hard           boolean     not null,
    alert_at_json  text        not null,
    updated_at     timestamptz not null default now(),
    primary key (tenant_id, customer_id, meter_key),
    foreign key (tenant_id, customer_id) references customer,
    foreign key (tenant_id, meter_key) references meter
);
