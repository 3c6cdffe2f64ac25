package dev.tally.model.messages;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A cumulative usage snapshot of one meter for one customer, period and group (dimension values). Topic
 * {@link Topics#USAGE_RATED}; key {@code tenantId/customerId}. Consumers keep the highest
 * {@code version} per (tenant, customer, meter, period, dimensions), so duplicates and reordering are harmless.
 *
 * @param quantity   the aggregate so far (exact decimal)
 * @param eventCount events that contributed to it
 * @param version    strictly increasing per (tenant, customer, meter, period, dimensions)
 * @param dimensions the group-by values of a grouped meter (name → value, in the meter's order); empty
 *                   or absent for an ungrouped meter. A grouped meter has one snapshot per group.
 */
public record RatedUsageV1(String tenantId, String customerId, String meterKey, Instant periodStart, Instant periodEnd,
        BigDecimal quantity, long eventCount, long version, Instant ratedAt, java.util.Map<String, String> dimensions) {
    public static final String SCHEMA = "RatedUsageV1";
}
