package dev.tally.platform.usage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A usage group's dimension values as rating and invoicing store them: a JSON object of strings ({@code '{}'} for an
 * ungrouped meter). Read here into the maps the pricing core takes.
 */
public final class StoredDimensions {
    /** The stored form of an ungrouped meter's single group. */
    public static final String NONE = "{}";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, String>> TYPE = new TypeReference<>() { };

    private StoredDimensions() {
    }

    /** The dimension values of a stored group. */
    public static Map<String, String> parse(String stored) {
        if (stored == null || NONE.equals(stored)) {
            return Map.of();
        }
        try {
            return MAPPER.readValue(stored, TYPE);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored dimensions are not a JSON object of strings: " + stored, e);
        }
    }

    /**
     * Adds a stored group's quantity to {@code groups}, unless it is the ungrouped meter's only group: a meter without
     * groups has none (its total is what it prices).
     */
    public static void add(Map<Map<String, String>, BigDecimal> groups, String stored, BigDecimal quantity) {
        if (stored != null && !NONE.equals(stored)) {
            groups.merge(parse(stored), quantity, BigDecimal::add);
        }
    }
}
