package dev.tally.model.messages;

/** Kafka record headers: those Tally sets on every record a relay publishes, and those senders set on raw events. */
public final class Headers {
    private Headers() {
    }

    /** Outbox row id the record came from (decimal string). A re-published row repeats it. */
    public static final String OUTBOX_ID = "tally-outbox-id";
    /** Position of the record inside its outbox row (decimal string, from 0). */
    public static final String POSITION = "tally-position";
    /** Message schema, e.g. {@code AcceptedEventV1}. */
    public static final String SCHEMA = "tally-schema";
    /** On {@link Topics#EVENTS_RAW} records: the sender's API key (ingest or admin scope), as in {@code Authorization: Bearer}. */
    public static final String API_KEY = "tally-api-key";
    /** W3C trace context of the request that caused the record. */
    public static final String TRACEPARENT = "traceparent";
}
