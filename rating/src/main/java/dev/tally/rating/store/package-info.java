/**
 * What rating owns in its schema: the aggregates (period, day, group), non-additive observations, exactly-once
 * bookkeeping (offsets, applied batches), watermarks, limits and alerts, the usage snapshots it relays.
 */
package dev.tally.rating.store;
