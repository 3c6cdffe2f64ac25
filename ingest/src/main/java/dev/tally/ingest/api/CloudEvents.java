package dev.tally.ingest.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.model.event.Rejection;
import dev.tally.platform.problem.ProblemException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * CloudEvents 1.0 as Tally reads them, in every mode: over HTTP structured ({@value #STRUCTURED}), batch
 * ({@value #BATCH}) and binary (attributes in {@code ce-*} headers, the data as the body); on the Kafka raw topic
 * structured (header {@code content-type: application/cloudevents+json}) and binary ({@code ce_*} headers). {@code id},
 * {@code type}, {@code time} and {@code data} (the properties object) map one to one; the customer is the
 * {@code customer} extension attribute, else {@code subject}; {@code specversion} must be {@code 1.0}, {@code source}
 * is required (and otherwise unused), and the data must be JSON.
 */
public final class CloudEvents {
    public static final String STRUCTURED = "application/cloudevents+json";
    public static final String BATCH = "application/cloudevents-batch+json";
    /** How every mode is named in an answer that refuses a request's shape. */
    public static final String MODES = "CloudEvents go as " + STRUCTURED + " (structured mode: one event), " + BATCH
            + " (an array of them), or in binary mode: the attributes in ce-* headers (ce-specversion: 1.0, ce-id, ce-source, ce-type,"
            + " ce-time, ce-subject or ce-customer) and the data, a JSON object of properties, as the application/json body";

    private CloudEvents() {
    }

    /** A CloudEvent's attributes and data, in any mode. */
    public record CloudEvent(String specversion, String id, String source, String type, String subject, String customer, String time,
            String datacontenttype, JsonNode data) {
    }

    /** The event a CloudEvent carries, and what is wrong with its envelope (null: nothing). */
    public record Mapped(EventsRequest.EventBody event, Rejection problem) {
    }

    public static Mapped map(CloudEvent ce) {
        EventsRequest.EventBody event = new EventsRequest.EventBody(ce.id(), ce.type(), ce.customer() != null ? ce.customer() : ce.subject(),
                ce.time(), ce.data() != null && ce.data().isObject() ? ce.data() : null);
        Rejection problem = !"1.0".equals(ce.specversion())
                ? new Rejection("invalid_event", "specversion", "specversion must be \"1.0\", was " + ce.specversion())
                : ce.source() == null || ce.source().isBlank() ? new Rejection("missing_field", "source", "source is required by CloudEvents")
                : !json(ce.datacontenttype()) ? new Rejection("invalid_event", "datacontenttype", "Tally reads data as a JSON object of"
                        + " properties: datacontenttype must be application/json (or absent), was " + EventsResource.shown(ce.datacontenttype()))
                : ce.data() != null && !ce.data().isObject() && !ce.data().isNull()
                        ? new Rejection("invalid_property", "data", "data must be a JSON object of properties") : null;
        return new Mapped(event, problem);
    }

    /**
     * A binary-mode event: each attribute from {@code attribute} (given its name, e.g. {@code "id"}: the value of
     * {@code ce-id} over HTTP, {@code ce_id} on Kafka, or null), the data already read from the body.
     */
    public static CloudEvent binary(UnaryOperator<String> attribute, String contentType, JsonNode data) {
        return new CloudEvent(attribute.apply("specversion"), attribute.apply("id"), attribute.apply("source"), attribute.apply("type"),
                attribute.apply("subject"), attribute.apply("customer"), attribute.apply("time"), contentType, data);
    }

    /** Whether data of this content type is JSON (no content type: JSON, as CloudEvents' JSON format assumes). */
    static boolean json(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return true;
        }
        String base = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return base.equals("application/json") || base.endsWith("+json") && !base.equals(STRUCTURED) && !base.equals(BATCH);
    }

    /** The 415 for a body of {@code contentType} ({@code binary}: a CloudEvent in binary mode, by its ce-specversion header). */
    static ProblemException unsupported(String contentType, boolean binary) {
        String shown = contentType == null ? "none" : EventsResource.shown(contentType);
        return new ProblemException(415, "unsupported-media-type", "Unsupported media type", binary
                ? "a CloudEvent in binary mode whose data is " + shown + ": Tally reads data as a JSON object of properties (Content-Type:"
                        + " application/json). " + MODES
                : "Content-Type " + shown + " is not read here: send events as application/json (an array, or {\"events\": [ … ]}); " + MODES,
                null, null);
    }

    /** Whether a body is empty or only whitespace. */
    static boolean blank(byte[] body) {
        for (byte b : body) {
            if (!Character.isWhitespace(b)) {
                return false;
            }
        }
        return true;
    }

    /**
     * An HTTP {@code ce-*} header's value as the HTTP binding writes it: characters outside printable ASCII, space,
     * double quote and percent are percent-encoded UTF-8. A malformed escape is left as it is.
     */
    public static String percentDecoded(String value) {
        if (value == null || value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
        byte[] in = value.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            int hi = i + 2 < in.length && in[i] == '%' ? Character.digit(in[i + 1], 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(in[i + 2], 16);
            if (lo >= 0) {
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.write(in[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
