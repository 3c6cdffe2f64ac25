package dev.tally.rating.store;

import dev.tally.model.invoice.PhasedCharges;
import dev.tally.model.invoice.PlanCharges;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.subscription.Subscription;
import dev.tally.platform.catalog.CatalogView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * What rating prices — spend budgets on each poll, and the spend API: a customer's billing period cut into its plan
 * segments, its usage priced over them with the draft invoice's pure function ({@link PhasedCharges}, rounding by
 * {@link RoundingPolicy}), so rating's figures agree with invoicing's draft to the minor unit. Invoices are priced by
 * invoicing alone.
 */
@ApplicationScoped
public class Pricing {
    private static final Logger LOG = Logger.getLogger(Pricing.class);

    @Inject
    CatalogView catalog;

    /**
     * What prices a customer's billing period: its currency and the period's plan segments (each plan version in force
     * during it, with the customer's overrides, {@link PhasedCharges#segments}) — the draft invoice's own.
     */
    public record PlanInForce(String currency, List<PhasedCharges.PlanSegment> segments) {
    }

    /**
     * The plan segments of {@code period}, or null: no customer, no subscription in the period (its usage is metered,
     * not priced), or a plan version not yet in rating's catalog view (logged).
     */
    public PlanInForce planInForce(String tenantId, String customerId, BillingPeriod period) {
        CatalogRecordV1.Customer customer = catalog.customer(tenantId, customerId);
        Subscription sub = catalog.subscriptions(tenantId, customerId).stream()
                .filter(x -> x.activeAt(period.start())).findFirst().orElse(null);
        if (customer == null || sub == null) {
            return null;
        }
        for (Subscription.Segment seg : sub.segments(period)) {
            Subscription.Phase phase = seg.phase();
            if (catalog.planVersion(tenantId, phase.planKey(), phase.planVersion()) == null) {
                LOG.warnf("usage of %s/%s not priced: plan %s v%d is not in rating's catalog view yet", tenantId, customerId, phase.planKey(),
                        phase.planVersion());
                return null;
            }
        }
        List<PhasedCharges.PlanSegment> segments = PhasedCharges.segments(sub, period,
                (key, version) -> catalog.planVersion(tenantId, key, version).spec(), catalog.priceOverrides(tenantId, customerId));
        return segments.isEmpty() ? null : new PlanInForce(customer.currency(), segments);
    }

    /** The period's running amount: the draft invoice's usage lines for this usage (each rounded once), summed. */
    public static BigDecimal spend(PlanInForce plan, BillingPeriod period, Map<String, PlanCharges.MeterUsage> usage) {
        BigDecimal total = BigDecimal.ZERO;
        for (PhasedCharges.Line l : PhasedCharges.price(plan.currency(), period, plan.segments(), usage, RoundingPolicy.DEFAULT)) {
            total = total.add(l.line().amount().amount());
        }
        return total;
    }
}
