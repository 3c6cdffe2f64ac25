-- The highest acceptance marker rating has consumed per partition of tally.events.accepted, in the
-- same transaction as the records before it: "everything accepted before accepted_before that went
-- to this partition is rated". Published as WatermarkV1 on tally.watermarks through the outbox.
create table partition_watermark (
    topic           text        not null,
    kafka_partition int         not null,
    accepted_before timestamptz not null,
    updated_at      timestamptz not null default now(),
    primary key (topic, kafka_partition)
);
