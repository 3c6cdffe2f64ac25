package dev.tally.model.metering.agg;

import dev.tally.model.metering.Aggregation;
import java.math.BigDecimal;

/**
 * LATEST: the value of the observation latest in event time; on equal timestamps the larger event id wins
 * (then, only for duplicated ids, {@link Observation#EVENT_ORDER}), so arrival order never matters and merge is
 * commutative. Observations without a value are ignored. Constant memory. Empty → {@code null}.
 */
public record LatestAccumulator(Observation latest, long count) implements Accumulator {
    public static final LatestAccumulator EMPTY = new LatestAccumulator(null, 0);

    public LatestAccumulator {
        if (count < 0 || (latest == null) != (count == 0)) {
            throw new IllegalArgumentException("latest is absent exactly when count is 0");
        }
        if (latest != null && latest.value() == null) {
            throw new IllegalArgumentException("latest must carry a value");
        }
    }

    @Override
    public Aggregation aggregation() {
        return Aggregation.LATEST;
    }

    @Override
    public LatestAccumulator add(Observation observation) {
        if (observation.value() == null) {
            return this;
        }
        return new LatestAccumulator(later(latest, observation), Math.addExact(count, 1));
    }

    @Override
    public LatestAccumulator merge(Accumulator other) {
        LatestAccumulator o = Ordering.sameKind(this, other, LatestAccumulator.class);
        return new LatestAccumulator(later(latest, o.latest), Math.addExact(count, o.count));
    }

    @Override
    public BigDecimal value() {
        return latest == null ? null : latest.value();
    }

    private static Observation later(Observation a, Observation b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return Observation.EVENT_ORDER.compare(a, b) >= 0 ? a : b;
    }
}
