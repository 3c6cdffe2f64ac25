-- Outbox rows live for minutes (relayed, then deleted after tally.outbox.retention): compressing
-- their payload arrays only costs CPU on the hot path, so they are stored out of line uncompressed.
alter table outbox alter column payloads set storage external;
alter table outbox alter column keys set storage external;
alter table outbox alter column traceparents set storage external;
