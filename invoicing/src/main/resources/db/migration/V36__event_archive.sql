-- The event archive (issue 24): tally.events.accepted as Parquet files under the archive root, one directory per
-- tenant and day (the event's own time; a correction also under the day of the version it replaces). A file is part
-- of the archive only once its row is here: the archiver writes the files of a poll first, then in one transaction
-- claims the poll's partitions, inserts the files' rows and saves its next offsets (archive_offset). A crash before
-- that commit leaves files without rows, which readers never see and the janitor deletes.
create table archive_offset (
    topic           text        not null,
    kafka_partition int         not null,
    next_offset     bigint      not null,
    updated_at      timestamptz not null default now(),
    primary key (topic, kafka_partition)
);

create table archive_file (
    path        text        primary key,  -- relative to the archive root: tenant=<id>/day=<yyyy-mm-dd>/<name>.parquet
    tenant_id   text        not null,
    day         date        not null,
    records     int         not null check (records > 0),
    bytes       bigint      not null check (bytes > 0),
    -- the topic partitions and offset ranges whose records it holds, e.g. "3:1200-1399,7:88-90"
    ranges      text        not null,
    created_at  timestamptz not null default now(),
    -- set when compaction merged it into another file: no longer read; deleted from storage after a grace
    replaced_at timestamptz
);
create index archive_file_tenant_day on archive_file (tenant_id, day) where replaced_at is null;

-- how long the archive keeps a tenant's days (default: 13 months, so a year ago's month can still be recounted)
alter table tenant add column archive_retention_days int not null default 395 check (archive_retention_days between 1 and 3660);
