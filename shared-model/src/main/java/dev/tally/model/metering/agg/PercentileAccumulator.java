package dev.tally.model.metering.agg;

import dev.tally.model.metering.Aggregation;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * PERCENTILE: the nearest-rank {@code percentile}-th percentile (any p in (0, 100]; p50, p95, p99 ...) of the
 * values, from a {@link QuantileSketch} with 0.5 % relative accuracy. The percentile is fixed when the
 * accumulator is created ({@link Accumulators#percentile(int)}); {@link #quantile(BigDecimal)} reads any other
 * from the same sketch. Observations without a value are ignored. Memory: the sketch's occupied buckets (bounded
 * by the values' dynamic range, not their number). Merging accumulators of different percentiles throws.
 * Empty → {@code null}.
 */
public record PercentileAccumulator(BigDecimal percentile, QuantileSketch sketch) implements Accumulator {
    /** Normalizes {@code percentile} (95 and 95.0 are the same accumulator). */
    public PercentileAccumulator {
        QuantileSketch.checkPercentile(percentile);
        Objects.requireNonNull(sketch, "sketch");
        percentile = percentile.stripTrailingZeros();
        if (percentile.scale() < 0) {
            percentile = percentile.setScale(0);
        }
    }

    @Override
    public Aggregation aggregation() {
        return Aggregation.PERCENTILE;
    }

    @Override
    public PercentileAccumulator add(Observation observation) {
        if (observation.value() == null) {
            return this;
        }
        return new PercentileAccumulator(percentile, sketch.add(observation.value()));
    }

    @Override
    public PercentileAccumulator addAll(Iterable<Observation> observations) {
        List<BigDecimal> values = new ArrayList<>();
        for (Observation o : observations) {
            if (o.value() != null) {
                values.add(o.value());
            }
        }
        return new PercentileAccumulator(percentile, sketch.addAll(values));
    }

    @Override
    public PercentileAccumulator merge(Accumulator other) {
        PercentileAccumulator o = Ordering.sameKind(this, other, PercentileAccumulator.class);
        if (!percentile.equals(o.percentile)) {
            throw new IllegalArgumentException("cannot merge p" + percentile + " with p" + o.percentile);
        }
        return new PercentileAccumulator(percentile, sketch.merge(o.sketch));
    }

    /** The {@link #percentile()}-th percentile; {@code null} when empty. */
    @Override
    public BigDecimal value() {
        return sketch.quantile(percentile);
    }

    /** Any other percentile p in (0, 100] from the same sketch. */
    public BigDecimal quantile(BigDecimal p) {
        return sketch.quantile(p);
    }

    @Override
    public long count() {
        return sketch.count();
    }
}
