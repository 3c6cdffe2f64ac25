package dev.tally.model.metering;

/**
 * How a meter folds events into one quantity per period. COUNT and SUM are additive (see
 * {@link MeterDefinition#contribution}); every aggregation, additive or not, has a mergeable accumulator in
 * {@link dev.tally.model.metering.agg.Accumulators}.
 */
public enum Aggregation {
    /** Number of matching events. */
    COUNT,
    /** Sum of a numeric property; events without it contribute nothing. */
    SUM,
    /** Smallest value of a numeric property; absent (null) when no event carried it. */
    MIN,
    /** Largest value of a numeric property; absent (null) when no event carried it. */
    MAX,
    /** Arithmetic mean of a numeric property: exact sum and count, one division at 12 fractional digits HALF_EVEN. */
    AVG,
    /** Number of distinct values (by exact text) of a property. */
    UNIQUE_COUNT,
    /** Value of the event with the latest timestamp; ties go to the larger event id. */
    LATEST,
    /** Integral of a gauge over the billing period, in value·seconds: each sample holds until the next one. */
    TIME_WEIGHTED_SUM,
    /** A nearest-rank percentile (p in (0, 100], chosen when the accumulator is created) from a 0.5 % log-bucket sketch. */
    PERCENTILE;

    /** True for COUNT and SUM: a period's quantity is the sum of per-event deltas, so a correction subtracts. */
    public boolean additive() {
        return this == COUNT || this == SUM;
    }

    /** True when the meter reads a number from its property (everything but COUNT and UNIQUE_COUNT). */
    public boolean numeric() {
        return this != COUNT && this != UNIQUE_COUNT;
    }
}
