package dev.tally.model.metering.agg;

import dev.tally.model.metering.Aggregation;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * AVG: keeps the exact sum and count of the values (observations without a value are ignored) and divides
 * only in {@link #value()}, at {@value #SCALE} fractional digits, {@link RoundingMode#HALF_EVEN}. Merging adds
 * sums and counts, so it never averages averages. Constant memory. Empty → {@code null}.
 */
public record AvgAccumulator(BigDecimal sum, long count) implements Accumulator {
    /** Fractional digits of {@link #value()}. */
    public static final int SCALE = 12;
    public static final RoundingMode ROUNDING = RoundingMode.HALF_EVEN;
    public static final AvgAccumulator EMPTY = new AvgAccumulator(BigDecimal.ZERO, 0);

    public AvgAccumulator {
        Objects.requireNonNull(sum, "sum");
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
    }

    @Override
    public Aggregation aggregation() {
        return Aggregation.AVG;
    }

    @Override
    public AvgAccumulator add(Observation observation) {
        if (observation.value() == null) {
            return this;
        }
        return new AvgAccumulator(sum.add(observation.value()), Math.addExact(count, 1));
    }

    @Override
    public AvgAccumulator merge(Accumulator other) {
        AvgAccumulator o = Ordering.sameKind(this, other, AvgAccumulator.class);
        return new AvgAccumulator(sum.add(o.sum), Math.addExact(count, o.count));
    }

    /** sum / count at {@value #SCALE} fractional digits HALF_EVEN (the one division); {@code null} when empty. */
    @Override
    public BigDecimal value() {
        return count == 0 ? null : sum.divide(BigDecimal.valueOf(count), SCALE, ROUNDING);
    }
}
