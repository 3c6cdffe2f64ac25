package dev.tally.invoicing.catalog.api;

import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.catalog.SubscriptionEntity;
import dev.tally.invoicing.catalog.SubscriptionService;
import dev.tally.invoicing.security.Caller;
import dev.tally.model.subscription.BillingCycle;
import dev.tally.model.subscription.InvalidSubscriptionException;
import dev.tally.model.subscription.Subscription;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Subscriptions: a customer on a plan version over time, with upgrades, downgrades and cancellation. */
@Path("/v1/subscriptions")
public class SubscriptionResource {
    @Inject
    SubscriptionService subscriptions;
    @Inject
    Clock clock;
    @Context
    ContainerRequestContext request;

    /** A subscription with the plan version in force now. */
    public record SubscriptionView(String subscriptionId, String customer, String customerId, Instant start, Instant end,
            BillingCycle billingCycle, Instant trialEnd, List<Subscription.Phase> phases, Subscription.Phase current) {
        static SubscriptionView of(Subscription s, String externalId, Instant now) {
            return new SubscriptionView(s.subscriptionId(), externalId, s.customerId(), s.start(), s.end(), s.cycle(), s.trialEnd(),
                    s.phases(), s.phaseAt(now).orElse(null));
        }
    }

    @POST
    @Transactional
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = SubscriptionView.class)))
    public Response create(Requests.NewSubscription body) {
        Caller caller = Caller.of(request);
        Checks.body(body);
        CustomerEntity customer = CustomerService.byExternalIdOr400(caller.tenant(), Checks.required(body.customer(), "customer"));
        String plan = Checks.required(body.plan(), "plan");
        Instant now = Requests.micros(clock.instant());
        Instant start = body.start() == null ? now : Requests.micros(body.start());
        BillingCycle cycle = cycle(body.billingCycle(), start);
        Subscription s = subscriptions.create(caller.tenant(), customer, plan, body.version(), start, Requests.micros(body.end()), cycle,
                Requests.micros(body.trialEnd()), now, caller.actor());
        return Response.status(201).entity(SubscriptionView.of(s, customer.externalId, now)).build();
    }

    @GET
    @Transactional
    public List<SubscriptionView> list(@QueryParam("customer") String externalId) {
        String tenant = Caller.of(request).tenant();
        CustomerEntity customer = CustomerService.byExternalId(tenant, Checks.required(externalId, "customer"));
        Instant now = clock.instant();
        return SubscriptionEntity.ofCustomer(tenant, customer.customerId).stream()
                .map(e -> SubscriptionView.of(SubscriptionService.load(e), customer.externalId, now)).toList();
    }

    @GET
    @Path("/{id}")
    @Transactional
    public SubscriptionView get(@PathParam("id") String id) {
        String tenant = Caller.of(request).tenant();
        SubscriptionEntity e = SubscriptionEntity.get(tenant, id);
        if (e == null) {
            throw ProblemException.notFound("unknown-subscription", "no subscription '" + id + "'");
        }
        return view(tenant, SubscriptionService.load(e));
    }

    /** An upgrade or downgrade from {@code effectiveAt} (default now); invoicing prorates the period it falls in. */
    @POST
    @Path("/{id}/changes")
    @Transactional
    public SubscriptionView change(@PathParam("id") String id, Requests.PlanChange body) {
        Caller caller = Caller.of(request);
        Checks.body(body);
        Instant now = Requests.micros(clock.instant());
        Subscription s = subscriptions.change(caller.tenant(), id, body.plan(), body.version(),
                body.effectiveAt() == null ? now : Requests.micros(body.effectiveAt()), now, caller.actor());
        return view(caller.tenant(), s);
    }

    @POST
    @Path("/{id}/cancel")
    @Transactional
    public SubscriptionView cancel(@PathParam("id") String id, Requests.Cancel body) {
        Caller caller = Caller.of(request);
        Instant now = Requests.micros(clock.instant());
        Instant at = body == null || body.at() == null ? now : Requests.micros(body.at());
        return view(caller.tenant(), subscriptions.cancel(caller.tenant(), id, at, now, caller.actor()));
    }

    private SubscriptionView view(String tenant, Subscription s) {
        CustomerEntity c = CustomerEntity.findById(new CustomerEntity.Key(tenant, s.customerId()));
        return SubscriptionView.of(s, c.externalId, clock.instant());
    }

    private static BillingCycle cycle(Requests.Cycle c, Instant start) {
        if (c == null) {
            return BillingCycle.CALENDAR_MONTH;
        }
        try {
            BillingCycle.Interval interval = BillingCycle.Interval.valueOf(Checks.required(c.interval(), "billingCycle.interval"));
            BillingCycle anchored = BillingCycle.anchoredAt(interval, start);
            int day = c.anchorDay() != null ? c.anchorDay() : interval == BillingCycle.Interval.ANNUAL ? anchored.anchorDay() : 1;
            int month = c.anchorMonth() != null ? c.anchorMonth() : anchored.anchorMonth();
            return new BillingCycle(interval, day, month);
        } catch (IllegalArgumentException e) {
            String field = e instanceof InvalidSubscriptionException i ? "billingCycle." + i.field() : "billingCycle.interval";
            throw ProblemException.badRequest("invalid-field", e instanceof InvalidSubscriptionException ? e.getMessage()
                    : "billingCycle.interval must be MONTHLY or ANNUAL", field);
        }
    }
}
