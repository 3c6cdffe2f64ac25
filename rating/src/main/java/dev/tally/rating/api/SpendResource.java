package dev.tally.rating.api;

import dev.tally.model.invoice.Invoice;
import dev.tally.model.invoice.InvoiceCalculator;
import dev.tally.model.invoice.InvoiceLine;
import dev.tally.model.invoice.PlanCharges;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.plan.PriceOverrides;
import dev.tally.model.pricing.Decimals;
import dev.tally.model.subscription.Subscription;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.problem.ProblemException;
import dev.tally.rating.store.UsageQueries;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The running amount of a customer's current billing period, by charge: the usage rated so far,
 * priced by the plan version in force, with the same pure function and rounding as the draft invoice
 * ({@link PlanCharges}, {@link InvoiceCalculator}) — so spend and draft agree to the minor unit.
 */
@Path("/v1/customers/{customer}/spend")
@Produces(MediaType.APPLICATION_JSON)
public class SpendResource {
    @Inject
    CatalogView catalog;
    @Inject
    UsageQueries queries;

    @Inject
    Clock clock;

    public record Spend(String customerId, String externalId, String subscriptionId, String planKey, int planVersion, String currency,
            BillingPeriod period, Instant at, List<Charge> charges, BigDecimal total, String rounding) {
    }

    /** {@code exactAmount} before rounding (high scale); {@code amount} rounded once; {@code explanation} the price steps. */
    public record Charge(String meter, String description, BigDecimal quantity, long eventCount, BigDecimal exactAmount, BigDecimal amount,
            List<String> explanation) {
    }

    /** @param at an instant in the period wanted (default now) */
    @GET
    public Spend spend(@PathParam("customer") String customer, @QueryParam("at") String at, @Context ContainerRequestContext request)
            throws Exception {
        String tenantId = (String) request.getProperty(ApiKeyFilter.TENANT);
        CatalogRecordV1.Customer c = catalog.customer(tenantId, customer);
        if (c == null) {
            throw ProblemException.notFound("customer-not-found", "no customer '" + customer + "' in this tenant");
        }
        Instant when;
        try {
            when = at == null ? clock.instant() : Instant.parse(at);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("invalid-field", "at must be an ISO-8601 instant", "at");
        }
        Subscription sub = catalog.subscriptions(tenantId, c.customerId()).stream().filter(s -> s.activeAt(when)).findFirst()
                .orElseThrow(() -> ProblemException.conflict("no-subscription", "customer '" + customer + "' has no subscription active at "
                        + when + "; its usage is metered (GET …/usage) but not priced", "at"));
        Subscription.Phase phase = sub.phaseAt(when).orElseThrow();
        BillingPeriod period = sub.periodAt(when).orElseThrow();
        CatalogRecordV1.PlanVersion version = catalog.planVersion(tenantId, phase.planKey(), phase.planVersion());
        if (version == null) {
            throw new ProblemException(503, "catalog-behind", "Service unavailable", "plan " + phase.planKey() + " version "
                    + phase.planVersion() + " has not reached rating's catalog view yet; retry", null, null);
        }
        PriceOverrides.Applied plan = PriceOverrides.apply(version.spec(), phase.planKey(), c.customerId(), sub.subscriptionId(), when,
                catalog.priceOverrides(tenantId, c.customerId()));
        Invoice priced = InvoiceCalculator.compute(c.currency(), period,
                PlanCharges.of(plan.spec(), queries.period(tenantId, c.customerId(), period.start())), RoundingPolicy.DEFAULT);
        List<Charge> charges = new ArrayList<>();
        for (InvoiceLine l : priced.lines()) {
            charges.add(new Charge(l.meterKey(), l.description(), Decimals.normalized(l.quantity()), l.eventCount(), Decimals.normalized(l.unroundedAmount()),
                    l.amount().amount(), plan.explanation(l.meterKey(), l.explanation())));
        }
        return new Spend(c.customerId(), c.externalId(), sub.subscriptionId(), phase.planKey(), phase.planVersion(), priced.currency(),
                period, when, charges, priced.total().amount(), RoundingPolicy.DEFAULT.mode() + ", once per line; total = sum of lines");
    }
}
