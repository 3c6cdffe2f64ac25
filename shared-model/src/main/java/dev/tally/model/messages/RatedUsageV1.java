package dev.tally.model.messages;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

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
 * @param charge     always absent since rating stopped pricing snapshots (issue 18: invoicing's InvoiceGenerator
 *                   is the one owner of pricing a period; rating's spend API prices on request). Kept so that
 *                   readers of older records and of this schema do not break; a V2 would drop it
 * @param segments   where the plan changed during the period: the part of {@code quantity} and {@code eventCount} in
 *                   each later segment (events stamped with that {@code segmentStart}), in time order; the rest is the
 *                   first segment's. Absent when the plan did not change, and for meters that are not sums (their
 *                   period is priced whole, by the plan in force at its end)
 */
public record RatedUsageV1(String tenantId, String customerId, String meterKey, Instant periodStart, Instant periodEnd,
        BigDecimal quantity, long eventCount, long version, Instant ratedAt, Map<String, String> dimensions, Charge charge,
        List<Segment> segments) {
    public static final String SCHEMA = "RatedUsageV1";

    /** A snapshot without a priced charge. */
    public RatedUsageV1(String tenantId, String customerId, String meterKey, Instant periodStart, Instant periodEnd, BigDecimal quantity,
            long eventCount, long version, Instant ratedAt, Map<String, String> dimensions) {
        this(tenantId, customerId, meterKey, periodStart, periodEnd, quantity, eventCount, version, ratedAt, dimensions, null, null);
    }

    /** A snapshot of a period the plan did not change in. */
    public RatedUsageV1(String tenantId, String customerId, String meterKey, Instant periodStart, Instant periodEnd, BigDecimal quantity,
            long eventCount, long version, Instant ratedAt, Map<String, String> dimensions, Charge charge) {
        this(tenantId, customerId, meterKey, periodStart, periodEnd, quantity, eventCount, version, ratedAt, dimensions, charge, null);
    }

    /** The usage of one later segment: from {@code start} (a plan change) to the next change or the period's end. */
    public record Segment(Instant start, BigDecimal quantity, long eventCount) {
    }

    /**
     * The meter's charge: prices apply to the meter's total over all its groups, so every group's snapshot of
     * one poll carries the same charge. Only in records written before issue 18; informational then too.
     *
     * @param planKey       the plan in force (at the snapshot's time, or the period's last instant once it ended)
     * @param planVersion   its version
     * @param currency      the customer's currency
     * @param quantity      the meter's total in the period over all groups
     * @param exactAmount   the charge before rounding (high scale)
     * @param breakdown     the price steps, e.g. "tier 2 (1000–10000): 9000 × USD 0.001 = USD 9.000"
     */
    public record Charge(String planKey, int planVersion, String currency, BigDecimal quantity, BigDecimal exactAmount,
            List<String> breakdown) {
    }
}
