-- Webhook endpoints per tenant. secret signs every delivery (HMAC-SHA256, header Tally-Signature); it
-- is shown once when the endpoint is created and never returned or logged afterwards. event_types
-- is a JSON list (e.g. ["alert.threshold_crossed"]).
create table webhook_endpoint (
    tenant_id        text        not null,
    endpoint_id      text        not null,
    url              text        not null,
    secret           text        not null,
    event_types_json text        not null,
    disabled         boolean     not null default false,
    created_at       timestamptz not null default now(),
    primary key (tenant_id, endpoint_id)
);

-- One delivery per (endpoint, event): inserted when the event is consumed (idempotent on the pair,
-- so a re-consumed event is not delivered twice), then attempted until a 2xx answer, with
-- exponential backoff, and given up after the last attempt (status failed, kept for inspection).
create table webhook_delivery (
    delivery_id     bigserial   primary key,
    tenant_id       text        not null,
    endpoint_id     text        not null,
    event_id        text        not null,
    event_type      text        not null,
    payload         text        not null,
    status          text        not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
    attempts        int         not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_status     int,
    last_error      text,
    delivered_at    timestamptz,
    created_at      timestamptz not null default now(),
    unique (tenant_id, endpoint_id, event_id),
    foreign key (tenant_id, endpoint_id) references webhook_endpoint
);
create index webhook_delivery_due on webhook_delivery (next_attempt_at) where status = 'pending';
