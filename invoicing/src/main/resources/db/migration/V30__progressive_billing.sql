-- Progressive (threshold) billing (issue 19): a customer's threshold per billing period; once its usage charges to
-- date reach it above what progressive invoices of the period billed, a progressive invoice bills them, and the
-- period's usage invoice deducts every live one.
create table billing_threshold (
    tenant_id   text        not null,
    customer_id text        not null,
    amount      numeric     not null check (amount > 0),
    updated_at  timestamptz not null default now(),
    primary key (tenant_id, customer_id)
);

alter table invoice drop constraint invoice_kind_check;
alter table invoice add constraint invoice_kind_check check (kind in ('usage', 'purchase', 'progressive'));
alter table invoice drop constraint invoice_kind_subscription;
alter table invoice add constraint invoice_kind_subscription check ((kind = 'purchase') = (subscription_id is null));
create index invoice_progressive on invoice (tenant_id, subscription_id, period_start) where kind = 'progressive' and status <> 'void';
