package dev.tally.ingest.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** {@code {"events": [ {id, type, customer, timestamp, properties}, … ]}}. Properties stay raw JSON until validated. */
public record EventsRequest(List<EventBody> events) {
    public record EventBody(String id, String type, String customer, String timestamp, JsonNode properties) {
    }
}
