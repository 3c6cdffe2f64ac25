package dev.tally.admin.console;

import static dev.tally.admin.console.Backend.query;
import static dev.tally.admin.console.Backend.seg;
import static dev.tally.admin.console.CustomerPages.data;
import static dev.tally.admin.console.CustomerPages.section;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;

/**
 * A tenant's operations: reconciliation runs and their drift, ingest's quarantine (with replay) and event lookup,
 * webhook endpoints and deliveries, and the hash-chained audit trail.
 */
@Path("/t/{tenant}")
@Produces("text/html; charset=UTF-8")
public class OperationsPages {
    static final int AUDIT_PAGE = 50;
    /** What the services audit (entity types of the trail), for the filter. */
    static final List<String> ENTITY_TYPES = List.of("api_key", "budget", "credit_grant", "credit_note", "customer", "invoice",
            "limit", "meter", "payment_provider", "plan", "plan_migration", "plan_version", "refund", "subscription", "tax_rate", "tenant", "webhook");

    @Inject
    Template reconciliations;
    @Inject
    Template reconciliation;
    @Inject
    Template quarantine;
    @Inject
    Template webhooks;
    @Inject
    Template audit;
    @Inject
    Backend backend;
    @Context
    ContainerRequestContext request;

    @GET
    @Path("/reconciliations")
    public Response reconciliations(@PathParam("tenant") String tenant) {
        return reconciliationList(tenant, null, 200);
    }

    private Response reconciliationList(String tenant, Backend.Failure formError, int status) {
        Sessions.Session who = Console.user(request);
        Map<String, Object> errors = new LinkedHashMap<>();
        TemplateInstance page = reconciliations.data("runs", data(section(errors, "runs", () -> backend.get(who, "invoicing", tenant,
                "/v1/reconciliations?limit=50")))).data("errors", errors).data("formError", formError == null ? null : Console.error(formError));
        return Pages.html(status, page.data("user", who).data("tenant", tenant));
    }

    /** Starts a run now (operator): an independent recount of the accepted events against rating and the invoices. */
    @POST
    @Path("/reconciliations")
    public Response run(@PathParam("tenant") String tenant, @RestForm String csrf, @RestForm String periodStart) {
        Sessions.Session who = Console.user(request);
        Console.requireCsrf(who, csrf);
        Map<String, Object> body = new LinkedHashMap<>();
        if (periodStart != null && !periodStart.isBlank()) {
            body.put("periodStart", periodStart.strip());
        }
        try {
            JsonNode report = backend.post(who, "invoicing", tenant, "/v1/reconciliations", body);
            return Console.redirect("/t/" + seg(tenant) + "/reconciliations/" + seg(report.path("reconciliationId").asText()));
        } catch (Backend.Failure f) {
            return reconciliationList(tenant, f, f.status);
        }
    }

    @GET
    @Path("/reconciliations/{id}")
    public Response reconciliation(@PathParam("tenant") String tenant, @PathParam("id") String id) {
        Sessions.Session who = Console.user(request);
        Map<String, Object> errors = new LinkedHashMap<>();
        JsonNode report = section(errors, "report", () -> backend.get(who, "invoicing", tenant, "/v1/reconciliations/" + seg(id)));
        TemplateInstance page = reconciliation.data("reconciliationId", id).data("report", data(report)).data("errors", errors);
        return Pages.html(report == null ? Console.status(errors, "report") : 200, page.data("user", who)
                .data("tenant", tenant));
    }

    /** Events ingest could not attribute to a customer, oldest first; an operator replays them once the catalog knows the customer. */
    @GET
    @Path("/quarantine")
    public Response quarantine(@PathParam("tenant") String tenant, @QueryParam("notice") String notice) {
        return quarantinePage(tenant, notice, null, 200);
    }

