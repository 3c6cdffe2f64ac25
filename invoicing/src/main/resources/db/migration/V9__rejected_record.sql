-- Records invoicing's consumers cannot read (a malformed snapshot or alert): set aside with the reason
-- instead of stalling the partition; the good records around them are applied. Should stay empty.
create table rejected_record (
    topic           text        not null,
    kafka_partition int         not null,
    kafka_offset    bigint      not null,
    reason          text        not null,
    record_value    text,
    rejected_at     timestamptz not null default now(),
    primary key (topic, kafka_partition, kafka_offset)
);
