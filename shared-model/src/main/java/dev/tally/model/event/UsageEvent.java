package dev.tally.model.event;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * A validated usage event. {@code properties} values are {@link String}, {@link BigDecimal} or
 * {@link Boolean} only: numbers are exact decimals, never doubles. The dedup identity is
 * (tenant, {@code id}) and never involves {@code timestamp}.
 */
public record UsageEvent(String id, String type, String customer, Instant timestamp, Map<String, Object> properties) {
    public UsageEvent {
        properties = Map.copyOf(properties);
    }

    /** The exact decimal value of a numeric property, or {@code null} when absent or not a number. */
    public BigDecimal decimal(String property) {
        return properties.get(property) instanceof BigDecimal d ? d : null;
    }
}
