package dev.tally.model.metering.agg;

import dev.tally.model.metering.Aggregation;
import java.math.BigDecimal;
import java.util.Objects;

/** COUNT: how many observations, whatever their value. Constant memory; merge adds. Empty → 0. */
public record CountAccumulator(long count) implements Accumulator {
    public static final CountAccumulator EMPTY = new CountAccumulator(0);

    public CountAccumulator {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
    }

    @Override
    public Aggregation aggregation() {
        return Aggregation.COUNT;
    }

    @Override
    public CountAccumulator add(Observation observation) {
        Objects.requireNonNull(observation, "observation");
        return new CountAccumulator(Math.addExact(count, 1));
    }

    @Override
    public CountAccumulator merge(Accumulator other) {
        return new CountAccumulator(Math.addExact(count, Ordering.sameKind(this, other, CountAccumulator.class).count));
    }

    @Override
    public BigDecimal value() {
        return BigDecimal.valueOf(count);
    }
}
