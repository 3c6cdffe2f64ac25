-- Purchased vs promotional credit (issue 19). A purchased grant — a prepaid commitment, a top-up — is invoiced: its
-- price (what the customer pays; the amount of credit may be more) in instalments due at equal steps over its term,
-- each instalment invoiced once it is due (a purchase invoice: no usage period, one line). Usage invoices draw the
-- grant down like any credit, and say which credit was purchased and which was given.
alter table credit_grant add column funding text not null default 'promotional' check (funding in ('promotional', 'purchased'));
alter table credit_grant add column price numeric check (price >= 0);
alter table credit_grant add constraint credit_grant_price_purchased check ((price is not null) = (funding = 'purchased'));

create table credit_purchase_instalment (
    tenant_id  text        not null,
    grant_id   text        not null,
    seq        int         not null check (seq > 0),
    due_at     timestamptz not null,
    amount     numeric     not null check (amount >= 0),
    invoice_id text        references invoice,
    primary key (tenant_id, grant_id, seq),
    foreign key (tenant_id, grant_id) references credit_grant
);
create index credit_purchase_due on credit_purchase_instalment (due_at) where invoice_id is null;

alter table invoice add column kind text not null default 'usage' check (kind in ('usage', 'purchase'));
alter table invoice alter column subscription_id drop not null;
alter table invoice add constraint invoice_kind_subscription check ((kind = 'usage') = (subscription_id is not null));
drop index invoice_live_period;
-- one live (not void) usage invoice per subscription period; purchases are many
create unique index invoice_live_period on invoice (tenant_id, subscription_id, period_start) where status <> 'void' and kind = 'usage';
