package dev.tally.model.event;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A validated usage event. {@code properties} values are {@link String}, {@link BigDecimal} or
 * {@link Boolean} only: numbers are exact decimals, never doubles. The dedup identity is
 * (tenant, {@code id}) and never involves {@code timestamp}.
 */
public record UsageEvent(String id, String type, String customer, Instant timestamp, Map<String, Object> properties) {
    public UsageEvent {
        properties = Map.copyOf(properties);
    }

    /**
     * The exact decimal value of a numeric property, or {@code null} when absent or not a number.
     * A string holding a plain decimal ({@code "1024"}, {@code "0.5"}) counts as a number: Kafka
     * payloads carry decimals as strings, and clients often send numeric strings.
     */
    public BigDecimal decimal(String property) {
        Object v = properties.get(property);
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof String s && PLAIN_DECIMAL.matcher(s).matches()) {
            return new BigDecimal(s);
        }
        return null;
    }

    /**
     * 30 integer digits and 18 fractional digits at most (EventValidator's range; trailing zeros and
     * leading zeros do not count): a longer numeric string is not a number here, so a meter that reads
     * it rejects the event ({@code property_not_a_number}) rather than summing an out-of-range value.
     */
    private static final Pattern PLAIN_DECIMAL = Pattern.compile("-?0*\\d{1,30}(\\.\\d{0,18}0*)?");
}
