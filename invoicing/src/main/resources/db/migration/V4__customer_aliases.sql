alter table customer add column tax_region text;

-- Everything that attributes traffic to a customer, unique per tenant and kind: its external id and
-- alias external ids (kind external_id), CIDRs in canonical form (kind cidr; nested ranges of other
-- customers are allowed, the longest prefix wins at ingest), API key ids (api_key) and hostnames.
create table customer_alias (
    tenant_id   text not null,
    kind        text not null check (kind in ('external_id', 'cidr', 'api_key', 'hostname')),
    value       text not null,
    customer_id text not null,
    primary key (tenant_id, kind, value),
    foreign key (tenant_id, customer_id) references customer
);
