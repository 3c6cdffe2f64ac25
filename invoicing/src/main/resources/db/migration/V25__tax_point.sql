-- Which instant's tax rate an invoice applies (TaxPoint): the period's end or the finalization (the default, as before).
alter table tenant add column tax_point text not null default 'finalization' check (tax_point in ('period_end', 'finalization'));
