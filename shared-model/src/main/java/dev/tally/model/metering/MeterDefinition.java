package dev.tally.model.metering;

import dev.tally.model.event.Rejection;
import dev.tally.model.event.UsageEvent;
import dev.tally.model.metering.agg.Accumulator;
import dev.tally.model.metering.agg.Accumulators;
import dev.tally.model.metering.agg.GroupKey;
import dev.tally.model.metering.agg.MeterFilter;
import dev.tally.model.metering.agg.Observation;
import dev.tally.model.metering.agg.QuantileSketch;
import dev.tally.model.metering.agg.TimeWeightedSumAccumulator;
import java.math.BigDecimal;
import java.util.List;

/**
 * What to measure: events of {@code eventType}, folded by {@code aggregation} over {@code property}
 * (ignored for COUNT), counting only events that pass {@code filter}, split by the {@code groupBy}
 * dimensions (empty: one total). {@code key} names the meter inside its tenant. {@code percentile}, p in
 * (0, 100], is PERCENTILE's and only PERCENTILE's.
 *
 * <p>The meter's quantity in a period and group is {@link #quantity} of the accumulator of its events there
 * (TIME_WEIGHTED_SUM in value·hours); a grouped meter's total is the sum of its groups' quantities, whatever the
 * aggregation (e.g. the sum of per-region peaks for MAX).
 */
public record MeterDefinition(String key, String eventType, Aggregation aggregation, String property, MeterFilter filter,
        List<String> groupBy, BigDecimal percentile) {
    public MeterDefinition {
        groupBy = groupBy == null ? List.of() : List.copyOf(groupBy);
        if (aggregation != Aggregation.COUNT && (property == null || property.isBlank())) {
            throw new IllegalArgumentException("a " + aggregation + " meter needs a property");
        }
        if (aggregation == Aggregation.PERCENTILE) {
            if (percentile == null) {
                throw new IllegalArgumentException("a PERCENTILE meter needs a percentile in (0, 100]");
            }
            QuantileSketch.checkPercentile(percentile);
        } else if (percentile != null) {
            throw new IllegalArgumentException("only a PERCENTILE meter takes a percentile");
        }
        if (filter == null) {
            filter = MeterFilter.ALL;
        }
    }

    /** A meter of any aggregation but PERCENTILE. */
    public MeterDefinition(String key, String eventType, Aggregation aggregation, String property, MeterFilter filter,
            List<String> groupBy) {
        this(key, eventType, aggregation, property, filter, groupBy, null);
    }

    /** An ungrouped meter. */
    public MeterDefinition(String key, String eventType, Aggregation aggregation, String property, MeterFilter filter) {
        this(key, eventType, aggregation, property, filter, List.of());
    }

    /** A meter of every event of its type. */
    public MeterDefinition(String key, String eventType, Aggregation aggregation, String property) {
        this(key, eventType, aggregation, property, MeterFilter.ALL);
    }

    /** The event's group: its values of the group-by dimensions ({@link GroupKey#NONE} for an ungrouped meter). */
    public GroupKey group(UsageEvent event) {
        return groupBy.isEmpty() ? GroupKey.NONE : GroupKey.of(event, groupBy);
    }

    /**
     * Why this meter cannot measure the event, or {@code null} when it can (or the event is not the
     * meter's): a numeric meter's property is present but holds no number ({@code property_not_a_number}).
     * An absent property is not an error: the event contributes nothing to that meter.
     */
    public Rejection check(UsageEvent event) {
        if (!aggregation.numeric() || !eventType.equals(event.type())) {
            return null;
        }
        Object v = event.properties().get(property);
        if (v == null || event.decimal(property) != null || !filter.test(event)) {
            return null;
        }
        return new Rejection("property_not_a_number", "properties." + property, "meter '" + key + "' reads a number from '" + property
                + "', and this event's value is " + (v instanceof String ? "the text \"" + abbreviate((String) v) + "\"" : v.toString()));
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    /** Whether the event is the meter's: of its type and passing its filter (it then counts in {@code event_count}). */
    public boolean matches(UsageEvent event) {
        return eventType.equals(event.type()) && filter.test(event);
    }

    /**
     * The event as this meter's accumulator sees it, or {@code null} when the accumulator would ignore it: not the
     * meter's, or (except for COUNT) without a value of the property (UNIQUE_COUNT: without a text).
     */
    public Observation observation(UsageEvent event) {
        if (!matches(event)) {
            return null;
        }
        Observation o = Observation.of(event, aggregation == Aggregation.COUNT ? null : property);
        return switch (aggregation) {
            case COUNT -> o;
            case UNIQUE_COUNT -> o.key() == null ? null : new Observation(o.eventId(), o.timestamp(), null, o.key());
            default -> o.value() == null ? null : new Observation(o.eventId(), o.timestamp(), o.value(), null);
        };
    }

    /** The empty accumulator of this meter over {@code period} (which TIME_WEIGHTED_SUM integrates over). */
    public Accumulator empty(BillingPeriod period) {
        return Accumulators.empty(aggregation, period, percentile);
    }

    /**
     * The quantity an accumulator of this meter stands for: its value, except TIME_WEIGHTED_SUM in value·hours
     * (rounded once, to 12 fractional digits HALF_EVEN, so a price per tunnel-hour applies directly); 0 when the
     * accumulator has no value (MIN, MAX, AVG, LATEST, PERCENTILE of no observation).
     */
    public BigDecimal quantity(Accumulator accumulator) {
        if (accumulator.aggregation() != aggregation) {
            throw new IllegalArgumentException("meter " + key + " is " + aggregation + ", accumulator is " + accumulator.aggregation());
        }
        BigDecimal v = accumulator instanceof TimeWeightedSumAccumulator tws ? tws.valueHours() : accumulator.value();
        return v == null ? BigDecimal.ZERO : v;
    }

    /**
     * The quantity this event adds to the meter, or {@code null} when the event does not belong to it.
     * Aggregations here are sums, so deltas merge associatively across partitions and polls.
     *
     * @throws UnsupportedOperationException for the non-additive aggregations (MIN, MAX, AVG, ...), which have no
     *         per-event delta; evaluate those with {@link dev.tally.model.metering.agg.Accumulators}
     */
    public BigDecimal contribution(UsageEvent event) {
        if (!eventType.equals(event.type()) || !filter.test(event)) {
            return null;
        }
        return switch (aggregation) {
            case COUNT -> BigDecimal.ONE;
            case SUM -> event.decimal(property);
            case MIN, MAX, AVG, UNIQUE_COUNT, LATEST, TIME_WEIGHTED_SUM, PERCENTILE -> throw new UnsupportedOperationException(
                    aggregation + " is not a sum of per-event deltas; fold it with the accumulators (Accumulators)");
        };
    }
}
