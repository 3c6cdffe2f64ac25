package dev.tally.invoicing.catalog.api;

import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.catalog.CustomerEntity;
import dev.tally.invoicing.catalog.CustomerService;
import dev.tally.invoicing.catalog.PriceOverrideService;
import dev.tally.invoicing.security.Caller;
import dev.tally.model.plan.PlanSpec;
import dev.tally.model.plan.PriceOverride;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * A customer's negotiated prices (a rate card): each replaces the plan's price of one charge for this customer only,
 * from a start until an optional end — on every plan or one, every subscription or one — without forking the plan.
 * Immutable once created but for ending it; audited; rating prices spend with them (catalog topic); invoices name the
 * override behind each line.
 */
@Path("/v1/customers/{externalId}/price-overrides")
public class PriceOverrideResource {
    @Inject
    PriceOverrideService overrides;
    @Context
    ContainerRequestContext request;

    /**
     * {@code meter} and {@code price} (as a plan's charge has it) are required; {@code plan} and {@code subscription}
     * narrow the override to one plan or one subscription; {@code effectiveFrom} defaults to now.
     */
    public record OverrideBody(String meter, PlanSpec.PriceSpec price, String plan, String subscription, Instant effectiveFrom,
            Instant effectiveUntil, String reason) {
    }

    /** {@code effectiveUntil} defaults to now. */
    public record EndBody(Instant effectiveUntil) {
    }

    public record OverrideView(String overrideId, String customer, String meter, String plan, String subscription, PlanSpec.PriceSpec price,
            Instant effectiveFrom, Instant effectiveUntil, String reason) {
        static OverrideView of(String externalId, PriceOverride o) {
            return new OverrideView(o.overrideId(), externalId, o.meter(), o.planKey(), o.subscriptionId(), o.price(), o.effectiveFrom(),
                    o.effectiveUntil(), o.reason());
        }
    }

    public record OverrideList(List<OverrideView> overrides) {
    }

    @GET
    @Transactional
    public OverrideList list(@PathParam("externalId") String externalId) {
        String tenant = Caller.of(request).tenant();
        CustomerEntity c = CustomerService.byExternalId(tenant, externalId);
        return new OverrideList(overrides.list(tenant, c).stream().map(o -> OverrideView.of(externalId, o)).toList());
    }

    @POST
    @Transactional
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = OverrideView.class)))
    public Response create(@PathParam("externalId") String externalId, OverrideBody body) throws Exception {
        Caller caller = Caller.of(request);
        Checks.body(body);
        CustomerEntity c = CustomerService.byExternalId(caller.tenant(), externalId);
        PriceOverride o = overrides.create(caller.tenant(), c, new PriceOverrideService.Requested(body.meter(), body.price(), body.plan(),
                body.subscription(), body.effectiveFrom(), body.effectiveUntil(), body.reason()), caller.actor());
        return Response.status(201).entity(OverrideView.of(externalId, o)).build();
    }

    @POST
    @Path("/{id}/end")
    @Transactional
    public OverrideView end(@PathParam("externalId") String externalId, @PathParam("id") String id, EndBody body) throws Exception {
        Caller caller = Caller.of(request);
        CustomerEntity c = CustomerService.byExternalId(caller.tenant(), externalId);
        return OverrideView.of(externalId, overrides.end(caller.tenant(), c, id, body == null ? null : body.effectiveUntil(), caller.actor()));
    }
}
