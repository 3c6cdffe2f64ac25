package dev.tally.platform.outbox;

/**
 * One Kafka record waiting in the outbox: its key, its JSON value and the W3C trace context it
 * belongs to (may be empty).
 */
public record OutboxRecord(String key, String payload, String traceparent) {
}
