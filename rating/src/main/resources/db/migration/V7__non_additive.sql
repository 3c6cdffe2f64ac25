-- Non-additive meters (MIN, MAX, AVG, UNIQUE_COUNT, LATEST, TIME_WEIGHTED_SUM, PERCENTILE).
--
-- state: the shared-model accumulator of the aggregate as JSON, for the aggregations whose state is small
-- and mergeable (MIN, MAX, AVG, LATEST, PERCENTILE: a poll of new events merges into it). Null for COUNT
-- and SUM (quantity is the state), UNIQUE_COUNT (its state is the set of keys: kept as observations below)
-- and TIME_WEIGHTED_SUM (its state is every sample: recomputed from the observations below).
alter table usage_aggregate add column state text;

-- Every event's observation for every non-additive meter it counts in, in the period and group where it
-- counts: what a retraction or amendment recomputes the aggregate from (MAX cannot subtract), what
-- UNIQUE_COUNT checks new keys against, the samples a time-weighted sum integrates, and the usage API's
-- per-day values of these meters. One row per (aggregate, event): applying the same event twice cannot
-- add a second row.
create table usage_observation (
    tenant_id    text        not null,
    customer_id  text        not null,
    meter_key    text        not null,
    period_start timestamptz not null,
    dimensions   text        not null,
    event_id     text        not null,
    observed_at  timestamptz not null, -- event time to the microsecond, for range reads
    observed_nano int        not null, -- its nano-of-second: event times keep nanoseconds, timestamptz does not
    value        numeric,
    key          text,
    primary key (tenant_id, customer_id, meter_key, period_start, dimensions, event_id)
);
create index usage_observation_key on usage_observation (tenant_id, customer_id, meter_key, period_start, dimensions, key)
    where key is not null;
