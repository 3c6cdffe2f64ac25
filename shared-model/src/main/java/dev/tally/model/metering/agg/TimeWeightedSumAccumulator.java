package dev.tally.model.metering.agg;

import dev.tally.model.metering.Aggregation;
import dev.tally.model.metering.BillingPeriod;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * TIME_WEIGHTED_SUM for gauges ("active tunnels" sampled at irregular times): the integral over the billing
 * period [start, end) of the step function the samples define, in value·seconds.
 *
 * <p>Definition. Let the samples be sorted by {@link Observation#EVENT_ORDER} (time, then event id). The level
 * at instant t is the value of the last sample at or before t, and 0 before the first sample. {@link #value()}
 * = ∫ level(t) dt over [start, end), with dt in seconds (nanosecond precision, exact). So each sample holds
 * until the next sample or the period end; of several samples at the same instant the one with the largest
 * event id holds (the others for zero seconds); a sample before the period start sets the level at the start (a
 * carried-over reading) and a sample at or after the end is ignored. Observations without a value are ignored.
 *
 * <p>Example: 3 at 00:00 and 5 at 00:30 in [00:00, 01:00) → 3·1800 + 5·1800 = 14 400 value·seconds, i.e.
 * {@link #valueHours()} = 4 value·hours.
 *
 * <p>Merge: the level is only known once all samples are, so the accumulator keeps every sample (memory grows
 * with the number of samples) and merge is the sorted union of both multisets: canonical, hence associative,
 * commutative and split-invariant. Both sides must have the same period. Empty → 0.
 */
public record TimeWeightedSumAccumulator(BillingPeriod period, List<Observation> samples) implements Accumulator {
    private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);

    /** Copies and sorts {@code samples}; each must carry a value and lie before the period end. */
    public TimeWeightedSumAccumulator {
        Objects.requireNonNull(period, "period");
        List<Observation> sorted = new ArrayList<>(samples);
        for (Observation s : sorted) {
            if (s.value() == null || !s.timestamp().isBefore(period.end())) {
                throw new IllegalArgumentException("a sample needs a value and a timestamp before the period end: " + s);
            }
        }
        sorted.sort(Observation.EVENT_ORDER);
        samples = List.copyOf(sorted);
    }

    /** No samples over {@code period}. */
    public static TimeWeightedSumAccumulator empty(BillingPeriod period) {
        return new TimeWeightedSumAccumulator(period, List.of());
    }

    @Override
    public Aggregation aggregation() {
        return Aggregation.TIME_WEIGHTED_SUM;
    }

    @Override
    public TimeWeightedSumAccumulator add(Observation observation) {
        if (!applies(observation)) {
            return this;
        }
        List<Observation> next = new ArrayList<>(samples.size() + 1);
        next.addAll(samples);
        next.add(observation);
        return new TimeWeightedSumAccumulator(period, next);
    }

    @Override
    public TimeWeightedSumAccumulator addAll(Iterable<Observation> observations) {
        List<Observation> next = new ArrayList<>(samples);
        for (Observation o : observations) {
            if (applies(o)) {
                next.add(o);
            }
        }
        return new TimeWeightedSumAccumulator(period, next);
    }

    @Override
    public TimeWeightedSumAccumulator merge(Accumulator other) {
        TimeWeightedSumAccumulator o = Ordering.sameKind(this, other, TimeWeightedSumAccumulator.class);
        if (!period.equals(o.period)) {
            throw new IllegalArgumentException("cannot merge time-weighted sums of different periods: " + period + ", " + o.period);
        }
        List<Observation> union = new ArrayList<>(samples.size() + o.samples.size());
        union.addAll(samples);
        union.addAll(o.samples);
        return new TimeWeightedSumAccumulator(period, union);
    }

    /** The exact integral in value·seconds (see the type's definition); 0 when empty. */
    @Override
    public BigDecimal value() {
        BigDecimal total = BigDecimal.ZERO;
        for (int i = 0; i < samples.size(); i++) {
            Observation sample = samples.get(i);
            Instant from = latest(sample.timestamp(), period.start());
            Instant to = latest(i + 1 < samples.size() ? samples.get(i + 1).timestamp() : period.end(), period.start());
            if (to.isAfter(from)) {
                total = total.add(sample.value().multiply(seconds(Duration.between(from, to))));
            }
        }
        return total;
    }

    /**
     * {@link #value()} in value·hours (e.g. tunnel-hours): divided by 3600 at {@value AvgAccumulator#SCALE}
     * fractional digits HALF_EVEN. Only this derived figure is rounded; {@link #value()} is exact.
     */
    public BigDecimal valueHours() {
        return value().divide(SECONDS_PER_HOUR, AvgAccumulator.SCALE, RoundingMode.HALF_EVEN);
    }

    @Override
    public long count() {
        return samples.size();
    }

    private boolean applies(Observation o) {
        return o.value() != null && o.timestamp().isBefore(period.end());
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** Exact seconds of a non-negative duration: integral when it has no nanoseconds, else scale 9. */
    private static BigDecimal seconds(Duration d) {
        BigDecimal whole = BigDecimal.valueOf(d.getSeconds());
        return d.getNano() == 0 ? whole : whole.add(BigDecimal.valueOf(d.getNano(), 9));
    }
}
