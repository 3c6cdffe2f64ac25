package dev.tally.model.messages;

import java.time.Instant;

/**
 * A correction of an accepted event: a retraction or an amendment of its properties. Topic
 * {@link Topics#EVENTS_ACCEPTED}, key {@code tenantId/customerId} — the same key as the event, so it
 * lands on the event's partition, after it. JSON; decimals are strings.
 *
 * <p>A consumer applies it as "take {@code previous} out, put {@code current} in": {@code previous}
 * is the event as it stood before this correction (the original, or the last amendment), and
 * {@code current} is the event as it stands after it (null for a retraction). Corrections of one
 * event are numbered from 1 and applied in that order.
 *
 * @param kind        {@code retract} or {@code amend}
 * @param sequence    1 for the event's first correction, then 2, …
 * @param reason      the sender's reason, as given (required)
 * @param actor       who asked: {@code key:<api key id>}
 * @param correctedAt when ingest committed the correction
 */
public record EventCorrectionV1(String tenantId, String customerId, String eventId, String kind, int sequence,
        AcceptedEventV1 previous, AcceptedEventV1 current, String reason, String actor, Instant correctedAt) {
    public static final String SCHEMA = "EventCorrectionV1";
    public static final String RETRACT = "retract";
    public static final String AMEND = "amend";
}
