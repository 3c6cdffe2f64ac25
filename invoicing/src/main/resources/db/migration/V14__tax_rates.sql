-- Tax rates per tenant and tax region (the customer's tax_region): inclusive (the invoice's amounts
-- already hold the tax) or exclusive (it comes on top). The rate applied is copied onto each invoice,
-- so changing a rate never changes a finalized invoice.
create table tax_rate (
    tenant_id    text         not null references tenant,
    region       text         not null,
    name         text         not null,
    rate_percent numeric(7,4) not null check (rate_percent >= 0 and rate_percent <= 100),
    inclusive    boolean      not null,
    updated_at   timestamptz  not null default now(),
    primary key (tenant_id, region)
);
