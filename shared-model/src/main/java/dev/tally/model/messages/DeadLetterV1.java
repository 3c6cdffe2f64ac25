package dev.tally.model.messages;

import java.time.Instant;

/**
 * A raw record ingest could not accept, on {@link Topics#EVENTS_DEAD}: why (a rejection code —
 * {@code unauthorized}, {@code malformed_json} or an event rejection such as {@code invalid_timestamp}
 * — with the field and a message), where it came from, and the original value, so the sender can fix
 * and resend it. Duplicates are not dead letters (they are expected), and neither are events without
 * a customer yet (those wait in the quarantine).
 *
 * @param keyId    the sender's API key id, when the key was valid
 * @param tenantId the key's tenant, when the key was valid
 */
public record DeadLetterV1(String code, String field, String message, String sourceTopic, int partition, long offset, String keyId,
        String tenantId, String value, Instant at) {
    public static final String SCHEMA = "DeadLetterV1";
}
