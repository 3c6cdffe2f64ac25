package dev.tally.model.invoice;

import dev.tally.model.metering.BillingPeriod;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A period's usage so far carried on to the period's end at the rate it has run at: what "projected" means on the
 * draft and in the customer portal. Only additive meters (COUNT, SUM) are carried on — their quantity, each group's and
 * each plan segment's part are multiplied by period ÷ elapsed; a non-additive meter (MAX, UNIQUE_COUNT, …) stays as it
 * is, since more time does not make a maximum larger. Each projected quantity keeps the decimals of the quantity it
 * comes from (HALF_UP, the only rounding here); the amount is then priced by {@link InvoiceGenerator} like any draft,
 * so a projection is rounded exactly where an invoice is. No projection before {@link #MINIMUM_ELAPSED} of the period
 * has passed: a few hours say too little about a month.
 */
public final class UsageProjection {
    /** How much of a period must have passed before it is projected. */
    public static final Duration MINIMUM_ELAPSED = Duration.ofDays(1);

    private UsageProjection() {
    }

    /** How far a projection reaches: the elapsed part of the period it was made from, and the whole period. */
    public record Basis(Instant asOf, long elapsedSeconds, long periodSeconds) {
    }

    /** The usage at the period's end, or empty when less than {@link #MINIMUM_ELAPSED} has passed. */
    public static Optional<Map<String, InvoiceGenerator.Usage>> project(Map<String, InvoiceGenerator.Usage> usage, Set<String> additiveMeters,
            BillingPeriod period, Instant now) {
        return basis(period, now).map(b -> project(usage, additiveMeters, b));
    }

    /** The usage carried on by {@code basis}: additive meters scaled, the others as they are. */
    public static Map<String, InvoiceGenerator.Usage> project(Map<String, InvoiceGenerator.Usage> usage, Set<String> additiveMeters, Basis basis) {
        Map<String, InvoiceGenerator.Usage> out = new HashMap<>();
        usage.forEach((meter, u) -> out.put(meter, additiveMeters.contains(meter) ? scale(u, basis) : u));
        return out;
    }

    /** The basis of a projection made at {@code now}; at or after the period's end the usage is the period's own. */
    public static Optional<Basis> basis(BillingPeriod period, Instant now) {
        long total = Duration.between(period.start(), period.end()).toSeconds();
        long elapsed = Math.min(total, Duration.between(period.start(), now).toSeconds());
        if (elapsed < MINIMUM_ELAPSED.toSeconds()) {
            return Optional.empty();
        }
        return Optional.of(new Basis(now, elapsed, total));
    }

    private static InvoiceGenerator.Usage scale(InvoiceGenerator.Usage u, Basis b) {
        PlanCharges.MeterUsage m = scale(u.meterUsage(), b);
        return new InvoiceGenerator.Usage(m.quantity(), m.eventCount(), u.version(), m.groups(), m.segments());
    }

    private static PlanCharges.MeterUsage scale(PlanCharges.MeterUsage s, Basis b) {
        Map<Map<String, String>, BigDecimal> groups = new HashMap<>();
        s.groups().forEach((k, q) -> groups.put(k, scale(q, b)));
        Map<Instant, PlanCharges.MeterUsage> segments = new HashMap<>();
        s.segments().forEach((at, inner) -> segments.put(at, scale(inner, b)));
        return new PlanCharges.MeterUsage(scale(s.quantity(), b), scale(s.eventCount(), b), groups, segments);
    }

    /** {@code q × period ÷ elapsed}, with q's own decimals. */
    static BigDecimal scale(BigDecimal q, Basis b) {
        int scale = Math.max(0, q.scale());
        return q.multiply(BigDecimal.valueOf(b.periodSeconds())).divide(BigDecimal.valueOf(b.elapsedSeconds()), scale, RoundingMode.HALF_UP);
    }

    private static long scale(long events, Basis b) {
        return scale(BigDecimal.valueOf(events), b).longValueExact();
    }
}
