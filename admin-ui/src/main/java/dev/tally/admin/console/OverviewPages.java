package dev.tally.admin.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.admin.api.HealthReport;
import dev.tally.admin.api.HealthResource;
import io.quarkus.qute.Template;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;

/**
 * The platform pages: the overview (every service's health; ingest's answers per minute, rating's freshness and lag,
 * outbox backlogs — from the services' own metrics; the last period close, drift and waiting approvals per tenant —
 * from invoicing) and the tenants, with tenant creation.
 */
@Path("/")
@Produces("text/html; charset=UTF-8")
public class OverviewPages {
    @Inject
    Template overview;
    @Inject
    Template tenants;
    @Inject
    Backend backend;
    @Inject
    HealthResource health;
    @Inject
    ObjectMapper json;
    @Inject
    ServiceMetrics metrics;
    @Context
    ContainerRequestContext request;

    @GET
    public Response overview() throws Exception {
        Sessions.Session who = Console.user(request);
        HealthReport report = health.health().toCompletableFuture().get();
        Object status = null;
        Object error = null;
        try {
            status = Console.data(backend.get(who, "invoicing", null, "/v1/admin/overview"));
        } catch (Backend.Failure f) {
            error = Console.error(f);
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        for (String service : List.of("ingest", "rating", "invoicing")) {
            figures.put(service, metrics.view(service));
        }
        return Pages.page(overview.data("services", Console.data(json.valueToTree(report.services()))).data("allUp", report.allUp())
                .data("status", status).data("error", error).data("metrics", figures), who, null);
    }

    @GET
    @Path("tenants")
    public Response tenants() {
        return tenantsPage(null, null, 200);
    }

    /** Creates a tenant (operator role, enforced by invoicing); its first API key is shown once, on this answer only. */
    @POST
    @Path("tenants")
    public Response create(@RestForm String csrf, @RestForm String name) {
        Sessions.Session who = Console.user(request);
        Console.requireCsrf(who, csrf);
        try {
            JsonNode created = backend.post(who, "invoicing", null, "/v1/admin/tenants", Map.of("name", name == null ? "" : name));
            return tenantsPage(Console.data(created), null, 201);
        } catch (Backend.Failure f) {
            return tenantsPage(null, Console.error(f), f.status);
        }
    }

    private Response tenantsPage(Object created, Object formError, int status) {
        Sessions.Session who = Console.user(request);
        Object list = null;
        Object error = null;
        try {
            list = Console.data(backend.get(who, "invoicing", null, "/v1/admin/tenants"));
        } catch (Backend.Failure f) {
            error = Console.error(f);
        }
        return Pages.html(status, tenants.data("tenants", list).data("error", error).data("created", created).data("formError", formError)
                .data("user", who).data("tenant", null));
    }
}
