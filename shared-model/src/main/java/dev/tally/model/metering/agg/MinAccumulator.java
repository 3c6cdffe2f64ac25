package dev.tally.model.metering.agg;

import dev.tally.model.metering.Aggregation;
import java.math.BigDecimal;

/**
 * MIN: the smallest value; observations without a value are ignored. Constant memory. Among numerically
 * equal values the one with the smallest scale is kept, so merge is commutative down to the representation.
 * Empty → {@code null}.
 */
public record MinAccumulator(BigDecimal min, long count) implements Accumulator {
    public static final MinAccumulator EMPTY = new MinAccumulator(null, 0);

    public MinAccumulator {
        if (count < 0 || (min == null) != (count == 0)) {
            throw new IllegalArgumentException("min is absent exactly when count is 0");
        }
    }

    @Override
    public Aggregation aggregation() {
        return Aggregation.MIN;
    }

    @Override
    public MinAccumulator add(Observation observation) {
        if (observation.value() == null) {
            return this;
        }
        return new MinAccumulator(Ordering.min(min, observation.value()), Math.addExact(count, 1));
    }

    @Override
    public MinAccumulator merge(Accumulator other) {
        MinAccumulator o = Ordering.sameKind(this, other, MinAccumulator.class);
        return new MinAccumulator(Ordering.min(min, o.min), Math.addExact(count, o.count));
    }

    @Override
    public BigDecimal value() {
        return min;
    }
}
