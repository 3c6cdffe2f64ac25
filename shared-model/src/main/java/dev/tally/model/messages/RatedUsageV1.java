package dev.tally.model.messages;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A cumulative usage snapshot of one meter for one customer and period. Topic
 * {@link Topics#USAGE_RATED}; key {@code tenantId/customerId}. Consumers keep the highest
 * {@code version} per (tenant, customer, meter, period), so duplicates and reordering are harmless.
 *
 * @param quantity   the aggregate so far (exact decimal)
 * @param eventCount events that contributed to it
 * @param version    strictly increasing per (tenant, customer, meter, period)
 */
public record RatedUsageV1(String tenantId, String customerId, String meterKey, Instant periodStart, Instant periodEnd,
        BigDecimal quantity, long eventCount, long version, Instant ratedAt) {
    public static final String SCHEMA = "RatedUsageV1";
}
