package dev.tally.model.metering;

/** How a meter folds events into one quantity per period. More aggregations arrive with the pricing work. */
public enum Aggregation {
    /** Number of matching events. */
    COUNT,
    /** Sum of a numeric property; events without it contribute nothing. */
    SUM
}
