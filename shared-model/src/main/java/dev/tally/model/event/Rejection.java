package dev.tally.model.event;

/**
 * Why one event was refused. {@code code} is stable (clients branch on it); {@code field} names the
 * offending part of the event, e.g. {@code timestamp} or {@code properties.bytes}.
 */
public record Rejection(String code, String field, String message) {
}
