package dev.tally.model.metering;

import dev.tally.model.event.Rejection;
import dev.tally.model.event.UsageEvent;
import dev.tally.model.metering.agg.GroupKey;
import dev.tally.model.metering.agg.MeterFilter;
import java.util.List;
import java.math.BigDecimal;

/**
 * What to measure: events of {@code eventType}, folded by {@code aggregation} over {@code property}
 * (ignored for COUNT), counting only events that pass {@code filter}, split by the {@code groupBy}
 * dimensions (empty: one total). {@code key} names the meter inside its tenant.
 */
public record MeterDefinition(String key, String eventType, Aggregation aggregation, String property, MeterFilter filter,
        List<String> groupBy) {
    public MeterDefinition {
        groupBy = groupBy == null ? List.of() : List.copyOf(groupBy);
        if (aggregation == Aggregation.SUM && (property == null || property.isBlank())) {
            throw new IllegalArgumentException("a SUM meter needs a property");
        }
        if (filter == null) {
            filter = MeterFilter.ALL;
        }
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
                    aggregation + " is not a sum of per-event deltas; fold it with dev.tally.model.metering.agg.Accumulators");
        };
    }
}
