package dev.tally.ingest.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** {@code {"events": [ {id, type, customer, timestamp, properties}, … ]}}. Properties stay raw JSON until validated. */
@Schema(description = "A batch of usage events (at most 1,000; each answered on its own: accepted, duplicate or rejected)",
        example = "{\"events\":[{\"id\":\"e-1\",\"type\":\"tunnel.bytes\",\"customer\":\"acme\",\"timestamp\":\"2026-11-03T10:15:00Z\","
                + "\"properties\":{\"bytes\":52428800}}]}")
public record EventsRequest(List<EventBody> events) {
    /** One event: {@code id} is the sender's idempotency key; {@code timestamp} RFC 3339 (absent: stamped on receipt). */
    public record EventBody(String id, String type, String customer, String timestamp,
            @Schema(type = SchemaType.OBJECT,
                    description = "what the event measured: numbers (exact decimals), strings and booleans") JsonNode properties) {
    }
}
