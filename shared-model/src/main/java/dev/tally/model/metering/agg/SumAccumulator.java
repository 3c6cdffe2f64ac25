package dev.tally.model.metering.agg;

import dev.tally.model.metering.Aggregation;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * SUM: exact sum of the values; observations without a value are ignored. Constant memory (the sum's digits);
 * merge adds, which for {@link BigDecimal} is exactly associative and commutative, scale included. Empty → 0.
 */
public record SumAccumulator(BigDecimal sum, long count) implements Accumulator {
    public static final SumAccumulator EMPTY = new SumAccumulator(BigDecimal.ZERO, 0);

    public SumAccumulator {
        Objects.requireNonNull(sum, "sum");
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
    }

    @Override
    public Aggregation aggregation() {
        return Aggregation.SUM;
    }

    @Override
    public SumAccumulator add(Observation observation) {
        if (observation.value() == null) {
            return this;
        }
        return new SumAccumulator(sum.add(observation.value()), Math.addExact(count, 1));
    }

    @Override
    public SumAccumulator merge(Accumulator other) {
        SumAccumulator o = Ordering.sameKind(this, other, SumAccumulator.class);
        return new SumAccumulator(sum.add(o.sum), Math.addExact(count, o.count));
    }

    @Override
    public BigDecimal value() {
        return sum;
    }
}
