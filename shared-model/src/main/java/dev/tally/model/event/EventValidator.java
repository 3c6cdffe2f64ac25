package dev.tally.model.event;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Validates one raw event. Pure: the current time is a parameter. {@code customer} may be absent:
 * ingest then attributes the event by its source (IP, hostname, API key). Each event is judged alone, so
 * one bad event never takes its neighbours in the same request down with it.
 */
public final class EventValidator {
    public static final int MAX_ID_LENGTH = 128;
    public static final int MAX_PROPERTIES = 64;
    private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern PROPERTY_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private final Duration maxFutureSkew;

    public EventValidator(Duration maxFutureSkew) {
        this.maxFutureSkew = maxFutureSkew;
    }

    public sealed interface Result permits Valid, Invalid {
    }

    public record Valid(UsageEvent event) implements Result {
    }

    public record Invalid(Rejection rejection) implements Result {
    }

    public Result validate(RawEvent raw, Instant now) {
        if (blank(raw.id())) {
            return invalid("missing_field", "id", "id is required");
        }
        if (raw.id().length() > MAX_ID_LENGTH || !printable(raw.id())) {
            return invalid("invalid_id", "id", "id must be 1-" + MAX_ID_LENGTH + " printable characters");
        }
        if (blank(raw.type())) {
            return invalid("missing_field", "type", "type is required");
        }
        if (!TYPE.matcher(raw.type()).matches()) {
            return invalid("invalid_type", "type", "type must match " + TYPE.pattern());
        }
        if (raw.customer() != null && (raw.customer().isBlank() || raw.customer().length() > MAX_ID_LENGTH)) {
            return invalid("invalid_customer", "customer", "customer, when given, must be 1-" + MAX_ID_LENGTH + " characters");
        }
        if (blank(raw.timestamp())) {
            return invalid("missing_field", "timestamp", "timestamp is required");
        }
        Instant timestamp;
        try {
            timestamp = Instant.parse(raw.timestamp());
        } catch (DateTimeParseException e) {
            return invalid("invalid_timestamp", "timestamp", "timestamp must be ISO-8601 UTC, e.g. 2026-11-22T10:15:30Z");
        }
        if (timestamp.isAfter(now.plus(maxFutureSkew))) {
            return invalid("timestamp_in_future", "timestamp",
                    "timestamp is more than " + maxFutureSkew.toSeconds() + "s ahead of the server clock");
        }
        Map<String, Object> properties = raw.properties() == null ? Map.of() : raw.properties();
        if (properties.size() > MAX_PROPERTIES) {
            return invalid("too_many_properties", "properties", "at most " + MAX_PROPERTIES + " properties");
        }
        Map<String, Object> clean = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : properties.entrySet()) {
            String field = "properties." + e.getKey();
            if (!PROPERTY_NAME.matcher(e.getKey()).matches()) {
                return invalid("invalid_property", field, "property names must match " + PROPERTY_NAME.pattern());
            }
            Object v = e.getValue();
            if (!(v instanceof String || v instanceof BigDecimal || v instanceof Boolean)) {
                return invalid("invalid_property", field, "property values must be strings, numbers or booleans");
            }
            clean.put(e.getKey(), v);
        }
        return new Valid(new UsageEvent(raw.id(), raw.type(), raw.customer(), timestamp, clean));
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static boolean printable(String s) {
        return s.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
    }

    private static Invalid invalid(String code, String field, String message) {
        return new Invalid(new Rejection(code, field, message));
    }
}
