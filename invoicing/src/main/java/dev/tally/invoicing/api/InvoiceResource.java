package dev.tally.invoicing.api;

import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.catalog.SubscriptionEntity;
import dev.tally.invoicing.catalog.SubscriptionService;
import dev.tally.invoicing.billing.PeriodPricing;
import dev.tally.invoicing.security.Caller;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.subscription.Subscription;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Draft invoices: the current period priced from the latest usage snapshots, explained line by line. */
@Path("/v1/customers/{externalId}/invoices")
public class InvoiceResource {
    @Inject
    PeriodPricing pricing;
    @Inject
    dev.tally.invoicing.tax.TaxProvider taxes;
    @Context
    ContainerRequestContext request;

    final Clock clock = Clock.systemUTC();

    /**
     * {@code subtotal}: the usage lines plus the terms (fixed fees, discounts, minimum commitment true-up); {@code total}:
     * the subtotal plus an exclusive tax ({@code tax} null when the customer's tax region has no rate).
     */
    public record DraftInvoice(String customer, String customerId, String status, String currency, Instant periodStart,
            Instant periodEnd, String subscriptionId, String plan, int planVersion, List<PeriodPricing.Line> lines,
            List<dev.tally.model.terms.PeriodTerms.Line> terms, BigDecimal subtotal,
            dev.tally.invoicing.billing.Invoices.Tax tax, BigDecimal total, String rounding) {
    }

    /**
     * The draft for the subscription period containing {@code at} (default now) — of the subscription
     * active then, else the one overlapping that calendar month — priced by the plan version in force
     * at {@code at} (or at the subscription's start, when {@code at} is before it) with the same
     * computation as the finalized invoice ({@link PeriodPricing}). Rating places a subscribed customer's
     * usage in the same periods. Fixed fees are prorated by seconds across a mid-period plan change; usage is
     * priced by the plan version in force at {@code at}.
     */
    @GET
    @Path("/draft")
    @Transactional
    public DraftInvoice draft(@PathParam("externalId") String externalId, @QueryParam("at") String at) {
        String tenant = Caller.of(request).tenant();
        CustomerEntity customer = CustomerService.byExternalId(tenant, externalId);
        Instant when;
        try {
            when = at == null ? clock.instant() : Instant.parse(at);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("invalid-field", "at must be an ISO-8601 instant", "at");
        }
        BillingPeriod period = BillingPeriod.calendarMonthOf(when);
        Subscription subscription = null;
        for (SubscriptionEntity e : SubscriptionEntity.ofCustomer(tenant, customer.customerId)) {
            Subscription s = SubscriptionService.load(e);
            boolean overlapsPeriod = s.start().isBefore(period.end()) && (s.end() == null || s.end().isAfter(period.start()));
            if (overlapsPeriod && (subscription == null || s.activeAt(when))) {
                subscription = s;
            }
        }
        if (subscription == null) {
            throw ProblemException.conflict("no-subscription", "customer '" + externalId + "' has no subscription in the period "
                    + period.start() + " to " + period.end(), "at");
        }
        Instant priced = when.isBefore(subscription.start()) ? subscription.start()
                : subscription.end() != null && !when.isBefore(subscription.end()) ? subscription.end().minusNanos(1000) : when;
        // the subscription's period (rating meters a subscribed customer's usage in the same periods)
        period = subscription.periodAt(priced).orElseThrow();
        PeriodPricing.Priced p = pricing.price(tenant, customer.customerId, customer.currency, subscription, period, priced);
        dev.tally.invoicing.billing.Invoices.Tax tax = taxes.rateFor(tenant, customer.taxRegion, clock.instant())
                .map(rate -> dev.tally.invoicing.billing.Invoices.Tax.of(dev.tally.model.tax.Taxes.apply(
                        dev.tally.model.money.Money.of(p.total(), p.currency()), rate, RoundingPolicy.DEFAULT))).orElse(null);
        return new DraftInvoice(externalId, customer.customerId, "draft", p.currency(), period.start(), period.end(),
                subscription.subscriptionId(), p.phase().planKey(), p.phase().planVersion(), p.lines(), p.terms(), p.total(), tax,
                tax == null ? p.total() : tax.gross(), dev.tally.invoicing.billing.Invoices.ROUNDING);
    }
}
