package dev.tally.model.messages;

import java.util.List;

/** Kafka topic names: the one place they are spelled. */
public final class Topics {
    private Topics() {
    }

    /**
     * Accepted, deduplicated events ({@link AcceptedEventV1}) and their corrections ({@link EventCorrectionV1}),
     * keyed by tenant/customer; the {@code tally-schema} header says which. Written by ingest's relay.
     */
    public static final String EVENTS_ACCEPTED = "tally.events.accepted";
    /**
     * Raw events from high-volume senders (one event JSON object per record, the sender's ingest-scope
     * API key in header {@link Headers#API_KEY}). ingest validates and deduplicates them like HTTP events.
     */
    public static final String EVENTS_RAW = "tally.events.raw";
    /** Raw records ingest could not accept ({@link DeadLetterV1}, with the reason), keyed like the original. */
    public static final String EVENTS_DEAD = "tally.events.dead";
    /** Cumulative usage snapshots ({@link RatedUsageV1}), keyed by tenant/customer. Written by rating's relay. */
    public static final String USAGE_RATED = "tally.usage.rated";
    /** Compacted catalog ({@link CatalogRecordV1}): API keys, customers, meters. Written by invoicing's relay. */
    public static final String CATALOG = "tally.catalog";

    /** Event-time watermarks ({@link WatermarkV1}), compacted per partition. Written by rating's relay. */
    public static final String WATERMARKS = "tally.watermarks";
    /** Limit threshold crossings ({@link AlertV1}), keyed by tenant/customer, one per crossing. Written by rating's relay. */
    public static final String ALERTS = "tally.alerts";
    /** Finalized invoices ({@link InvoiceIssuedV1}), keyed by tenant/customer. Written by invoicing's relay. */
    public static final String INVOICES = "tally.invoices";

    /** Topics the local stack pre-creates: name, partitions, compacted. */
    public record Spec(String name, int partitions, boolean compacted) {
    }

    public static final List<Spec> ALL = List.of(
            new Spec(EVENTS_RAW, 4, false),
            new Spec(EVENTS_DEAD, 4, false),
            new Spec(EVENTS_ACCEPTED, 4, false),
            new Spec(USAGE_RATED, 4, false),
            // one partition keeps catalog changes in their causal order for every reader
            new Spec(CATALOG, 1, true),
            new Spec(WATERMARKS, 1, true),
            new Spec(INVOICES, 4, false),
            new Spec(ALERTS, 4, false));
}
