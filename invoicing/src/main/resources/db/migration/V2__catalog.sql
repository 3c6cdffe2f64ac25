-- Catalog of record. invoicing owns these tables; other services learn about them only through the
-- compacted tally.catalog topic (written via the outbox). Every table leads with tenant_id and every
-- query names it.
create table tenant (
    tenant_id  text        primary key,
    name       text        not null,
    created_at timestamptz not null default now()
);

create table api_key (
    tenant_id    text        not null references tenant,
    key_id       text        primary key,
    sha256       text        not null unique,
    scope        text        not null check (scope in ('ingest', 'read', 'admin')),
    created_at   timestamptz not null default now(),
    revoked_at   timestamptz
);

create table meter (
    tenant_id   text        not null references tenant,
    meter_key   text        not null,
    event_type  text        not null,
    aggregation text        not null check (aggregation in ('COUNT', 'SUM')),
    property    text,
    created_at  timestamptz not null default now(),
    primary key (tenant_id, meter_key)
);

create table plan (
    tenant_id  text        not null references tenant,
    plan_key   text        not null,
    name       text        not null,
    currency   char(3)     not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, plan_key)
);

-- unit_price is a high-scale exact decimal (up to 12 fractional digits): $0.0000025 per event is exact.
create table plan_charge (
    tenant_id   text           not null,
    plan_key    text           not null,
    meter_key   text           not null,
    description text           not null,
    unit_price  numeric(30, 12) not null check (unit_price >= 0),
    currency    char(3)        not null,
    primary key (tenant_id, plan_key, meter_key),
    foreign key (tenant_id, plan_key) references plan,
    foreign key (tenant_id, meter_key) references meter
);

create table customer (
    tenant_id     text        not null references tenant,
    customer_id   text        not null,
    external_id   text        not null,
    name          text        not null,
    currency      char(3)     not null,
    billing_email text,
    plan_key      text        not null,
    created_at    timestamptz not null default now(),
    primary key (tenant_id, customer_id),
    unique (tenant_id, external_id),
    foreign key (tenant_id, plan_key) references plan
);

-- Latest cumulative usage per (customer, meter, period) as published by rating; a snapshot replaces
-- the stored one only when its version is higher, so duplicates and reordering change nothing.
create table usage_snapshot (
    tenant_id    text        not null,
    customer_id  text        not null,
    meter_key    text        not null,
    period_start timestamptz not null,
    period_end   timestamptz not null,
    quantity     numeric     not null,
    event_count  bigint      not null,
    version      bigint      not null,
    received_at  timestamptz not null default now(),
    primary key (tenant_id, customer_id, meter_key, period_start)
);
