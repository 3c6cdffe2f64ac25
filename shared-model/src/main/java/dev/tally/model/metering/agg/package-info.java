/**
 * Mergeable accumulators for every {@link dev.tally.model.metering.Aggregation}.
 *
 * <p>Why: usage is folded on many partitions, in many polls, and re-folded after restarts. An aggregate is only
 * safe to compute that way if partial results combine into the same answer whatever the split and the order.
 * Every accumulator here is an immutable value whose {@code merge} is associative and commutative, and which
 * equals (record equality) the accumulator of the whole stream however the stream was split. Quantities are
 * exact {@link java.math.BigDecimal}s; the only floating point is the percentile sketch's bucket indexing
 * (see {@link dev.tally.model.metering.agg.QuantileSketch}). Nothing here reads the clock or does I/O.
 */
package dev.tally.model.metering.agg;
