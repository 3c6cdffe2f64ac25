package dev.tally.model.metering.agg;

import dev.tally.model.event.UsageEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * One event as an accumulator sees it. {@code value} is the meter's numeric property (null when the event
 * lacks it: value-based aggregations then ignore the observation, COUNT still counts it); {@code key} is the
 * property's text for UNIQUE_COUNT (null: ignored there).
 *
 * @param eventId   the event's id; breaks timestamp ties in LATEST and TIME_WEIGHTED_SUM
 * @param timestamp event time (never the clock)
 * @param value     exact numeric value, or null
 * @param key       text compared by UNIQUE_COUNT, or null
 */
public record Observation(String eventId, Instant timestamp, BigDecimal value, String key) {
    /**
     * Event-time order, ties by event id, then value (numeric, then scale) and key, nulls first: a total
     * order consistent with {@link #equals}, so sorting a multiset of observations is canonical.
     */
    public static final Comparator<Observation> EVENT_ORDER = Comparator.comparing(Observation::timestamp)
            .thenComparing(Observation::eventId)
            .thenComparing(Observation::value, Comparator.nullsFirst(Ordering.DECIMAL))
            .thenComparing(Observation::key, Comparator.nullsFirst(Comparator.naturalOrder()));

    public Observation {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    /** A numeric observation (COUNT, SUM, MIN, MAX, AVG, LATEST, TIME_WEIGHTED_SUM, PERCENTILE). */
    public static Observation of(String eventId, Instant timestamp, BigDecimal value) {
        return new Observation(eventId, timestamp, value, null);
    }

    /** A keyed observation (UNIQUE_COUNT). */
    public static Observation keyed(String eventId, Instant timestamp, String key) {
        return new Observation(eventId, timestamp, null, key);
    }

    /**
     * The observation of {@code property} in {@code event}: its exact decimal (as {@link UsageEvent#decimal},
     * so numeric strings count) and its {@link PropertyText text}. A null {@code property} gives neither (COUNT).
     */
    public static Observation of(UsageEvent event, String property) {
        if (property == null) {
            return new Observation(event.id(), event.timestamp(), null, null);
        }
        return new Observation(event.id(), event.timestamp(), event.decimal(property),
                PropertyText.of(event.properties().get(property)));
    }
}