    private Response quarantinePage(String tenant, String notice, Backend.Failure formError, int status) {
        Sessions.Session who = Console.user(request);
        Map<String, Object> errors = new LinkedHashMap<>();
        TemplateInstance page = quarantine.data("page", data(section(errors, "quarantine", () -> backend.get(who, "ingest", tenant,
                "/v1/quarantine?limit=100")))).data("dead", data(section(errors, "dead", () -> backend.get(who, "ingest", tenant,
                "/v1/dead-letters?limit=100")))).data("errors", errors).data("notice", notice)
                .data("formError", formError == null ? null : Console.error(formError));
        return Pages.html(status, page.data("user", who).data("tenant", tenant));
    }

    @POST
    @Path("/quarantine/replay")
    public Response replay(@PathParam("tenant") String tenant, @RestForm String csrf) {
        Sessions.Session who = Console.user(request);
        Console.requireCsrf(who, csrf);
        try {
            JsonNode r = backend.post(who, "ingest", tenant, "/v1/quarantine/replay", Map.of());
            String notice = "Replayed " + r.path("examined").asText() + ": " + r.path("accepted").asText() + " accepted, " + r.path("duplicates").asText()
                    + " duplicates, " + r.path("stillUnattributed").asText() + " still unattributed, " + r.path("tooLate").asText() + " too late; "
                    + r.path("remaining").asText() + " left.";
            return Console.redirect("/t/" + seg(tenant) + "/quarantine" + query("notice", notice));
        } catch (Backend.Failure f) {
            return quarantinePage(tenant, null, f, f.status);
        }
    }

    /** The event lookup form: to the event's page. */
    @GET
    @Path("/events")
    public Response lookup(@PathParam("tenant") String tenant, @QueryParam("id") String id) {
        if (id == null || id.isBlank()) {
            return Console.redirect("/t/" + seg(tenant) + "/quarantine");
        }
        return Console.redirect("/t/" + seg(tenant) + "/events/" + seg(id.strip()));
    }

    @GET
    @Path("/webhooks")
    public Response webhooks(@PathParam("tenant") String tenant, @QueryParam("endpoint") String endpoint) {
        Sessions.Session who = Console.user(request);
        Map<String, Object> errors = new LinkedHashMap<>();
        TemplateInstance page = webhooks.data("endpoints", data(section(errors, "endpoints", () -> backend.get(who, "invoicing", tenant, "/v1/webhooks"))))
                .data("deliveries", data(section(errors, "deliveries", () -> backend.get(who, "invoicing", tenant, "/v1/webhooks/deliveries"
                        + query("endpoint", endpoint, "limit", 100))))).data("endpoint", endpoint).data("errors", errors);
        return Pages.page(page, who, tenant);
    }

    /** The tenant's audit trail, newest first, paged; whether the hash chain is intact, and where it first breaks. */
    @GET
    @Path("/audit")
    public Response audit(@PathParam("tenant") String tenant, @QueryParam("entityType") String entityType, @QueryParam("entityId") String entityId,
            @QueryParam("offset") Integer offset) {
        Sessions.Session who = Console.user(request);
        Map<String, Object> errors = new LinkedHashMap<>();
        int skip = offset == null ? 0 : Math.max(0, offset);
        JsonNode trail = section(errors, "trail", () -> backend.get(who, "invoicing", null, "/v1/admin/tenants/" + seg(tenant) + "/audit"
                + query("entityType", entityType, "entityId", entityId, "sort", "-seq", "offset", skip, "limit", AUDIT_PAGE)));
        TemplateInstance page = audit.data("trail", data(trail)).data("entityType", entityType).data("entityId", entityId).data("errors", errors)
                .data("entityTypes", ENTITY_TYPES);
        if (trail != null) {
            long total = trail.path("total").asLong();
            String base = "/t/" + seg(tenant) + "/audit" + query("entityType", entityType, "entityId", entityId);
            String join = base.contains("?") ? "&" : "?";
            page.data("paging", new Paging(total, trail.path("entries").isEmpty() ? 0 : skip + 1, skip + trail.path("entries").size(),
                    skip > 0 ? base + join + "offset=" + Math.max(0, skip - AUDIT_PAGE) : null,
                    skip + AUDIT_PAGE < total ? base + join + "offset=" + (skip + AUDIT_PAGE) : null));
        }
        return Pages.page(page, who, tenant);
    }
}
