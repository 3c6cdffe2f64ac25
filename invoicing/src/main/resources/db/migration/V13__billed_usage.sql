-- Usage reaching a finalized period is never dropped: what each live invoice's period has been billed
-- per charged meter so far (its quantity at finalize, moved by every adjustment since). At each
-- finalize, a customer's earlier periods whose stored usage now differs from this are billed as
-- adjustment lines on the new invoice, priced with the plan version of the period's invoice.
create table billed_usage (
    tenant_id       text        not null,
    customer_id     text        not null,
    subscription_id text        not null,
    period_start    timestamptz not null,
    period_end      timestamptz not null,
    meter_key       text        not null,
    invoice_id      text        not null references invoice, -- the period's live invoice
    plan_key        text        not null,
    plan_version    int         not null,
    quantity        numeric     not null,
    event_count     bigint      not null,
    primary key (tenant_id, customer_id, subscription_id, period_start, meter_key)
);
