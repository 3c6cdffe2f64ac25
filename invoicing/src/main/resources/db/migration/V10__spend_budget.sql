-- A customer's spend budget per billing period, in its currency: alert_at_json = percentages of the
-- amount whose crossing (by the period's running amount, priced like the draft) raises one alert each
-- per period. Published on tally.catalog as a LIMIT on the pseudo-meter "$spend"; rating alerts.
create table spend_budget (
    tenant_id     text        not null,
    customer_id   text        not null,
    amount        numeric     not null check (amount > 0),
    alert_at_json text        not null,
    updated_at    timestamptz not null default now(),
    primary key (tenant_id, customer_id),
    foreign key (tenant_id, customer_id) references customer
);
