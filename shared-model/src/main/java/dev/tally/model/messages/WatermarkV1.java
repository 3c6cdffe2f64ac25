package dev.tally.model.messages;

import java.time.Instant;

/**
 * Rating's promise for one partition of {@link Topics#EVENTS_ACCEPTED}: every event (and correction)
 * ingest accepted before {@code acceptedBefore} that landed on {@code partition} has been rated, and
 * the snapshots it changed were written to rating's outbox before this watermark. Topic
 * {@link Topics#WATERMARKS}; key {@code rating/<partition>}; compacted. The same bound holds for every
 * tenant: a tenant's watermark is the lowest over all partitions.
 *
 * <p>The bound is on <em>acceptance</em> time, not event time: ingest accepts events whose time lies
 * up to the dedup window (35 days) in the past, so no event-time bound can be promised. A period is
 * complete "as of" a watermark past its end plus a grace: events of it accepted later are late and
 * become adjustments. Invoicing closes a period once the lowest watermark passes the period's end
 * plus the tenant's grace, and once its usage consumer has read {@link Topics#USAGE_RATED} up to the
 * end offsets it sees after reading the watermark (the relay publishes snapshots before it).
 *
 * @param partition      the {@link Topics#EVENTS_ACCEPTED} partition this watermark covers
 * @param acceptedBefore exclusive acceptance-time bound
 * @param publishedAt    when rating wrote it
 */
public record WatermarkV1(int partition, Instant acceptedBefore, Instant publishedAt) {
    public static final String SCHEMA = "WatermarkV1";
}
