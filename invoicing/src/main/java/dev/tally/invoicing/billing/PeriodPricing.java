package dev.tally.invoicing.billing;

import dev.tally.invoicing.catalog.PlanService;
import dev.tally.invoicing.catalog.PlanVersionEntity;
import dev.tally.invoicing.usage.UsageSnapshots;
import dev.tally.model.invoice.Invoice;
import dev.tally.model.invoice.InvoiceCalculator;
import dev.tally.model.invoice.InvoiceLine;
import dev.tally.model.invoice.PlanCharges;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.pricing.Decimals;
import dev.tally.model.pricing.Evaluation;
import dev.tally.model.subscription.Subscription;
import dev.tally.model.terms.PeriodTerms;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A subscription period priced from the latest usage snapshots — the one computation behind the draft and the
 * finalized invoice, so a draft read just before the close shows what the invoice will say.
 */
@ApplicationScoped
public class PeriodPricing {
    @Inject
    UsageSnapshots usage;
    @Inject
    PlanService plans;

    /** One invoice line as shown: the charge, its usage (and the snapshot versions it saw), the exact and rounded amounts, the steps. */
    public record Line(String meter, String description, String priceModel, BigDecimal quantity, long eventCount, long usageVersion,
            BigDecimal exactAmount, BigDecimal amount, List<String> explanation) {
    }

    /**
     * The priced period: the plan version in force at {@code pricedAt}, its usage lines in plan order, then its terms
     * (fixed fees of every plan version in force during the period, prorated by seconds; the discounts and minimum
     * commitment of the plan at {@code pricedAt}); {@code total} = Σ lines + Σ terms.
     */
    public record Priced(Subscription subscription, Subscription.Phase phase, BillingPeriod period, Instant pricedAt, String currency,
            List<Line> lines, List<PeriodTerms.Line> terms, BigDecimal total, Map<String, UsageSnapshots.Usage> usage) {
    }

    /** The terms of a plan version (null when it has none). */
    public PlanSpec.TermsSpec terms(String tenantId, String planKey, int version) {
        return spec(tenantId, planKey, version).terms();
    }

    private record VersionKey(String tenantId, String planKey, int version) {
    }

    /** Published plan versions never change, so their parsed documents are kept (a bounded map; a draft is read each time). */
    private final Map<VersionKey, PlanSpec> published = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(64, 0.75f, true) {
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

    /** A quantity as invoices show it (no trailing zeros, plain). */
    BigDecimal normalized(BigDecimal q) {
        return Decimals.normalized(q);
    }

    /** A charge's line for one meter at a given usage, by a given plan version; null when the plan does not charge the meter. */
    public record Charged(String description, BigDecimal exactAmount, BigDecimal amount, List<String> explanation) {
    }

    /** The line {@code planKey} v{@code version} gives {@code meter} at {@code quantity} in {@code period} (rounded once, as on the invoice). */
    public Charged charge(String tenantId, String planKey, int version, String currency, BillingPeriod period, String meter, BigDecimal quantity,
            long eventCount) {
        PlanSpec spec = spec(tenantId, planKey, version);
        Invoice invoice = InvoiceCalculator.compute(currency, period, PlanCharges.of(spec, Map.of(meter, new PlanCharges.MeterUsage(quantity,
                eventCount))), RoundingPolicy.DEFAULT);
        for (InvoiceLine l : invoice.lines()) {
            if (meter.equals(l.meterKey())) {
                return new Charged(l.description(), Decimals.normalized(l.unroundedAmount()), l.amount().amount(),
                        l.explanation().stream().map(Evaluation.Step::text).toList());
            }
        }
        return null;
    }

    /**
     * Prices {@code period} of {@code subscription} for a customer in {@code currency}, by the plan version in
     * force at {@code at} (moved into the subscription when outside it). One line per plan charge, rounded once
     * (HALF_EVEN); total = Σ lines.
     */
    public Priced price(String tenantId, String customerId, String currency, Subscription subscription, BillingPeriod period, Instant at) {
        return price(tenantId, currency, subscription, period, at, usage.forPeriod(tenantId, customerId, period.start()));
    }

    /** As {@link #price(String, String, String, Subscription, BillingPeriod, Instant)}, with the period's usage by meter given. */
    public Priced price(String tenantId, String currency, Subscription subscription, BillingPeriod period, Instant at,
            Map<String, UsageSnapshots.Usage> byMeter) {
        Instant priced = at.isBefore(subscription.start()) ? subscription.start()
                : subscription.end() != null && !at.isBefore(subscription.end()) ? subscription.end().minusNanos(1000) : at;
        Subscription.Phase phase = subscription.phaseAt(priced).orElseThrow();
        PlanSpec spec = spec(tenantId, phase.planKey(), phase.planVersion());
        Map<String, PlanCharges.MeterUsage> quantities = new HashMap<>();
        byMeter.forEach((meter, u) -> quantities.put(meter, new PlanCharges.MeterUsage(u.quantity(), u.eventCount())));
        Invoice invoice = InvoiceCalculator.compute(currency, period, PlanCharges.of(spec, quantities), RoundingPolicy.DEFAULT);
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < invoice.lines().size(); i++) {
            InvoiceLine l = invoice.lines().get(i);
            PlanSpec.ChargeSpec charge = spec.charges().get(i);
            long usageVersion = byMeter.containsKey(charge.meter()) ? byMeter.get(charge.meter()).version() : 0;
            lines.add(new Line(l.meterKey(), l.description(), charge.price().model(), Decimals.normalized(l.quantity()), l.eventCount(),
                    usageVersion, Decimals.normalized(l.unroundedAmount()), l.amount().amount(),
                    l.explanation().stream().map(Evaluation.Step::text).toList()));
        }
        List<PeriodTerms.Line> terms = new ArrayList<>(PeriodTerms.fixedFees(subscription, period, invoice.currency(),
                (planKey, version) -> terms(tenantId, planKey, version), RoundingPolicy.DEFAULT));
        BigDecimal running = invoice.total().amount();
        for (PeriodTerms.Line t : terms) {
            running = running.add(t.amount());
        }
        List<PeriodTerms.Line> adjusting = PeriodTerms.discountsAndMinimum(running, invoice.currency(), spec.terms(),
                spec.terms() == null ? 0 : PeriodTerms.periodIndex(subscription, period), RoundingPolicy.DEFAULT);
        for (PeriodTerms.Line t : adjusting) {
            running = running.add(t.amount());
        }
        terms.addAll(adjusting);
        return new Priced(subscription, phase, period, priced, invoice.currency(), lines, List.copyOf(terms), running, byMeter);
    }
}
