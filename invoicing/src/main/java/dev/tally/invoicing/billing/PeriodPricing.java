package dev.tally.invoicing.billing;

import dev.tally.invoicing.catalog.PlanService;
import dev.tally.invoicing.catalog.PlanVersionEntity;
import dev.tally.invoicing.usage.UsageSnapshots;
import dev.tally.model.invoice.InvoiceGenerator;
import dev.tally.model.invoice.InvoiceLine;
import dev.tally.model.invoice.PhasedCharges;
import dev.tally.model.invoice.PlanCharges;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.plan.PriceOverride;
import dev.tally.model.pricing.Decimals;
import dev.tally.model.subscription.Subscription;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * What pricing reads from storage: the plan versions (published ones kept parsed) and the usage snapshots, handed to
 * the pure {@link InvoiceGenerator} — the one computation behind the draft and the finalized invoice — and a single
 * charge's line for the adjustments of earlier periods.
 */
@ApplicationScoped
public class PeriodPricing {
    @Inject
    UsageSnapshots usage;
    @Inject
    PlanService plans;

    /** The terms of a plan version (null when it has none). */
    public PlanSpec.TermsSpec terms(String tenantId, String planKey, int version) {
        return spec(tenantId, planKey, version).terms();
    }

    private record VersionKey(String tenantId, String planKey, int version) {
    }

    /** Published plan versions never change, so their parsed documents are kept (a bounded map; a draft is read each time). */
    private final Map<VersionKey, PlanSpec> published = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<VersionKey, PlanSpec> eldest) {
            return size() > 1_000;
        }
    });

    private PlanSpec spec(String tenantId, String planKey, int version) {
        VersionKey k = new VersionKey(tenantId, planKey, version);
        PlanSpec spec = published.get(k);
        if (spec == null) {
            PlanVersionEntity v = PlanVersionEntity.get(tenantId, planKey, version);
            spec = plans.spec(v);
            if (PlanVersionEntity.PUBLISHED.equals(v.status)) {
                published.put(k, spec);
            }
        }
        return spec;
    }

    /** A charge's line for one meter at a given usage, by a given plan version; null when the plan does not charge the meter. */
    public record Charged(String description, BigDecimal exactAmount, BigDecimal amount, List<String> explanation) {
    }

    /**
     * The line {@code meter} gets at {@code usage} in {@code period} of subscription {@code s} (rounded once, as on the
     * invoice): each plan segment of the period priced by its plan version with the customer's price overrides in force
     * at its end ({@link PhasedCharges}) — the prices the period's invoice used. Null when no version in the period
     * charges the meter.
     */
    public Charged charge(String tenantId, Subscription s, List<PriceOverride> overrides, String currency, BillingPeriod period, String meter,
            PlanCharges.MeterUsage usage) {
        List<PhasedCharges.PlanSegment> segments = PhasedCharges.segments(s, period, plans(tenantId), overrides);
        for (PhasedCharges.Line pl : PhasedCharges.price(currency, period, segments, Map.of(meter, usage), RoundingPolicy.DEFAULT)) {
            InvoiceLine l = pl.line();
            if (meter.equals(l.meterKey())) {
                return new Charged(l.description(), Decimals.normalized(l.unroundedAmount()), l.amount().amount(), pl.explanation());
            }
        }
        return null;
    }

    /** The plan documents of a tenant by key and version, as {@link InvoiceGenerator} asks for them. */
    public BiFunction<String, Integer, PlanSpec> plans(String tenantId) {
        return (planKey, version) -> spec(tenantId, planKey, version);
    }

    /** The period's usage of a customer by meter, as the generator takes it. */
    public Map<String, InvoiceGenerator.Usage> usage(String tenantId, String customerId, BillingPeriod period) {
        return forGenerator(usage.forPeriod(tenantId, customerId, period.start()));
    }

    /** Stored usage snapshots by meter, as the generator takes them. */
    public static Map<String, InvoiceGenerator.Usage> forGenerator(Map<String, UsageSnapshots.Usage> byMeter) {
        Map<String, InvoiceGenerator.Usage> out = new HashMap<>();
        byMeter.forEach((meter, u) -> out.put(meter, new InvoiceGenerator.Usage(u.quantity(), u.eventCount(), u.version(), u.groups(),
                u.segments())));
        return out;
    }
}
