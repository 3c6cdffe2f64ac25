package dev.tally.model.metering.agg;

import dev.tally.model.event.UsageEvent;
import dev.tally.model.metering.Aggregation;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.metering.MeterDefinition;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Empty accumulators by {@link Aggregation}, and evaluation of a meter grouped by dimensions. The period is
 * needed by TIME_WEIGHTED_SUM only (the integral runs to its end), the percentile by PERCENTILE only.
 */
public final class Accumulators {
    private Accumulators() {
    }

    /**
     * The empty accumulator for {@code aggregation}. {@code period} may be null except for TIME_WEIGHTED_SUM.
     * PERCENTILE needs a percentile: use {@link #empty(Aggregation, BillingPeriod, BigDecimal)} or
     * {@link #percentile(int)}; here it throws {@link IllegalArgumentException}.
     */
    public static Accumulator empty(Aggregation aggregation, BillingPeriod period) {
        return empty(aggregation, period, null);
    }

    /** As {@link #empty(Aggregation, BillingPeriod)}, with the percentile p in (0, 100] that PERCENTILE requires. */
    public static Accumulator empty(Aggregation aggregation, BillingPeriod period, BigDecimal percentile) {
        Objects.requireNonNull(aggregation, "aggregation");
        if (aggregation != Aggregation.PERCENTILE && percentile != null) {
            throw new IllegalArgumentException("only PERCENTILE takes a percentile, not " + aggregation);
        }
        return switch (aggregation) {
            case COUNT -> CountAccumulator.EMPTY;
            case SUM -> SumAccumulator.EMPTY;
            case MIN -> MinAccumulator.EMPTY;
            case MAX -> MaxAccumulator.EMPTY;
            case AVG -> AvgAccumulator.EMPTY;
            case UNIQUE_COUNT -> UniqueCountAccumulator.EMPTY;
            case LATEST -> LatestAccumulator.EMPTY;
            case TIME_WEIGHTED_SUM -> TimeWeightedSumAccumulator.empty(Objects.requireNonNull(period,
                    "TIME_WEIGHTED_SUM needs the billing period"));
            case PERCENTILE -> {
                if (percentile == null) {
                    throw new IllegalArgumentException("PERCENTILE needs a percentile in (0, 100], e.g. Accumulators.percentile(95)");
                }
                yield percentile(percentile);
            }
        };
    }

    public static CountAccumulator count() {
        return CountAccumulator.EMPTY;
    }

    public static SumAccumulator sum() {
        return SumAccumulator.EMPTY;
    }

    public static MinAccumulator min() {
        return MinAccumulator.EMPTY;
    }

    public static MaxAccumulator max() {
        return MaxAccumulator.EMPTY;
    }

    public static AvgAccumulator avg() {
        return AvgAccumulator.EMPTY;
    }

    public static UniqueCountAccumulator uniqueCount() {
        return UniqueCountAccumulator.EMPTY;
    }

    public static LatestAccumulator latest() {
        return LatestAccumulator.EMPTY;
    }

    public static TimeWeightedSumAccumulator timeWeightedSum(BillingPeriod period) {
        return TimeWeightedSumAccumulator.empty(period);
    }

    /** An empty p-th percentile accumulator, e.g. {@code percentile(95)}; p in (0, 100]. */
    public static PercentileAccumulator percentile(int p) {
        return percentile(BigDecimal.valueOf(p));
    }

    /** An empty p-th percentile accumulator, e.g. {@code percentile(new BigDecimal("99.9"))}; p in (0, 100]. */
    public static PercentileAccumulator percentile(BigDecimal p) {
        return new PercentileAccumulator(p, QuantileSketch.EMPTY);
    }

    /**
     * {@code meter} over {@code events}, one accumulator per group: events of the meter's type that pass
     * {@code filter} are observed on the meter's property and grouped by {@code groupBy} (empty list: one
     * {@link GroupKey#NONE} group). Groups whose accumulator stayed empty (no event carried the property) are
     * left out. {@code empty} must be of the meter's aggregation (it carries the period or percentile). Events are
     * not filtered by period here: pass those of the period. The result is unmodifiable and sorted by key.
     */
    public static SortedMap<GroupKey, Accumulator> evaluate(MeterDefinition meter, MeterFilter filter, List<String> groupBy,
            Accumulator empty, Iterable<UsageEvent> events) {
        if (empty.aggregation() != meter.aggregation()) {
            throw new IllegalArgumentException("meter " + meter.key() + " is " + meter.aggregation() + ", accumulator is " + empty.aggregation());
        }
        Map<GroupKey, List<Observation>> byGroup = new TreeMap<>();
        for (UsageEvent event : events) {
            if (!meter.eventType().equals(event.type()) || !filter.test(event)) {
                continue;
            }
            byGroup.computeIfAbsent(GroupKey.of(event, groupBy), k -> new ArrayList<>())
                    .add(Observation.of(event, meter.aggregation() == Aggregation.COUNT ? null : meter.property()));
        }
        TreeMap<GroupKey, Accumulator> result = new TreeMap<>();
        byGroup.forEach((key, observations) -> {
            Accumulator acc = empty.addAll(observations);
            if (!acc.isEmpty()) {
                result.put(key, acc);
            }
        });
        return Collections.unmodifiableSortedMap(result);
    }

    /** Group-wise merge of two evaluations (e.g. of two partitions); a group in only one side is kept as is. */
    public static SortedMap<GroupKey, Accumulator> mergeGroups(Map<GroupKey, ? extends Accumulator> a,
            Map<GroupKey, ? extends Accumulator> b) {
        TreeMap<GroupKey, Accumulator> result = new TreeMap<>(a);
        b.forEach((key, acc) -> result.merge(key, acc, Accumulator::merge));
        return Collections.unmodifiableSortedMap(result);
    }
}
