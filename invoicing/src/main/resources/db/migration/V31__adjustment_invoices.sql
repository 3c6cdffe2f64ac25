-- Stand-alone adjustment invoices (issue 19): late usage or a retraction of a customer with no period left to close
-- (every subscription ended, its last period invoiced) is billed or credited on its own invoice, kind 'adjustment',
-- whose lines are the adjustments a next period's invoice would have carried.
alter table invoice drop constraint invoice_kind_check;
alter table invoice add constraint invoice_kind_check check (kind in ('usage', 'purchase', 'progressive', 'adjustment'));
-- the closer looks for customers whose subscriptions have all ended
create index subscription_ended on subscription (tenant_id, end_at) where end_at is not null;
