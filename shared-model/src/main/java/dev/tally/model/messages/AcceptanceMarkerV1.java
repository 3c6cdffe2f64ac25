package dev.tally.model.messages;

import java.time.Instant;

/**
 * ingest's progress marker, written to its outbox every second and relayed to <em>every</em>
 * partition of {@link Topics#EVENTS_ACCEPTED} (one record per partition): every event and correction
 * ingest accepted before {@code acceptedBefore} was committed, and — because the relay publishes
 * committed outbox rows in id order — sits on its partition ahead of this marker.
 *
 * <p>{@code acceptedBefore} is the marker's commit time minus {@code tally.ingest.watermark-lag} (longer
 * than any accept transaction may run, plus clock skew between ingest instances): an accept
 * transaction that took its acceptance time earlier than that has committed before the marker did.
 * Rating turns markers into {@link WatermarkV1}s.
 *
 * @param acceptedBefore exclusive acceptance-time bound
 * @param markedAt       when the marker was written
 * @param partition      the partition this copy is meant for (its key was chosen to land there)
 */
public record AcceptanceMarkerV1(Instant acceptedBefore, Instant markedAt, int partition) {
    public static final String SCHEMA = "AcceptanceMarkerV1";
}
