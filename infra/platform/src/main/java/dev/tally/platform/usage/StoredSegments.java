package dev.tally.platform.usage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.model.messages.RatedUsageV1;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of a usage row in later plan segments of its period, as rating ({@code usage_aggregate.segments}) and
 * invoicing ({@code usage_snapshot.segments}) store them: a JSON object by segment start (ISO-8601) of
 * {@code {"q": "<exact quantity>", "n": <events>}}; null when the plan did not change in the period.
 */
public final class StoredSegments {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StoredSegments() {
    }

    /** The stored parts, in time order; null for none. */
    public static List<RatedUsageV1.Segment> parse(String stored) {
        if (stored == null) {
            return null;
        }
        try {
            List<RatedUsageV1.Segment> out = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : MAPPER.readTree(stored).properties()) {
                out.add(new RatedUsageV1.Segment(Instant.parse(e.getKey()), new BigDecimal(e.getValue().path("q").asText()),
                        e.getValue().path("n").asLong()));
            }
            out.sort(Comparator.comparing(RatedUsageV1.Segment::start));
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored segments are not a JSON object of parts: " + stored, e);
        }
    }

    /** The stored form of {@code segments}; null for none. */
    public static String format(List<RatedUsageV1.Segment> segments) {
        if (segments == null || segments.isEmpty()) {
            return null;
        }
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (RatedUsageV1.Segment s : segments) {
            out.put(s.start().toString(), Map.<String, Object>of("q", s.quantity().toPlainString(), "n", s.eventCount()));
        }
        try {
            return MAPPER.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
