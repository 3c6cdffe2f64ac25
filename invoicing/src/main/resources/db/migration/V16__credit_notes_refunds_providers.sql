-- Credit notes, refunds and payment providers.

-- Credit notes are numbered in their own gapless series per tenant and year (PREFIX-CN-YYYY-NNNNNN),
-- next to the invoices' series ('INV').
alter table invoice_counter add column series text not null default 'INV';
alter table invoice_counter drop constraint invoice_counter_pkey;
alter table invoice_counter add primary key (tenant_id, series, year);

-- Per tenant: automated credit notes (rules: an SLA credit, an overcharge found by reconciliation) whose
-- total is above this amount wait for a finance approval; null = every automated credit note waits.
alter table tenant add column credit_note_approval_threshold numeric check (credit_note_approval_threshold >= 0);

-- A credit note against a finalized or paid invoice: per line (or the whole invoice), with a reason.
-- Its total is settled once, when it is issued, in this order: against the invoice's amount still due
-- (applied_to_due), then refunded through the payment provider up to what the customer paid and was not
-- refunded yet (refunded), and the rest — what prepaid credit had covered — back as a credit grant
-- (credited). applied_to_due + refunded + credited = total. A pending note (waiting for approval) has no
-- number and no settlement yet, but reserves its amounts on the invoice's lines.
create table credit_note (
    credit_note_id  text        primary key,
    tenant_id       text        not null references tenant,
    invoice_id      text        not null references invoice,
    customer_id     text        not null,
    number          text,
    currency        text        not null,
    subtotal        numeric     not null check (subtotal > 0),
    tax             numeric     not null check (tax >= 0),
    total           numeric     not null check (total > 0),
    document        text        not null, -- lines credited, tax, reason, source
    reason          text        not null,
    source          text        not null, -- 'manual', or the rule: 'rule:sla', 'rule:reconciliation'
    settle_to       text        not null check (settle_to in ('refund', 'credit')),
    status          text        not null check (status in ('pending_approval', 'issued', 'rejected')),
    applied_to_due  numeric,
    refunded        numeric,
    credited        numeric,
    created_by      text        not null,
    created_at      timestamptz not null,
    decided_by      text,
    decided_at      timestamptz,
    decision_note   text,
    issued_at       timestamptz,
    unique (tenant_id, number),
    check ((status = 'issued') = (number is not null and issued_at is not null and applied_to_due is not null
                                  and refunded is not null and credited is not null)),
    check (status <> 'issued' or applied_to_due + refunded + credited = total)
);
create index credit_note_invoice on credit_note (tenant_id, invoice_id);
create index credit_note_pending on credit_note (tenant_id) where status = 'pending_approval';

-- An issued credit note never changes; a pending one is issued or rejected, once.
create function credit_note_immutable() returns trigger language plpgsql as $$
begin
    if old.status <> 'pending_approval' or new.status not in ('issued', 'rejected')
       or new.credit_note_id <> old.credit_note_id or new.tenant_id <> old.tenant_id or new.invoice_id <> old.invoice_id
       or new.total <> old.total or new.subtotal <> old.subtotal or new.tax <> old.tax or new.document <> old.document
       or new.settle_to <> old.settle_to or new.created_by <> old.created_by then
        raise exception 'credit note % is %: it cannot change', old.credit_note_id, old.status;
    end if;
    return new;
end $$;
create trigger credit_note_immutable before update on credit_note for each row execute function credit_note_immutable();
create function credit_note_kept() returns trigger language plpgsql as $$
begin
    raise exception 'credit note % cannot be deleted', old.credit_note_id;
end $$;
create trigger credit_note_kept before delete on credit_note for each row execute function credit_note_kept();

-- Money back to the customer through the tenant's payment provider, one per credit note that refunds.
-- Written with the credit note; the provider is called afterwards by the provider jobs (below) with
-- the refund id as idempotency key, so a retried call never refunds twice.
create table refund (
    refund_id          text        primary key,
    tenant_id          text        not null references tenant,
    customer_id        text        not null,
    invoice_id         text        not null references invoice,
    credit_note_id     text        not null unique references credit_note,
    currency           text        not null,
    amount             numeric     not null check (amount > 0),
    provider           text        not null,
    status             text        not null check (status in ('pending', 'succeeded', 'failed')),
    provider_refund_id text,
    failure            text,
    created_at         timestamptz not null,
    updated_at         timestamptz not null
);
create index refund_invoice on refund (tenant_id, invoice_id);

-- The tenant's payment provider: 'offline' (the default when there is no row: payments and refunds are
-- recorded by hand) or 'stripe'. The secrets are never returned by the API nor logged.
create table payment_provider (
    tenant_id      text        primary key references tenant,
    provider       text        not null check (provider in ('offline', 'stripe')),
    api_key        text,
    webhook_secret text,
    updated_by     text        not null,
    updated_at     timestamptz not null,
    check (provider = 'offline' or (api_key is not null and webhook_secret is not null))
);

-- The provider's ids for Tally's customers and invoices (a Stripe customer, a Stripe invoice).
create table provider_ref (
    tenant_id   text not null,
    provider    text not null,
    kind        text not null check (kind in ('customer', 'invoice')),
    tally_id    text not null,
    provider_id text not null,
    primary key (tenant_id, provider, kind, tally_id)
);

-- Calls to the payment provider, written in the transaction that decides them (an outbox for the
-- provider) and made afterwards, retried with backoff under a fixed idempotency key.
create table provider_job (
    job_id          bigserial   primary key,
    tenant_id       text        not null,
    provider        text        not null,
    kind            text        not null check (kind in ('push_invoice', 'refund')),
    ref_id          text        not null, -- the invoice or the refund
    idempotency_key text        not null,
    status          text        not null default 'pending' check (status in ('pending', 'done', 'failed')),
    attempts        int         not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_error      text,
    done_at         timestamptz,
    created_at      timestamptz not null default now(),
    unique (tenant_id, kind, ref_id)
);
create index provider_job_due on provider_job (next_attempt_at) where status = 'pending';

-- Provider webhooks already handled (Stripe may deliver an event more than once).
create table provider_event (
    tenant_id   text        not null,
    provider    text        not null,
    event_id    text        not null,
    event_type  text        not null,
    received_at timestamptz not null default now(),
    primary key (tenant_id, provider, event_id)
);
