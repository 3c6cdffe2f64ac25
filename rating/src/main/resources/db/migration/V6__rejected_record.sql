-- Records of tally.events.accepted that rating cannot read or rate (malformed JSON, missing headers, an
-- unknown schema, an event without a time): set aside here, with the reason, in the transaction that
-- stores the offset past them — so one bad record cannot stall its partition, and none is silently
-- dropped. Only per-record failures land here; a database or Kafka failure still fails the whole poll,
-- which is retried from the stored offsets.
create table rejected_record (
    topic           text        not null,
    kafka_partition int         not null,
    kafka_offset    bigint      not null,
    reason          text        not null,
    record_value    text,
    rejected_at     timestamptz not null default now(),
    primary key (topic, kafka_partition, kafka_offset)
);
