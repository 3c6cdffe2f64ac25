-- Meters: filters (JSON list of {property, op, values}) and group-by dimensions (JSON list), as sent
-- and validated by shared-model FilterSpec; a description for people.
alter table meter add column filters_json  text not null default '[]';
alter table meter add column group_by_json text not null default '[]';
alter table meter add column description   text;

-- Plan versions. plan keeps the family (key, name, currency); each version holds a whole PlanSpec
-- document. A published version is immutable: the service refuses edits, and a trigger refuses them
-- too, so not even a bug can reprice history.
create table plan_version (
    tenant_id    text        not null,
    plan_key     text        not null,
    version      int         not null check (version > 0),
    status       text        not null check (status in ('draft', 'published')),
    spec_json    text        not null,
    created_at   timestamptz not null default now(),
    published_at timestamptz,
    primary key (tenant_id, plan_key, version),
    foreign key (tenant_id, plan_key) references plan
);

-- Which meters a version charges: the database keeps a plan from naming a missing meter.
create table plan_version_meter (
    tenant_id text not null,
    plan_key  text not null,
    version   int  not null,
    meter_key text not null,
    primary key (tenant_id, plan_key, version, meter_key),
    foreign key (tenant_id, plan_key, version) references plan_version on delete cascade,
    foreign key (tenant_id, meter_key) references meter
);

create function plan_version_frozen() returns trigger language plpgsql as $$
begin
    if old.status = 'published' then
        raise exception 'plan % version % is published and cannot change', old.plan_key, old.version
            using errcode = 'integrity_constraint_violation';
    end if;
    return case when tg_op = 'DELETE' then old else new end;
end $$;
create trigger plan_version_frozen before update or delete on plan_version
    for each row execute function plan_version_frozen();

-- The skeleton's per-unit charges become version 1 of each plan, published.
insert into plan_version (tenant_id, plan_key, version, status, spec_json, created_at, published_at)
select p.tenant_id, p.plan_key, 1, 'published',
       jsonb_build_object('schemaVersion', 1, 'key', p.plan_key, 'name', p.name, 'currency', p.currency,
           'charges', coalesce((select jsonb_agg(jsonb_build_object('meter', c.meter_key, 'description', c.description,
                                    'price', jsonb_build_object('model', 'per_unit', 'unitPrice', c.unit_price::text))
                                    order by c.meter_key)
                                from plan_charge c where c.tenant_id = p.tenant_id and c.plan_key = p.plan_key), '[]'::jsonb))::text,
       p.created_at, p.created_at
from plan p;
insert into plan_version_meter (tenant_id, plan_key, version, meter_key)
select tenant_id, plan_key, 1, meter_key from plan_charge;
drop table plan_charge;

-- Subscriptions: a customer's plan over time. Phases say which plan version is in force from when;
-- a customer's subscriptions never overlap (checked by the service under a per-customer lock).
create table subscription (
    tenant_id       text        not null,
    subscription_id text        not null,
    customer_id     text        not null,
    start_at        timestamptz not null,
    end_at          timestamptz,
    cycle_interval  text        not null check (cycle_interval in ('MONTHLY', 'ANNUAL')),
    anchor_day      int         not null check (anchor_day between 1 and 31),
    anchor_month    int         not null check (anchor_month between 1 and 12),
    trial_end       timestamptz,
    created_at      timestamptz not null default now(),
    primary key (tenant_id, subscription_id),
    foreign key (tenant_id, customer_id) references customer,
    check (end_at is null or end_at > start_at)
);
create index subscription_customer on subscription (tenant_id, customer_id);

create table plan_migration (
    tenant_id    text        not null,
    migration_id text        not null,
    plan_key     text        not null,
    to_version   int         not null,
    effective_at timestamptz not null,
    created_at   timestamptz not null default now(),
    actor        text        not null,
    primary key (tenant_id, migration_id),
    foreign key (tenant_id, plan_key, to_version) references plan_version
);

create table subscription_phase (
    tenant_id       text        not null,
    subscription_id text        not null,
    effective_at    timestamptz not null,
    plan_key        text        not null,
    plan_version    int         not null,
    reason          text        not null check (reason in ('START', 'CHANGE', 'MIGRATION')),
    migration_id    text,
    primary key (tenant_id, subscription_id, effective_at),
    foreign key (tenant_id, subscription_id) references subscription on delete cascade,
    foreign key (tenant_id, plan_key, plan_version) references plan_version,
    foreign key (tenant_id, migration_id) references plan_migration
);
create index subscription_phase_plan on subscription_phase (tenant_id, plan_key);

-- The skeleton's customer.plan_key becomes a calendar-month subscription from the customer's creation.
insert into subscription (tenant_id, subscription_id, customer_id, start_at, cycle_interval, anchor_day, anchor_month, created_at)
select tenant_id, 'sub_' || substr(md5(tenant_id || '/' || customer_id), 1, 16), customer_id, created_at, 'MONTHLY', 1, 1, created_at
from customer;
insert into subscription_phase (tenant_id, subscription_id, effective_at, plan_key, plan_version, reason)
select c.tenant_id, 'sub_' || substr(md5(c.tenant_id || '/' || c.customer_id), 1, 16), c.created_at, c.plan_key, 1, 'START'
from customer c;
alter table customer drop column plan_key;

-- Operators' own accounts (the admin UI's users). Tokens are random, shown once, stored as SHA-256.
-- viewer reads everything; operator also changes tenants and users; finance also moves money
-- (void, credit notes, refunds: issue 7).
create table admin_user (
    user_id     text        primary key,
    email       text        not null unique,
    role        text        not null check (role in ('viewer', 'operator', 'finance')),
    sha256      text        not null unique,
    created_at  timestamptz not null default now(),
    created_by  text        not null,
    disabled_at timestamptz,
    last_used_at timestamptz
);
