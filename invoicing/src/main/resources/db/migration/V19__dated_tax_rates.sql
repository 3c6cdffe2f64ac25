-- Tax rates change at a date: each row holds from effective_from on, until the region's next row.
-- A rate set without a date holds from the moment it is set; rows already here hold from the start.
alter table tax_rate add column effective_from timestamptz not null default '-infinity';
alter table tax_rate drop constraint tax_rate_pkey;
alter table tax_rate add primary key (tenant_id, region, effective_from);
