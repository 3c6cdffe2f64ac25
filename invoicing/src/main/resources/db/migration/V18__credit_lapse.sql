-- Credit that expires unused lapses: its balance goes to zero with a LAPSED ledger entry, so the
-- ledger alone explains every balance (granted − applied + restored − lapsed).
alter table credit_ledger drop constraint credit_ledger_kind_check;
alter table credit_ledger add constraint credit_ledger_kind_check check (kind in ('GRANTED', 'APPLIED', 'RESTORED', 'LAPSED'));
create index credit_grant_expiring on credit_grant (expires_at) where remaining > 0 and expires_at is not null;
