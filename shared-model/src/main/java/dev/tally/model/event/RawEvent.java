package dev.tally.model.event;

import java.util.Map;

/**
 * An event as it arrived, before validation. Property values are whatever the adapter parsed:
 * {@link String}, {@link java.math.BigDecimal}, {@link Boolean}, or anything else (which is rejected).
 */
public record RawEvent(String id, String type, String customer, String timestamp, Map<String, Object> properties) {
}
