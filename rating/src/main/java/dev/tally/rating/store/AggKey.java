package dev.tally.rating.store;

import java.time.Instant;

/** One aggregate: a customer's meter in a billing period and group ({@code dimensions} canonical JSON, '{}' ungrouped). */
record AggKey(String tenantId, String customerId, String meterKey, Instant periodStart, String dimensions) {
}
