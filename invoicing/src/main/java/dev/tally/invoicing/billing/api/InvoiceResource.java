package dev.tally.invoicing.billing.api;

import dev.tally.invoicing.billing.Invoices;
import dev.tally.invoicing.billing.LateUsageAdjustments;
import dev.tally.invoicing.billing.PeriodCloser;
import dev.tally.invoicing.billing.PeriodPricing;
import dev.tally.invoicing.billing.ProgressiveInvoices;
import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.catalog.MeterEntity;
import dev.tally.invoicing.catalog.PriceOverrideStore;
import dev.tally.invoicing.catalog.SubscriptionEntity;
import dev.tally.invoicing.catalog.SubscriptionService;
import dev.tally.invoicing.catalog.TenantService;
import dev.tally.invoicing.coupon.CouponStore;
import dev.tally.invoicing.credit.CreditLedger;
import dev.tally.invoicing.security.Caller;
import dev.tally.invoicing.tax.TaxProvider;
import dev.tally.model.invoice.InvoiceDocumentV1;
import dev.tally.model.invoice.InvoiceGenerator;
import dev.tally.model.invoice.ProgressiveBilling;
import dev.tally.model.invoice.UsageProjection;
import dev.tally.model.metering.Aggregation;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.plan.PriceOverride;
import dev.tally.model.subscription.Subscription;
import dev.tally.model.terms.Coupons;
import dev.tally.model.terms.CreditGrant;
import dev.tally.model.terms.PeriodTerms;
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
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * Draft invoices: the subscription period made into its invoice document now, by the same function and from the same
 * inputs as the period close ({@link InvoiceGenerator}), so the draft is an exact preview of the finalized invoice.
 */
@Path("/v1/customers/{externalId}/invoices")
public class InvoiceResource {
    @Inject
    ProgressiveInvoices progressiveInvoices;
    @Inject
    CouponStore coupons;
    @Inject
    PriceOverrideStore priceOverrides;
    @Inject
    PeriodPricing pricing;
    @Inject
    Invoices invoices;
    @Inject
    LateUsageAdjustments lateUsage;
    @Inject
    PeriodCloser closer;
    @Inject
    CreditLedger credits;
    @Inject
    TaxProvider taxes;
    @Inject
    TenantService tenants;
    @Inject
    DataSource dataSource;
    @Context
    ContainerRequestContext request;

    @Inject
    Clock clock;

    /**
     * A draft: {@code customer} the external id, {@code status} "draft", and the invoice document the close would make
     * now — usage lines, terms, the adjustments of earlier periods that will go on this invoice, subtotal, tax, total,
     * prepaid credit it would use and the amount due ({@link InvoiceDocumentV1}; no id, number or finalization yet).
     */
    public record DraftInvoice(String customer, String customerId, String status, String currency, Instant periodStart,
            Instant periodEnd, Instant pricedAt, String subscriptionId, String plan, int planVersion, List<InvoiceDocumentV1.Line> lines,
            List<PeriodTerms.Line> terms, List<InvoiceDocumentV1.Adjustment> adjustments, BigDecimal subtotal, InvoiceDocumentV1.Tax tax,
            BigDecimal total, BigDecimal creditsApplied, List<InvoiceDocumentV1.CreditUse> credits, BigDecimal amountDue, String rounding) {
        static DraftInvoice of(String externalId, String status, InvoiceDocumentV1 d) {
            return new DraftInvoice(externalId, d.customerId(), status, d.currency(), d.periodStart(), d.periodEnd(), d.pricedAt(),
                    d.subscriptionId(), d.plan(), d.planVersion(), d.lines(), d.terms(), d.adjustments(), d.subtotal(), d.tax(), d.total(),
                    d.creditsApplied(), d.credits(), d.amountDue(), d.rounding());
        }
    }

    /**
     * The draft of the subscription period containing {@code at} (default now) — of the subscription active then, else
     * the one overlapping that calendar month. As the close will: priced by the plan version in force at the period's
     * last instant (fixed fees prorated across plan changes), with the late usage of earlier periods as adjustments when
     * this is the customer's oldest period still to be invoiced, the tax rate in force now, and the customer's prepaid
     * credit burnt down (shown, not used: nothing is written).
     */
    @GET
    @Path("/draft")
    @Transactional
    public DraftInvoice draft(@PathParam("externalId") String externalId, @QueryParam("at") String at) throws Exception {
        return DraftInvoice.of(externalId, "draft", document(externalId, at, false).document());
    }

