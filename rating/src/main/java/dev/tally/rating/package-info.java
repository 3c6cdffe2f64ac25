/**
 * Rating: consumes accepted events exactly once and folds them into usage aggregates. One Postgres
 * transaction per poll applies the deltas, stores the consumed offsets and the outbox positions
 * seen, and writes the resulting cumulative snapshots to the outbox.
 */
package dev.tally.rating;
