package dev.tally.invoicing.archive;

import java.time.Instant;

/**
 * One record of {@code tally.events.accepted} as the archive keeps it: where it was on the topic, what it is, and its
 * value exactly as published (the JSON that reconciliation's recount folds, so a recount from the archive reads what a
 * recount from the topic reads).
 *
 * @param schema    the record's schema header ({@code AcceptedEventV1}, {@code EventCorrectionV1}; null if absent)
 * @param eventTime the event's time (a correction: of the version it replaces, or of its new version); null if unreadable
 */
public record ArchivedRecord(int partition, long offset, Instant publishedAt, String schema, String tenantId, String customerId, String eventId,
        Instant eventTime, String value) {
}
