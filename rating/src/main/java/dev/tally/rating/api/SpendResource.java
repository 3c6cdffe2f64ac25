package dev.tally.rating.api;

import dev.tally.model.invoice.InvoiceLine;
import dev.tally.model.invoice.PhasedCharges;
import dev.tally.model.invoice.PlanCharges;
import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.money.RoundingPolicy;
import dev.tally.model.pricing.Decimals;
import dev.tally.model.subscription.Subscription;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.problem.ProblemException;
import dev.tally.rating.store.Pricing;
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
import java.util.Map;

/**
 * The running amount of a customer's current billing period, by charge: the usage rated so far, each plan segment of
 * the period priced by its plan version, with the same pure function and rounding as the draft invoice
 * ({@link PhasedCharges}) — so spend and draft agree to the minor unit.
 */
@Path("/v1/customers/{customer}/spend")
@Produces(MediaType.APPLICATION_JSON)
public class SpendResource {
    @Inject
    CatalogView catalog;
    @Inject
    UsageQueries queries;
    @Inject
    Pricing pricing;

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
        Pricing.PlanInForce plan = pricing.planInForce(tenantId, c.customerId(), period);
        if (plan == null) {
            throw new ProblemException(503, "catalog-behind", "Service unavailable", "a plan version of the period has not reached rating's"
                    + " catalog view yet; retry", null, null);
        }
        Map<String, PlanCharges.MeterUsage> usage = queries.period(tenantId, c.customerId(), period.start());
        List<Charge> charges = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO;
        for (PhasedCharges.Line pl : PhasedCharges.price(c.currency(), period, plan.segments(), usage, RoundingPolicy.DEFAULT)) {
            InvoiceLine l = pl.line();
            charges.add(new Charge(l.meterKey(), l.description(), Decimals.normalized(l.quantity()), l.eventCount(), Decimals.normalized(l.unroundedAmount()),
                    l.amount().amount(), pl.explanation()));
            total = total.add(l.amount().amount());
        }
        return new Spend(c.customerId(), c.externalId(), sub.subscriptionId(), phase.planKey(), phase.planVersion(), c.currency(),
                period, when, charges, total, RoundingPolicy.DEFAULT.mode() + ", once per line; total = sum of lines");
    }
}
