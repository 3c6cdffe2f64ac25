package dev.tally.model.messages;

/** Kafka record headers Tally sets on every record a relay publishes. */
public final class Headers {
    private Headers() {
    }

    /** Outbox row id the record came from (decimal string). A re-published row repeats it. */
    public static final String OUTBOX_ID = "tally-outbox-id";
    /** Position of the record inside its outbox row (decimal string, from 0). */
    public static final String POSITION = "tally-position";
    /** Message schema, e.g. {@code AcceptedEventV1}. */
    public static final String SCHEMA = "tally-schema";
    /** W3C trace context of the request that caused the record. */
    public static final String TRACEPARENT = "traceparent";
}
