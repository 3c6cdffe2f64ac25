-- Corrections of accepted events (POST /v1/events/retract and /v1/events/amend): the audit record of
-- who changed what, when and why, and the state an event stands in (its last correction). Written in
-- the same transaction as the outbox row that carries the correction to rating, under a row lock on
-- the event's dedup key, so two corrections of one event are numbered 1, 2, … without gaps or races.
-- previous_json is the event before the correction; current_json after it (null for a retraction).
create table event_correction (
    tenant_id     text        not null,
    event_id      text        not null,
    sequence      int         not null check (sequence > 0),
    kind          text        not null check (kind in ('retract', 'amend')),
    reason        text        not null,
    actor         text        not null,
    previous_json text        not null,
    current_json  text,
    corrected_at  timestamptz not null,
    outbox_id     bigint      not null,
    primary key (tenant_id, event_id, sequence),
    constraint event_correction_current check ((kind = 'retract') = (current_json is null))
);
