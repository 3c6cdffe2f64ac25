package dev.tally.model.metering.agg;

import dev.tally.model.metering.Aggregation;
import java.math.BigDecimal;

/**
 * MAX: the largest value; observations without a value are ignored. Constant memory. Among numerically
 * equal values the one with the largest scale is kept, so merge is commutative down to the representation.
 * Empty → {@code null}.
 */
public record MaxAccumulator(BigDecimal max, long count) implements Accumulator {
    public static final MaxAccumulator EMPTY = new MaxAccumulator(null, 0);

    public MaxAccumulator {
        if (count < 0 || (max == null) != (count == 0)) {
            throw new IllegalArgumentException("max is absent exactly when count is 0");
        }
    }

    @Override
    public Aggregation aggregation() {
        return Aggregation.MAX;
    }

    @Override
    public MaxAccumulator add(Observation observation) {
        if (observation.value() == null) {
            return this;
        }
        return new MaxAccumulator(Ordering.max(max, observation.value()), Math.addExact(count, 1));
    }

    @Override
    public MaxAccumulator merge(Accumulator other) {
        MaxAccumulator o = Ordering.sameKind(this, other, MaxAccumulator.class);
        return new MaxAccumulator(Ordering.max(max, o.max), Math.addExact(count, o.count));
    }

    @Override
    public BigDecimal value() {
        return max;
    }
}
