package dev.tally.rating.api;

import dev.tally.model.messages.CatalogRecordV1;
import dev.tally.model.metering.BillingPeriod;
import dev.tally.model.metering.Entitlement;
import dev.tally.model.pricing.Decimals;
import dev.tally.platform.catalog.CatalogView;
import dev.tally.platform.problem.ProblemException;
import dev.tally.rating.store.RatingStore;
import dev.tally.rating.store.UsageCache;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;

/**
 * May this customer use more of this meter now? Answered from memory (the catalog view's limit and
 * {@link UsageCache}'s period total, at most a second old): for a gateway to call on its hot path,
 * with an {@code ingest}, {@code read} or {@code admin} key.
 */
@Path("/v1/customers/{customer}/entitlements/{meter}")
@Produces(MediaType.APPLICATION_JSON)
public class EntitlementResource {
    @Inject
    CatalogView catalog;
    @Inject
    UsageCache usage;

    @Inject
    Clock clock;

    /**
     * {@code limit}, {@code remaining} and {@code hard} are null when the customer has no limit on the
     * meter ({@code allowed} is then always true); {@code blocked} means a hard limit is reached.
     */
    public record EntitlementView(String customerId, String meter, BillingPeriod period, BigDecimal used, BigDecimal limit,
            BigDecimal remaining, Boolean hard, boolean allowed, boolean blocked, List<Integer> alertAt, List<Integer> reached) {
    }

    @GET
    public EntitlementView check(@PathParam("customer") String customer, @PathParam("meter") String meter,
            @Context ContainerRequestContext request) throws Exception {
        String tenantId = (String) request.getProperty(ApiKeyFilter.TENANT);
        CatalogRecordV1.Customer c = catalog.customer(tenantId, customer);
        if (c == null) {
            throw ProblemException.notFound("customer-not-found", "no customer '" + customer + "' in this tenant");
        }
        if (catalog.definitions(tenantId).stream().noneMatch(m -> m.key().equals(meter))) {
            throw ProblemException.notFound("meter-not-found", "no meter '" + meter + "' in this tenant");
        }
        BillingPeriod period = catalog.periodOf(tenantId, c.customerId(), clock.instant());
        BigDecimal used = usage.total(new RatingStore.MeterPeriod(tenantId, c.customerId(), meter, period.start()));
        used = Decimals.normalized(used);
        CatalogRecordV1.Limit l = catalog.limit(tenantId, c.customerId(), meter);
        if (l == null) {
            return new EntitlementView(c.customerId(), meter, period, used, null, null, null, true, false, List.of(), List.of());
        }
        Entitlement e = new Entitlement(l.limit(), l.hard(), l.alertAt());
        boolean blocked = e.blocked(used);
        return new EntitlementView(c.customerId(), meter, period, used, Decimals.normalized(l.limit()),
                Decimals.normalized(e.remaining(used)), l.hard(), !blocked, blocked, e.alertAt(), e.reached(used));
    }
}