    /**
     * The period's total if usage goes on as it has: the draft of the period containing now, with each additive meter's
     * usage so far carried on to the period's end at its rate ({@link UsageProjection}) and priced by the same function
     * as the invoice. {@code projected} is null in the period's first day (with a note saying why).
     */
    public record Projection(String customer, Instant asOf, long elapsedSeconds, long periodSeconds, DraftInvoice projected, String method) {
    }

    @GET
    @Path("/projection")
    @Transactional
    public Projection projection(@PathParam("externalId") String externalId) throws Exception {
        Generated g = document(externalId, null, true);
        UsageProjection.Basis b = g.basis();
        if (b == null) {
            return new Projection(externalId, clock.instant(), 0, 0, null, "no projection before "
                    + UsageProjection.MINIMUM_ELAPSED.toHours() + " hours of the period have passed");
        }
        return new Projection(externalId, b.asOf(), b.elapsedSeconds(), b.periodSeconds(), DraftInvoice.of(externalId, "projected", g.document()),
                "each COUNT and SUM meter's usage so far × period ÷ elapsed, to the quantity's own decimals (HALF_UP);"
                        + " other meters as they are; priced and rounded as the invoice is");
    }

    private record Generated(InvoiceDocumentV1 document, UsageProjection.Basis basis) {
    }

    private Generated document(String externalId, String at, boolean projected) throws Exception {
        String tenant = Caller.of(request).tenant();
        CustomerEntity customer = CustomerService.byExternalId(tenant, externalId);
        Instant now = clock.instant();
        Instant when;
        try {
            when = at == null ? now : Instant.parse(at);
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
        Instant inside = when.isBefore(subscription.start()) ? subscription.start()
                : subscription.end() != null && !when.isBefore(subscription.end()) ? subscription.end().minusNanos(1_000) : when;
        // the subscription's period (rating meters a subscribed customer's usage in the same periods)
        period = subscription.periodAt(inside).orElseThrow();
        Invoices.Customer who = new Invoices.Customer(customer.customerId, customer.externalId, customer.currency, customer.taxRegion);
        List<InvoiceDocumentV1.Adjustment> adjustments = List.of();
        List<CreditGrant> grants;
        List<PriceOverride> overrides;
        List<Coupons.Redemption> redemptions;
        List<ProgressiveBilling.Billed> progressive;
        try (Connection c = dataSource.getConnection()) {
            // late usage of earlier periods goes on the customer's oldest invoice still to be made: this one, unless an
            // earlier period is still waiting for its close
            if (closer.due(tenant, period.start(), customer.customerId).isEmpty()) {
                adjustments = lateUsage.adjustments(c, tenant, List.of(new PeriodCloser.Due(who, subscription, period)), false)
                        .getOrDefault(customer.customerId, List.of());
            }
            grants = credits.grants(c, tenant, List.of(customer.customerId)).getOrDefault(customer.customerId, List.of());
            overrides = priceOverrides.ofCustomer(c, tenant, customer.customerId);
            redemptions = coupons.redemptions(c, tenant, List.of(customer.customerId)).getOrDefault(customer.customerId, List.of());
            progressive = progressiveInvoices.billed(c, tenant, List.of(customer.customerId))
                    .getOrDefault(ProgressiveInvoices.key(subscription.subscriptionId(), period.start()), List.of());
        }
        Map<String, InvoiceGenerator.Usage> usage = pricing.usage(tenant, customer.customerId, period);
        UsageProjection.Basis basis = null;
        if (projected) {
            Set<String> additive = MeterEntity.ofTenant(tenant).stream().filter(m -> Aggregation.valueOf(m.aggregation).additive())
                    .map(m -> m.meterKey).collect(Collectors.toSet());
            basis = UsageProjection.basis(period, now).orElse(null);
            usage = basis == null ? usage : UsageProjection.project(usage, additive, basis);
        }
        InvoiceGenerator.Generated draft = InvoiceGenerator.generate(new InvoiceGenerator.Request(null, null, customer.customerId,
                customer.externalId, customer.currency, subscription, period, pricing.plans(tenant), overrides, usage, adjustments, redemptions,
                progressive, grants, taxes.rateFor(tenant, customer.taxRegion, tenants.taxPoint(tenant).at(period, now)).orElse(null),
                RoundingPolicy.DEFAULT, now, null, null));
        return new Generated(draft.document(), basis);
    }
}
