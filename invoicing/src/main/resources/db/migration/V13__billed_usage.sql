-- Usage reaching a finalized period is never dropped: what each live invoice's period has been billed
-- per charged meter so far — the quantity and the amount (its line at finalize, moved by every
-- adjustment since). At each finalize, a customer's earlier periods whose stored usage now differs are
-- billed as adjustment lines on the new invoice: the line as the period's plan version prices the usage
-- now, minus billed_amount, so a period's amounts across live invoices always add up to its usage priced
-- once, whatever the price model.
create table billed_usage (
    tenant_id         text        not null,
    customer_id       text        not null,
    subscription_id   text        not null,
    period_start      timestamptz not null,
    period_end        timestamptz not null,
    meter_key         text        not null,
    invoice_id        text        not null references invoice, -- the period's live invoice
    plan_key          text        not null,
    plan_version      int         not null,
    invoiced_quantity numeric     not null, -- as the period's invoice billed it
    invoiced_amount   numeric     not null,
    quantity          numeric     not null, -- billed so far, adjustments included
    event_count       bigint      not null,
    billed_amount     numeric     not null,
    recheck           boolean     not null, -- an adjustment of this period was voided: bill the difference next time
    primary key (tenant_id, customer_id, subscription_id, period_start, meter_key)
);
