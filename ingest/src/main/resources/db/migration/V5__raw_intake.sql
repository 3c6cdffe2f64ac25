-- Positions in tally.events.raw, stored in the same transaction as the dedup keys, outbox rows,
-- quarantine rows and dead letters that records produced: the intake seeks here on start and after
-- any failure, so a crash repeats nothing and loses nothing.
create table intake_offset (
    topic           text        not null,
    kafka_partition int         not null,
    next_offset     bigint      not null,
    updated_at      timestamptz not null default now(),
    primary key (topic, kafka_partition)
);
