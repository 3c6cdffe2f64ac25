package dev.tally.platform.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.event.Rfc3339;
import dev.tally.model.messages.AcceptedEventV1;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads {@link AcceptedEventV1} records with one streaming parser and no databind: rating reads one per event, and
 * databind (with its ISO-8601 instant parser: five instants per event) was a third of rating's CPU under load. The
 * record it makes is the one the platform's {@code ObjectMapper} makes ({@code AcceptedEventReaderTest} holds the two
 * equal over random events): strings, booleans, integers as Integer/Long/BigInteger and other numbers as BigDecimal
 * in {@code properties}; instants by {@link Rfc3339}, which reads exactly what {@link Instant#parse} reads. Anything
 * else — a field it does not know, a nested value, a malformed instant — goes to the mapper, so the fast path never
 * decides differently. Thread-safe.
 */
public final class AcceptedEventReader {
    private final ObjectMapper mapper;
    private final JsonFactory factory;

    public AcceptedEventReader(ObjectMapper mapper) {
        this.mapper = mapper;
        this.factory = mapper.getFactory();
    }

    /** The event in {@code json}; what the mapper says (or throws) for anything the fast path does not read. */
    public AcceptedEventV1 read(String json) throws IOException {
        AcceptedEventV1 fast = fast(json);
        return fast != null ? fast : mapper.readValue(json, AcceptedEventV1.class);
    }

    private static final class Fields {
        String tenantId;
        String customerId;
        String customer;
        String eventId;
        String type;
        Instant timestamp;
        Map<String, Object> properties;
        Instant acceptedAt;
        String attributedBy;
        Instant periodStart;
        Instant periodEnd;
        Instant segmentStart;
    }

    /** The event, or null when the record needs the mapper. */
    private AcceptedEventV1 fast(String json) {
        try (JsonParser p = factory.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Fields f = new Fields();
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (!field(f, name, v, p)) {
                    return null;
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                return null; // what follows the object is not read, as the mapper does not read it
            }
            return new AcceptedEventV1(f.tenantId, f.customerId, f.customer, f.eventId, f.type, f.timestamp, f.properties, f.acceptedAt,
                    f.attributedBy, f.periodStart, f.periodEnd, f.segmentStart);
        } catch (IOException | RuntimeException e) {
            return null; // malformed JSON or a malformed instant, say: the mapper reports it in its own words
        }
    }

    /** Sets one field; false when the mapper must read the record. */
    private static boolean field(Fields f, String name, JsonToken v, JsonParser p) throws IOException {
        if ("properties".equals(name)) {
            if (v == JsonToken.VALUE_NULL) {
                return true;
            }
            f.properties = properties(p, v);
            return f.properties != null;
        }
        if (v != JsonToken.VALUE_STRING && v != JsonToken.VALUE_NULL) {
            return false;
        }
        String s = v == JsonToken.VALUE_NULL ? null : p.getText();
        switch (name) {
            case "tenantId" -> f.tenantId = s;
            case "customerId" -> f.customerId = s;
            case "customer" -> f.customer = s;
            case "eventId" -> f.eventId = s;
            case "type" -> f.type = s;
            case "attributedBy" -> f.attributedBy = s;
            case "timestamp" -> f.timestamp = instant(s);
            case "acceptedAt" -> f.acceptedAt = instant(s);
            case "periodStart" -> f.periodStart = instant(s);
            case "periodEnd" -> f.periodEnd = instant(s);
            case "segmentStart" -> f.segmentStart = instant(s);
            default -> {
                return false;
            }
        }
        return true;
    }

    private static Instant instant(String s) {
        return s == null ? null : Rfc3339.parse(s);
    }

    /** Flat properties as the mapper reads them into a map; null for anything nested. */
    private static Map<String, Object> properties(JsonParser p, JsonToken start) throws IOException {
        if (start != JsonToken.START_OBJECT) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String key = p.currentName();
            Object value = switch (p.nextToken()) {
                case VALUE_STRING -> p.getText();
                case VALUE_TRUE -> Boolean.TRUE;
                case VALUE_FALSE -> Boolean.FALSE;
                case VALUE_NULL -> null;
                case VALUE_NUMBER_INT -> p.getNumberValue();
                case VALUE_NUMBER_FLOAT -> p.getDecimalValue();
                default -> NESTED;
            };
            if (value == NESTED) {
                return null;
            }
            out.put(key, value);
        }
        return out;
    }

    private static final Object NESTED = new Object();
}
