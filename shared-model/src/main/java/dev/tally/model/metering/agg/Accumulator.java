package dev.tally.model.metering.agg;

import dev.tally.model.metering.Aggregation;
import java.math.BigDecimal;

/**
 * A partial aggregate of a meter: an immutable value that folds observations in and merges with partial
 * aggregates of other partitions. Guarantees, for every implementation: {@code merge} is associative and
 * commutative (up to record equality, not just numeric value); folding a stream split at any point into two
 * accumulators and merging them equals folding the whole stream; the result does not depend on the order in
 * which observations arrive. Merging different kinds (or different parameters: percentile, period) throws
 * {@link IllegalArgumentException}.
 */
public sealed interface Accumulator permits CountAccumulator, SumAccumulator, MinAccumulator, MaxAccumulator,
        AvgAccumulator, UniqueCountAccumulator, LatestAccumulator, TimeWeightedSumAccumulator, PercentileAccumulator {

    /** Which aggregation this accumulates. */
    Aggregation aggregation();

    /** This accumulator with {@code observation} folded in; {@code this} when the observation does not apply. */
    Accumulator add(Observation observation);

    /**
     * All of {@code observations} folded in; equal to adding them one by one. UNIQUE_COUNT, TIME_WEIGHTED_SUM and
     * PERCENTILE copy their state on every {@link #add}; here they copy it once, so prefer this for batches.
     */
    default Accumulator addAll(Iterable<Observation> observations) {
        Accumulator result = this;
        for (Observation o : observations) {
            result = result.add(o);
        }
        return result;
    }

    /** The accumulator of both streams. Associative and commutative. */
    Accumulator merge(Accumulator other);

    /**
     * The aggregate. Empty accumulators give {@code 0} for COUNT, SUM, UNIQUE_COUNT and TIME_WEIGHTED_SUM, and
     * {@code null} (no value) for MIN, MAX, AVG, LATEST and PERCENTILE.
     */
    BigDecimal value();

    /** How many observations were folded in (those the aggregation ignores, e.g. without a value, are not). */
    long count();

    /** Whether nothing was folded in. */
    default boolean isEmpty() {
        return count() == 0;
    }
}
