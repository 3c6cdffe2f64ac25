package dev.tally.model.event;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Validates one raw event. Pure: the current time is a parameter. {@code customer} may be absent:
 * ingest then attributes the event by its source (IP, hostname, API key). Each event is judged alone, so
 * one bad event never takes its neighbours in the same request down with it.
 */
public final class EventValidator {
    public static final int MAX_ID_LENGTH = 128;
    public static final int MAX_PROPERTIES = 64;
    /** A text property value: at most this many characters. */
    public static final int MAX_TEXT_LENGTH = 1024;
    /** Numeric property values: at most this many digits before the decimal point … */
    public static final int MAX_INTEGER_DIGITS = 30;
    /** … and this many after it (trailing zeros do not count). */
    public static final int MAX_FRACTION_DIGITS = 18;
    /** What types and property names look like (checked by hand: this runs for every event). */
    public static final String NAME_RULE = "[A-Za-z0-9_.:-]{1,64}";
    /** The default deduplication window: events older than this are too late. */
    public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofDays(35);

    private final Duration maxFutureSkew;
    private final Duration dedupWindow;

    public EventValidator(Duration maxFutureSkew) {
        this(maxFutureSkew, DEFAULT_DEDUP_WINDOW);
    }

    /**
     * @param dedupWindow how long an event id is remembered; an event whose time is further in the
     *                    past is {@code too_late}, so a retry can never outlive its id's memory
     */
    public EventValidator(Duration maxFutureSkew, Duration dedupWindow) {
        this.dedupWindow = dedupWindow;
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
        if (!name(raw.type())) {
            return invalid("invalid_type", "type", "type must match " + NAME_RULE);
        }
        if (raw.customer() != null && (raw.customer().isBlank() || raw.customer().length() > MAX_ID_LENGTH || !printable(raw.customer()))) {
            return invalid("invalid_customer", "customer", "customer, when given, must be 1-" + MAX_ID_LENGTH + " printable characters");
        }
        Instant timestamp;
        if (raw.timestamp() == null) {
            timestamp = now; // absent: the time of receipt
        } else {
            try {
                timestamp = Rfc3339.parse(raw.timestamp());
            } catch (DateTimeParseException e) {
                return invalid("invalid_timestamp", "timestamp", "timestamp must be RFC 3339 UTC, e.g. 2026-11-22T10:15:30Z (or absent: now)");
            }
        }
        if (timestamp.isBefore(now.minus(dedupWindow))) {
            return invalid("too_late", "timestamp", "timestamp is older than the " + dedupWindow.toDays()
                    + "-day deduplication window; late usage that old is corrected with a credit note or an invoice adjustment, not ingested");
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
            if (!name(e.getKey())) {
                return invalid("invalid_property", field, "property names must match " + NAME_RULE);
            }
            Object v = e.getValue();
            if (!(v instanceof String || v instanceof BigDecimal || v instanceof Boolean)) {
                return invalid("invalid_property", field, "property values must be strings, numbers or booleans");
            }
            if (v instanceof String text && (text.length() > MAX_TEXT_LENGTH || !printable(text))) {
                return invalid("invalid_property", field, "property text must be at most " + MAX_TEXT_LENGTH
                        + " printable characters (no control characters, no unpaired surrogates)");
            }
            if (v instanceof BigDecimal d && !inRange(d)) {
                return invalid("number_out_of_range", field, "numbers may have at most " + MAX_INTEGER_DIGITS + " digits before the"
                        + " decimal point and " + MAX_FRACTION_DIGITS + " after it");
            }
            clean.put(e.getKey(), v);
        }
        return new Valid(new UsageEvent(raw.id(), raw.type(), raw.customer(), timestamp, clean));
    }

    /** Whether a number fits what Tally stores and prices exactly: {@value #MAX_INTEGER_DIGITS} + {@value #MAX_FRACTION_DIGITS} digits. */
    static boolean inRange(BigDecimal d) {
        if (d.signum() == 0) {
            return true; // 0, -0, 0E+500: all zero
        }
        // digits before the point: precision - scale, which stripping trailing zeros does not change; in long
        // arithmetic, as 1e2147483647 would overflow an int (and stripping 100e2147483647 would throw)
        if ((long) d.precision() - d.scale() > MAX_INTEGER_DIGITS) {
            return false;
        }
        return d.scale() <= MAX_FRACTION_DIGITS || d.stripTrailingZeros().scale() <= MAX_FRACTION_DIGITS;
    }

    /** {@link #NAME_RULE}, without a regex. */
    static boolean name(String s) {
        int n = s.length();
        if (n < 1 || n > 64) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /**
     * No control character (C0, DEL, C1) and no unpaired surrogate: a lone surrogate is not a character, and
     * PostgreSQL cannot store one (the driver sends '?' instead, so the stored dedup key would not be the id).
     */
    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) { // C0, DEL and C1 control characters
                return false;
            }
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++; // a pair: one character
            }
        }
        return true;
    }

    private static Invalid invalid(String code, String field, String message) {
        return new Invalid(new Rejection(code, field, message));
    }
}
