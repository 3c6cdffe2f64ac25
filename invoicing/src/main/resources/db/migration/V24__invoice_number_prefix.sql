-- The console filters invoices by the beginning of their number, case-insensitively: counting the matches reads this
-- index, not every invoice of the tenant.
create index invoice_number_prefix on invoice (tenant_id, lower(number) text_pattern_ops);
