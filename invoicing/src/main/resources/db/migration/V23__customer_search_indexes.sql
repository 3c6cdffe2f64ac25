-- The console finds customers by a prefix of their external id or of an alias, and by IP address (issue 16: p95 under
-- 300 ms with 100k customers). Prefix LIKE on lower(...) needs text_pattern_ops; "which range holds this address" needs
-- a GiST index on the ranges. A name's middle is searched by a scan of the tenant's customers (≈ 40 ms per 100k).
create index customer_external_id_prefix on customer (tenant_id, lower(external_id) text_pattern_ops);
create index customer_alias_value_prefix on customer_alias (tenant_id, lower(value) text_pattern_ops)
    where kind in ('external_id', 'hostname', 'api_key');
create index customer_alias_customer on customer_alias (tenant_id, customer_id);
create index customer_alias_cidr on customer_alias using gist ((value::cidr) inet_ops) where kind = 'cidr';
