package dev.tally.model.messages;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A customer's usage of a meter crossed {@code percent} % of its limit in a billing period. Topic
 * {@link Topics#ALERTS}; key {@code tenantId/customerId}. Written once per (customer, meter, period,
 * percent) — rating records each crossing in the same transaction as the usage that caused it.
 *
 * @param alertId  stable id of this crossing: {@code tenant/customer/meter/periodStart/percent}
 * @param quantity the meter's usage in the period right after the crossing
 * @param blocked  the limit is hard and usage has reached it: further usage is refused by entitlement checks
 */
public record AlertV1(String alertId, String tenantId, String customerId, String meterKey, Instant periodStart, Instant periodEnd,
        int percent, BigDecimal limit, BigDecimal quantity, boolean hard, boolean blocked, Instant crossedAt) {
    public static final String SCHEMA = "AlertV1";
}
