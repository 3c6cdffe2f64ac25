package dev.tally.model.messages;

import java.time.Instant;

/**
 * Rating's promise: every event accepted with a timestamp before {@code eventTimeBefore} has been
 * rated into the snapshots already published on partition {@code partition}. Topic
 * {@link Topics#WATERMARKS}; key {@code rating/<partition>}. Invoicing closes a period once the
 * lowest watermark over all partitions passes the period's end plus its grace.
 *
 * @param partition       the {@link Topics#EVENTS_ACCEPTED} partition this watermark covers
 * @param eventTimeBefore exclusive event-time bound
 * @param publishedAt     when rating published it
 */
public record WatermarkV1(int partition, Instant eventTimeBefore, Instant publishedAt) {
    public static final String SCHEMA = "WatermarkV1";
}
