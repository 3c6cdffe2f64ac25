-- The console lists a tenant's invoices newest period first, paged (GET /v1/invoices): an index in that order keeps a
-- page cheap with 100k invoices and more.
create index invoice_tenant_period on invoice (tenant_id, period_start desc, finalized_at desc);
