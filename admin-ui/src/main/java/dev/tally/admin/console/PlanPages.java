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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;

/** Plans: versions, a version's document, the diff between two versions, publishing a draft, and migrating subscriptions. */
@Path("/t/{tenant}/plans")
@Produces("text/html; charset=UTF-8")
public class PlanPages {
    @Inject
    Template plans;
    @Inject
    Template plan;
    @Inject
    Backend backend;
    @Context
    ContainerRequestContext request;

    @GET
    public Response list(@PathParam("tenant") String tenant) {
        Sessions.Session who = Console.user(request);
        Map<String, Object> errors = new LinkedHashMap<>();
        TemplateInstance page = plans.data("plans", data(section(errors, "plans", () -> backend.get(who, "invoicing", tenant, "/v1/plans"))))
                .data("errors", errors);
        return Pages.page(page, who, tenant);
    }

    /** Version {@code v} (default: the latest) of a plan, and its diff from version {@code against} when given. */
    @GET
    @Path("/{key}")
    public Response show(@PathParam("tenant") String tenant, @PathParam("key") String key, @QueryParam("v") Integer v,
            @QueryParam("against") Integer against) {
        return page(tenant, key, v, against, null, null, null, 200);
    }

    private Response page(String tenant, String key, Integer v, Integer against, String notice, Backend.Failure formError, Object migration,
            int status) {
        Sessions.Session who = Console.user(request);
        Map<String, Object> errors = new LinkedHashMap<>();
        String base = "/v1/plans/" + seg(key);
        JsonNode p = section(errors, "plan", () -> backend.get(who, "invoicing", tenant, base));
        TemplateInstance page = plan.data("key", key).data("errors", errors).data("notice", notice).data("migration", migration)
                .data("formError", formError == null ? null : Console.error(formError));
        if (p == null) {
            return Pages.html(Console.status(errors, "plan"), page.data("user", who).data("tenant", tenant));
        }
        int latest = 0;
        for (JsonNode ver : p.path("versions")) {
            latest = Math.max(latest, ver.path("version").asInt());
        }
        int shown = v == null ? latest : v;
        page.data("plan", Console.data(p)).data("shown", shown).data("shownText", String.valueOf(shown));
        JsonNode version = section(errors, "version", () -> backend.get(who, "invoicing", tenant, base + "/versions/" + shown));
        if (version != null) {
            page.data("version", Console.data(version)).data("document", version.path("spec").toPrettyString());
            if (against != null && against != shown) {
                JsonNode other = section(errors, "diff", () -> backend.get(who, "invoicing", tenant, base + "/versions/" + against));
                if (other != null) {
                    page.data("against", against).data("diff", LineDiff.of(other.path("spec").toPrettyString(), version.path("spec").toPrettyString()));
                }
            }
        }
        List<Integer> others = new ArrayList<>();
        for (JsonNode ver : p.path("versions")) {
            if (ver.path("version").asInt() != shown) {
                others.add(ver.path("version").asInt());
            }
        }
        return Pages.html(status, page.data("others", others).data("user", who).data("tenant", tenant));
    }

    @POST
    @Path("/{key}/versions/{version}/publish")
    public Response publish(@PathParam("tenant") String tenant, @PathParam("key") String key, @PathParam("version") int version,
            @RestForm String csrf) {
        Sessions.Session who = Console.user(request);
        Console.requireCsrf(who, csrf);
        try {
            backend.post(who, "invoicing", tenant, "/v1/plans/" + seg(key) + "/versions/" + version + "/publish", Map.of());
            return Console.redirect("/t/" + seg(tenant) + "/plans/" + seg(key) + query("v", version));
        } catch (Backend.Failure f) {
            return page(tenant, key, version, null, null, f, null, f.status);
        }
    }

    /** Moves the plan's subscriptions to this version from {@code effectiveAt}; the answer reports each subscription's outcome. */
    @POST
    @Path("/{key}/versions/{version}/migrations")
    public Response migrate(@PathParam("tenant") String tenant, @PathParam("key") String key, @PathParam("version") int version,
            @RestForm String csrf, @RestForm String effectiveAt, @RestForm String fromVersions) {
        Sessions.Session who = Console.user(request);
        Console.requireCsrf(who, csrf);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("effectiveAt", effectiveAt == null || effectiveAt.isBlank() ? null : effectiveAt.strip());
        if (fromVersions != null && !fromVersions.isBlank()) {
            List<Integer> from = new ArrayList<>();
            for (String s : fromVersions.split("[,\\s]+")) {
                try {
                    from.add(Integer.parseInt(s));
                } catch (NumberFormatException e) {
                    return page(tenant, key, version, null, null, Backend.Failure.invalid("fromVersions: '" + s + "' is not a version number",
                            "fromVersions"), null, 400);
                }
            }
            body.put("fromVersions", from);
        }
        try {
            JsonNode result = backend.post(who, "invoicing", tenant, "/v1/plans/" + seg(key) + "/versions/" + version + "/migrations", body);
            return page(tenant, key, version, null, null, null, Console.data(result), 200);
        } catch (Backend.Failure f) {
            return page(tenant, key, version, null, null, f, null, f.status);
        }
    }
}
