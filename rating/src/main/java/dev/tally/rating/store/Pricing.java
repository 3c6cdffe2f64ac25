package dev.tally.rating.store;

import dev.tally.model.invoice.InvoiceCalculator;
import dev.tally.model.invoice.PlanCharges;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.plan.PriceOverrides;
import dev.tally.model.subscription.Subscription;
import dev.tally.platform.catalog.CatalogView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * What a poll prices: the plan version in force for a customer's billing period, and the period's usage priced under
 * it with the draft invoice's pure functions ({@link PlanCharges}, {@link InvoiceCalculator}, {@link RoundingPolicy}),
 * so rating's figures agree with invoicing's. For the snapshot's informational {@code charge} and for spend budgets;
 * invoices are priced by invoicing alone.
 */
@ApplicationScoped
class Pricing {
    private static final Logger LOG = Logger.getLogger(Pricing.class);

    @Inject
    CatalogView catalog;

    /** The plan version in force for a customer's billing period, with the customer's currency and price overrides applied. */
    record PlanInForce(String currency, String planKey, int version, PlanSpec spec) {
    }

    /**
     * The plan in force in {@code period} at {@code now} (clamped into the period: the last instant once it ended),
     * or null: no customer, no subscription in the period (its usage is metered, not priced), or a plan version
     * not yet in rating's catalog view (logged).
     */
    PlanInForce planInForce(String tenantId, String customerId, BillingPeriod period, Instant now) {
        CatalogRecordV1.Customer customer = catalog.customer(tenantId, customerId);
        Instant at = now.isBefore(period.end()) ? (now.isBefore(period.start()) ? period.start() : now) : period.lastInstant();
        Subscription sub = catalog.subscriptions(tenantId, customerId).stream()
                .filter(x -> x.activeAt(period.start())).findFirst().orElse(null);
        if (customer == null || sub == null) {
            return null;
        }
        Subscription.Phase phase = sub.phaseAt(at.isBefore(sub.start()) ? sub.start() : at).orElse(null);
        CatalogRecordV1.PlanVersion version = phase == null ? null : catalog.planVersion(tenantId, phase.planKey(), phase.planVersion());
        if (version == null) {
            if (phase != null) {
                LOG.warnf("usage of %s/%s not priced: plan %s v%d is not in rating's catalog view yet", tenantId, customerId, phase.planKey(),
                        phase.planVersion());
            }
            return null;
        }
        Instant inside = at.isBefore(sub.start()) ? sub.start() : at;
        PlanSpec spec = PriceOverrides.apply(version.spec(), phase.planKey(), customerId, sub.subscriptionId(), inside,
                catalog.priceOverrides(tenantId, customerId)).spec();
        return new PlanInForce(customer.currency(), phase.planKey(), phase.planVersion(), spec);
    }

    /** The period's running amount: the draft invoice's total for this usage (lines rounded once, then summed). */
    static BigDecimal spend(PlanInForce plan, BillingPeriod period, Map<String, PlanCharges.MeterUsage> usage) {
        return InvoiceCalculator.compute(plan.currency(), period, PlanCharges.of(plan.spec(), usage),
                RoundingPolicy.DEFAULT).total().amount();
    }
}
