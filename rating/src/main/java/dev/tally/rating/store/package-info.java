/**
 * What rating owns in its schema: the aggregates (period, day, group), non-additive observations, exactly-once
 * bookkeeping (offsets, applied batches), watermarks, limits and alerts, the usage snapshots it relays. A poll is one
 * transaction ({@code RatingStore}) whose steps each have one owner: bookkeeping, the fold,
 * the aggregates' writes, snapshots (with their pricing), limits, budgets, watermarks.
 */
package dev.tally.rating.store;
