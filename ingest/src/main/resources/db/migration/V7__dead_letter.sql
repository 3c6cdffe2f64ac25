-- Records of the Kafka intake that could not be taken as events (issue 16: the console lists them): kept here as well as
-- published on tally.events.dead, in the same transaction. tenant_id is null when the record's API key was unknown —
-- such a record belongs to no tenant, and only the topic has it for the platform's operators.
create table dead_letter (
    tenant_id       text,
    dead_letter_id  bigserial   primary key,
    code            text        not null,
    field           text,
    message         text        not null,
    source_topic    text        not null,
    kafka_partition int         not null,
    kafka_offset    bigint      not null,
    key_id          text,
    value           text,
    at              timestamptz not null
);
create index dead_letter_tenant on dead_letter (tenant_id, dead_letter_id desc) where tenant_id is not null;
