-- Finance's revenue (GET /v1/finance/revenue, docs/finance.md) sums a tenant's invoices by the month they were finalized.
create index invoice_tenant_finalized on invoice (tenant_id, finalized_at);
