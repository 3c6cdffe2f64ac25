-- Usage export to Stripe Billing meters (issue 21): for a tenant that bills in Stripe and meters with Tally, each
-- exported meter's usage per customer and period is sent to a Stripe meter (aggregation `sum`) as meter events
-- whose values add up to the period's whole quantity.

-- which of the tenant's meters go to which Stripe meter (by the meter's event name)
create table usage_export_meter (
    tenant_id         text        not null,
    meter_key         text        not null,
    stripe_event_name text        not null,
    created_at        timestamptz not null default now(),
    created_by        text        not null,
    primary key (tenant_id, meter_key)
);

-- what Stripe has summed per (customer, meter, period): `exported` is acknowledged by Stripe. A send is written
-- here as an intent (`pending_*`) before it is made, and the same intent (same identifier, same value) is sent
-- again until Stripe acknowledges it: a crash between the call and the record re-sends the identical event, which
-- Stripe takes once (identifier and idempotency key), never a second delta.
create table usage_export_state (
    tenant_id          text        not null,
    customer_id        text        not null,
    meter_key          text        not null,
    period_start       timestamptz not null,
    exported           numeric     not null default 0,
    events_sent        int         not null default 0,
    pending_identifier text,
    pending_value      numeric,
    pending_timestamp  bigint,
    last_sent_at       timestamptz,
    primary key (tenant_id, customer_id, meter_key, period_start)
);

alter table provider_job drop constraint provider_job_kind_check;
alter table provider_job add constraint provider_job_kind_check
    check (kind in ('push_invoice', 'refund', 'sync_invoice', 'export_usage'));
