package dev.tally.invoicing.api;

import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.catalog.PlanService;
import dev.tally.invoicing.catalog.PlanVersionEntity;
import dev.tally.invoicing.catalog.SubscriptionEntity;
import dev.tally.invoicing.catalog.SubscriptionService;
import dev.tally.invoicing.security.Caller;
import dev.tally.invoicing.usage.UsageSnapshots;
import dev.tally.model.invoice.ChargeUsage;
import dev.tally.model.invoice.PlanCharges;
import dev.tally.model.invoice.Invoice;
import dev.tally.model.invoice.InvoiceCalculator;
import dev.tally.model.invoice.InvoiceLine;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.pricing.Decimals;
import dev.tally.model.pricing.Evaluation;
import dev.tally.model.plan.PlanSpec;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Draft invoices: the current period priced from the latest usage snapshots, explained line by line. */
@Path("/v1/customers/{externalId}/invoices")
public class InvoiceResource {
    @Inject
    UsageSnapshots usage;
    @Inject
    PlanService plans;
    @Context
    ContainerRequestContext request;

    final Clock clock = Clock.systemUTC();

    public record DraftInvoice(String customer, String customerId, String status, String currency, Instant periodStart,
            Instant periodEnd, String subscriptionId, String plan, int planVersion, List<Line> lines, BigDecimal total, String rounding) {
    }

    public record Line(String meter, String description, String priceModel, BigDecimal quantity, long eventCount, long usageVersion,
            BigDecimal exactAmount, BigDecimal amount, List<String> explanation) {
    }

    /**
     * The draft for the subscription period containing {@code at} (default now) — of the subscription
     * active then, else the one overlapping that calendar month — priced by the plan version in force
     * at {@code at} (or at the subscription's start, when {@code at} is before it). Rating places a
     * subscribed customer's usage in the same periods. Proration across a mid-period plan change comes
     * with invoicing proper (issue 7).
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
        Subscription.Phase phase = subscription.phaseAt(priced).orElseThrow();
        // the subscription's period (rating meters a subscribed customer's usage in the same periods)
        period = subscription.periodAt(priced).orElseThrow();
        PlanVersionEntity version = PlanVersionEntity.get(tenant, phase.planKey(), phase.planVersion());
        PlanSpec spec = plans.spec(version);
        Map<String, UsageSnapshots.Usage> byMeter = usage.forPeriod(tenant, customer.customerId, period.start());
        Map<String, PlanCharges.MeterUsage> quantities = new java.util.HashMap<>();
        byMeter.forEach((meter, u) -> quantities.put(meter, new PlanCharges.MeterUsage(u.quantity(), u.eventCount())));
        List<ChargeUsage> inputs = PlanCharges.of(spec, quantities);
        Invoice invoice = InvoiceCalculator.compute(customer.currency, period, inputs, RoundingPolicy.DEFAULT);
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < invoice.lines().size(); i++) {
            InvoiceLine l = invoice.lines().get(i);
            PlanSpec.ChargeSpec charge = spec.charges().get(i);
            long usageVersion = byMeter.containsKey(charge.meter()) ? byMeter.get(charge.meter()).version() : 0;
            lines.add(new Line(l.meterKey(), l.description(), charge.price().model(), Decimals.normalized(l.quantity()), l.eventCount(),
                    usageVersion, Decimals.normalized(l.unroundedAmount()), l.amount().amount(),
                    l.explanation().stream().map(Evaluation.Step::text).toList()));
        }
        return new DraftInvoice(externalId, customer.customerId, "draft", invoice.currency(), period.start(), period.end(),
                subscription.subscriptionId(), phase.planKey(), phase.planVersion(), lines, invoice.total().amount(),
                RoundingPolicy.DEFAULT.mode() + ", once per line; total = sum of lines");
    }
}
