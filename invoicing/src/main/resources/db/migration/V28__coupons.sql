-- Coupons and subscription discounts (issue 19). A coupon is the tenant's offer (a code: percent or amount off, for N
-- invoices or every one, with an optional redemption limit and redeem-by date); a redemption is a customer's use of it,
-- with the coupon's terms copied when redeemed (archiving or exhausting the coupon later changes no redemption). A
-- discount set directly on a subscription is a redemption without a code. Each invoice that applied a redemption is
-- recorded, so "for N invoices" counts live invoices only: voiding one gives its period back.
create table coupon (
    tenant_id       text        not null,
    code            text        not null check (code ~ '^[A-Z0-9][A-Z0-9_-]{0,39}$'),
    name            text        not null,
    kind            text        not null check (kind in ('percent', 'amount')),
    value           numeric     not null check (value > 0),
    currency        text,                      -- required for an amount
    periods         int         check (periods > 0), -- null: every invoice
    max_redemptions int         check (max_redemptions > 0),
    redeem_by       timestamptz,
    archived_at     timestamptz,
    created_at      timestamptz not null default now(),
    created_by      text        not null,
    primary key (tenant_id, code),
    check ((kind = 'amount') = (currency is not null)),
    check (kind <> 'percent' or value <= 100)
);

create table coupon_redemption (
    tenant_id       text        not null,
    redemption_id   text        not null,
    code            text,                      -- null: a discount set on a subscription
    name            text        not null,
    customer_id     text        not null,
    subscription_id text,                      -- null: every subscription of the customer
    kind            text        not null check (kind in ('percent', 'amount')),
    value           numeric     not null check (value > 0),
    periods         int         check (periods > 0),
    redeemed_at     timestamptz not null,
    redeemed_by     text        not null,
    primary key (tenant_id, redemption_id),
    foreign key (tenant_id, code) references coupon
);
create unique index coupon_redemption_once on coupon_redemption (tenant_id, code, customer_id) where code is not null;
create index coupon_redemption_customer on coupon_redemption (tenant_id, customer_id);

create table coupon_application (
    tenant_id     text    not null,
    redemption_id text    not null,
    invoice_id    text    not null references invoice,
    amount        numeric not null,
    primary key (tenant_id, redemption_id, invoice_id),
    foreign key (tenant_id, redemption_id) references coupon_redemption
);
