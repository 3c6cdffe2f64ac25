package dev.tally.invoicing.catalog.api;

import dev.tally.invoicing.api.Checks;
import dev.tally.invoicing.catalog.PlanEntity;
import dev.tally.invoicing.catalog.PlanService;
import dev.tally.invoicing.catalog.PlanVersionEntity;
import dev.tally.invoicing.catalog.SubscriptionService;
import dev.tally.invoicing.security.Caller;
import dev.tally.model.plan.PlanSpec;
import dev.tally.platform.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
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

/**
 * Plans as versioned documents (shared-model PlanSpec, schema plan-v1.schema.json). A version is a
 * draft until published; published versions are immutable and reach existing subscriptions only
 * through a scheduled migration.
 */
@Path("/v1/plans")
public class PlanResource {
    @Inject
    PlanService plans;
    @Inject
    Clock clock;
    @Inject
    SubscriptionService subscriptions;
    @Context
    ContainerRequestContext request;

    public record VersionSummary(int version, String status, Instant createdAt, Instant publishedAt) {
    }

    public record PlanView(String key, String name, String currency, List<VersionSummary> versions) {
    }

    /** Creates a plan with version 1 (a draft unless {@code publish=true}). */
    @POST
    @Transactional
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = PlanService.VersionView.class)))
    public Response create(PlanSpec body, @QueryParam("publish") boolean publish) {
        Caller caller = Caller.of(request);
        return Response.status(201).entity(plans.create(caller.tenant(), body, publish, caller.actor())).build();
    }

    @GET
    @Transactional
    public List<PlanView> list() {
        String tenant = Caller.of(request).tenant();
        return PlanEntity.ofTenant(tenant).stream().map(PlanResource::view).toList();
    }

    @GET
    @Path("/{key}")
    @Transactional
    public PlanView get(@PathParam("key") String key) {
        PlanEntity p = PlanEntity.get(Caller.of(request).tenant(), key);
        if (p == null) {
            throw ProblemException.notFound("unknown-plan", "no plan '" + key + "'");
        }
        return view(p);
    }

    /** Adds the next version (a draft unless {@code publish=true}). */
    @POST
    @Path("/{key}/versions")
    @Transactional
    @APIResponse(responseCode = "201", description = "created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = PlanService.VersionView.class)))
    public Response addVersion(@PathParam("key") String key, PlanSpec body, @QueryParam("publish") boolean publish) {
        Caller caller = Caller.of(request);
        return Response.status(201).entity(plans.addVersion(caller.tenant(), key, body, publish, caller.actor())).build();
    }

    @GET
    @Path("/{key}/versions/{version}")
    @Transactional
    public PlanService.VersionView version(@PathParam("key") String key, @PathParam("version") int version) {
        PlanVersionEntity v = PlanVersionEntity.get(Caller.of(request).tenant(), key, version);
        if (v == null) {
            throw ProblemException.notFound("unknown-plan-version", "plan '" + key + "' has no version " + version);
        }
        return plans.view(v);
    }

    /** Replaces a draft's document; a published version answers 409 version-published. */
    @PUT
    @Path("/{key}/versions/{version}")
    @Transactional
    public PlanService.VersionView updateDraft(@PathParam("key") String key, @PathParam("version") int version, PlanSpec body) {
        Caller caller = Caller.of(request);
        return plans.updateDraft(caller.tenant(), key, version, body, caller.actor());
    }

    @POST
    @Path("/{key}/versions/{version}/publish")
    @Transactional
    public PlanService.VersionView publish(@PathParam("key") String key, @PathParam("version") int version) {
        Caller caller = Caller.of(request);
        return plans.publish(caller.tenant(), key, version, Requests.micros(clock.instant()), caller.actor());
    }

    /**
     * Schedules the plan's subscriptions onto this (published) version from {@code effectiveAt}; the
     * answer lists every subscription of the plan, migrated or skipped with the reason.
     */
    @POST
    @Path("/{key}/versions/{version}/migrations")
    @Transactional
    public SubscriptionService.MigrationResult migrate(@PathParam("key") String key, @PathParam("version") int version,
            Requests.Migration body) {
        Caller caller = Caller.of(request);
        Checks.body(body);
        if (body.effectiveAt() == null) {
            throw ProblemException.badRequest("missing-field", "effectiveAt is required", "effectiveAt");
        }
        return subscriptions.migrate(caller.tenant(), key, version, Requests.micros(body.effectiveAt()), body.fromVersions(),
                clock.instant(), caller.actor());
    }

    private static PlanView view(PlanEntity p) {
        return new PlanView(p.planKey, p.name, p.currency, PlanVersionEntity.of(p.tenantId, p.planKey).stream()
                .map(v -> new VersionSummary(v.version, v.status, v.createdAt, v.publishedAt)).toList());
    }
}
