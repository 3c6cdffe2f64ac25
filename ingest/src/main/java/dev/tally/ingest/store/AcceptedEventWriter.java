package dev.tally.ingest.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tally.model.event.Rfc3339;
import dev.tally.model.messages.AcceptedEventV1;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes a batch of {@link AcceptedEventV1} payloads with one streaming generator: the same JSON the
 * platform's ObjectMapper writes (field order, nulls left out, decimals as plain strings, instants
 * ISO-8601 — {@code AcceptedEventWriterTest} compares them), without a databind round per event.
 * Not thread-safe; one per batch.
 */
final class AcceptedEventWriter {
    private final StringWriter out = new StringWriter(512);
    private final Map<Instant, String> written = new HashMap<>();
    private final JsonGenerator g;

    AcceptedEventWriter(JsonFactory factory) {
        try {
            g = factory.createGenerator(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        g.setRootValueSeparator(null);
    }

    String write(AcceptedEventV1 e, String acceptedAt) {
        try {
            g.writeStartObject();
            field("tenantId", e.tenantId());
            field("customerId", e.customerId());
            field("customer", e.customer());
            field("eventId", e.eventId());
            field("type", e.type());
            field("timestamp", e.timestamp() == null ? null : Rfc3339.format(e.timestamp()));
            if (e.properties() != null) {
                g.writeObjectFieldStart("properties");
                for (Map.Entry<String, Object> p : e.properties().entrySet()) {
                    Object v = p.getValue();
                    if (v == null) {
                        continue;
                    }
                    g.writeFieldName(p.getKey());
                    if (v instanceof BigDecimal d) {
                        g.writeString(d.toPlainString());
                    } else if (v instanceof Boolean b) {
                        g.writeBoolean(b);
                    } else if (v instanceof String s) {
                        g.writeString(s);
                    } else {
                        throw new IllegalArgumentException("property " + p.getKey() + " is a " + v.getClass().getSimpleName());
                    }
                }
                g.writeEndObject();
            }
            field("acceptedAt", acceptedAt);
            field("attributedBy", e.attributedBy());
            field("periodStart", instant(e.periodStart()));
            field("periodEnd", instant(e.periodEnd()));
            field("segmentStart", instant(e.segmentStart()));
            g.writeEndObject();
            g.flush();
            String json = out.toString();
            out.getBuffer().setLength(0);
            return json;
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    /** A period's instants as text, kept per batch: a batch's events share a few periods. */
    private String instant(Instant t) {
        return t == null ? null : written.computeIfAbsent(t, Rfc3339::format);
    }

    private void field(String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }
}
