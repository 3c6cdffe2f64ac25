-- Prepaid credit grants per customer, burnt down by finalized invoices in the documented order
-- (shared-model Credits), and their ledger: every movement with the balance after it.
create table credit_grant (
    tenant_id    text        not null references tenant,
    grant_id     text        not null,
    customer_id  text        not null,
    currency     text        not null,
    amount       numeric     not null check (amount > 0),
    remaining    numeric     not null check (remaining >= 0 and remaining <= amount),
    priority     int         not null,
    effective_at timestamptz not null,
    expires_at   timestamptz,
    reason       text        not null,
    created_by   text        not null,
    created_at   timestamptz not null default now(),
    primary key (tenant_id, grant_id)
);
create index credit_grant_customer on credit_grant (tenant_id, customer_id);

create table credit_ledger (
    entry_id      bigserial   primary key,
    tenant_id     text        not null,
    customer_id   text        not null,
    grant_id      text        not null,
    kind          text        not null check (kind in ('GRANTED', 'APPLIED', 'RESTORED')),
    amount        numeric     not null,
    balance_after numeric     not null,
    invoice_id    text,
    reason        text        not null,
    at            timestamptz not null default now(),
    foreign key (tenant_id, grant_id) references credit_grant
);
create index credit_ledger_customer on credit_ledger (tenant_id, customer_id, entry_id);
create index credit_ledger_invoice on credit_ledger (invoice_id) where invoice_id is not null;
