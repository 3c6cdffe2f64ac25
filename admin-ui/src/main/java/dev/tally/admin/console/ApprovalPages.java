package dev.tally.admin.console;

import static dev.tally.admin.console.Backend.query;
import static dev.tally.admin.console.Backend.seg;

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
import java.util.HashMap;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;

/** Credit notes waiting for finance: approve (issued and settled now) or reject with a reason. Finance only, decided by invoicing. */
@Path("/t/{tenant}/approvals")
@Produces("text/html; charset=UTF-8")
public class ApprovalPages {
    @Inject
    Template approvals;
    @Inject
    Backend backend;
    @Context
    ContainerRequestContext request;

    @GET
    public Response list(@PathParam("tenant") String tenant, @QueryParam("status") String status, @QueryParam("notice") String notice) {
        return page(tenant, status, notice, null, 200);
    }

    private Response page(String tenant, String status, String notice, Backend.Failure formError, int code) {
        Sessions.Session who = Console.user(request);
        TemplateInstance page = approvals.data("status", status == null ? "pending_approval" : status).data("notice", notice)
                .data("formError", formError == null ? null : Console.error(formError));
        try {
            JsonNode notes = backend.get(who, "invoicing", null, "/v1/admin/tenants/" + seg(tenant) + "/credit-notes" + query("status", status));
            page.data("notes", Console.data(notes.path("creditNotes")));
        } catch (Backend.Failure f) {
            page.data("error", Console.error(f));
        }
        return Pages.html(code, page.data("user", who).data("tenant", tenant));
    }

    @POST
    @Path("/{id}/{decision:approve|reject}")
    public Response decide(@PathParam("tenant") String tenant, @PathParam("id") String id, @PathParam("decision") String decision,
            @RestForm String csrf, @RestForm String note) {
        Sessions.Session who = Console.user(request);
        Console.requireCsrf(who, csrf);
        Map<String, Object> body = new HashMap<>();
        body.put("note", note == null || note.isBlank() ? null : note);
        try {
            JsonNode decided = backend.post(who, "invoicing", null, "/v1/admin/tenants/" + seg(tenant) + "/credit-notes/" + seg(id) + "/" + decision,
                    body);
            String notice = "approve".equals(decision) ? "Credit note " + decided.path("number").asText() + " approved and issued."
                    : "Credit note rejected.";
            return Console.redirect("/t/" + seg(tenant) + "/approvals" + query("notice", notice));
        } catch (Backend.Failure f) {
            return page(tenant, null, null, f, f.status);
        }
    }
}
