-- Closing billing periods: rating's watermarks, finalized invoices with gapless numbers, and what
-- each finalized invoice billed per meter (so usage that arrives later becomes an adjustment).

-- Per partition of tally.events.accepted: every event accepted before accepted_before has been rated
-- (WatermarkV1, from the compacted tally.watermarks). The platform's watermark is the least of them.
create table rating_watermark (
    kafka_partition int         primary key,
    accepted_before timestamptz not null,
    updated_at      timestamptz not null default now()
);

-- Per tenant: how long after a period's end (on the watermark) its invoices are finalized, and the
-- prefix of its invoice numbers (default: the tenant id, upper-cased).
alter table tenant add column close_grace interval not null default interval '1 hour';
alter table tenant add column invoice_prefix text;

-- Gapless numbering: the counter row is updated in the transaction that finalizes, so a rollback
-- gives the number back and no number is ever skipped or used twice. One sequence per tenant and year.
create table invoice_counter (
    tenant_id   text   not null references tenant,
    year        int    not null,
    last_number bigint not null,
    primary key (tenant_id, year)
);

create table invoice (
    invoice_id        text        primary key,
    tenant_id         text        not null references tenant,
    customer_id       text        not null,
    subscription_id   text        not null,
    period_start      timestamptz not null,
    period_end        timestamptz not null,
    number            text        not null,
    currency          text        not null,
    total             numeric     not null,
    document          text        not null, -- the finalized invoice as JSON: lines, prices, explanation, usage versions
    status            text        not null check (status in ('finalized', 'paid', 'void')),
    finalized_at      timestamptz not null,
    finalized_by      text        not null, -- 'watermark' or the operator / key that forced the close
    reissue_of        text        references invoice,
    paid_at           timestamptz,
    payment_reference text,
    voided_at         timestamptz,
    voided_by         text,
    void_reason       text,
    unique (tenant_id, number),
    check ((status = 'void') = (voided_at is not null and void_reason is not null and voided_by is not null)),
    check ((status = 'paid') = (paid_at is not null))
);
-- one live (not void) invoice per subscription period
create unique index invoice_live_period on invoice (tenant_id, subscription_id, period_start) where status <> 'void';
create index invoice_customer on invoice (tenant_id, customer_id, period_start);

-- A finalized invoice never changes: only its status moves (finalized → paid | void), with who, when and why.
create function invoice_immutable() returns trigger language plpgsql as $$
begin
    if new.invoice_id <> old.invoice_id or new.tenant_id <> old.tenant_id or new.customer_id <> old.customer_id
       or new.subscription_id <> old.subscription_id or new.period_start <> old.period_start or new.period_end <> old.period_end
       or new.number <> old.number or new.currency <> old.currency or new.total <> old.total or new.document <> old.document
       or new.finalized_at <> old.finalized_at or new.finalized_by <> old.finalized_by
       or new.reissue_of is distinct from old.reissue_of then
        raise exception 'invoice % is finalized: its content cannot change', old.invoice_id;
    end if;
    -- finalized → paid | void, once; a paid or void invoice does not change at all
    if old.status <> 'finalized' or new.status not in ('paid', 'void') then
        raise exception 'invoice % is %: it cannot become %', old.invoice_id, old.status, new.status;
    end if;
    return new;
end $$;
create trigger invoice_immutable before update on invoice for each row execute function invoice_immutable();
create function invoice_kept() returns trigger language plpgsql as $$
begin
    raise exception 'invoice % cannot be deleted: void it instead', old.invoice_id;
end $$;
create trigger invoice_kept before delete on invoice for each row execute function invoice_kept();

-- What the live invoice of each period billed per meter: the quantity over all groups and the sum of
-- the snapshot versions it saw. Usage that reaches a finalized period later shows up as a difference.
create table invoiced_usage (
    invoice_id  text    not null references invoice,
    meter_key   text    not null,
    quantity    numeric not null,
    event_count bigint  not null,
    version     bigint  not null,
    primary key (invoice_id, meter_key)
);
