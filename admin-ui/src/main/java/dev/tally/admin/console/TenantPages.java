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
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;

/**
 * One tenant's settings: billing settings (close grace, invoice prefix, approval threshold — operator or finance),
 * tax rates by region and API keys (operator; a new key's secret is shown once, on the answer page only).
 */
@Path("/t/{tenant}/settings")
@Produces("text/html; charset=UTF-8")
public class TenantPages {
    @Inject
    Template settings;
    @Inject
    Backend backend;
    @Context
    ContainerRequestContext request;

    @GET
    public Response show(@PathParam("tenant") String tenant, @QueryParam("notice") String notice) {
        return page(tenant, notice, null, null, null, 200);
    }

    private Response page(String tenant, String notice, String form, Backend.Failure formError, Object createdKey, int status) {
        Sessions.Session who = Console.user(request);
        Map<String, Object> errors = new LinkedHashMap<>();
        TemplateInstance page = settings
                .data("settings", data(section(errors, "settings", () -> backend.get(who, "invoicing", null, "/v1/admin/tenants/" + seg(tenant)
                        + "/settings"))))
                .data("taxRates", data(section(errors, "taxRates", () -> backend.get(who, "invoicing", tenant, "/v1/tax-rates"))))
                .data("keys", data(section(errors, "keys", () -> backend.get(who, "invoicing", tenant, "/v1/api-keys"))))
                .data("errors", errors).data("notice", notice).data("form", form).data("createdKey", createdKey)
                .data("formError", formError == null ? null : Console.error(formError));
        return Pages.html(status, page.data("user", who).data("tenant", tenant));
    }

    @POST
    @Path("/billing")
    public Response billing(@PathParam("tenant") String tenant, @RestForm String csrf, @RestForm String closeGrace, @RestForm String invoicePrefix,
            @RestForm String creditNoteApprovalThreshold, @RestForm String taxPoint) {
        Sessions.Session who = Console.user(request);
        Console.requireCsrf(who, csrf);
        Map<String, Object> body = new LinkedHashMap<>();
        put(body, "closeGrace", closeGrace);
        put(body, "invoicePrefix", invoicePrefix);
        put(body, "taxPoint", taxPoint);
        if (creditNoteApprovalThreshold != null && !creditNoteApprovalThreshold.isBlank()) {
            try {
                body.put("creditNoteApprovalThreshold", Console.decimal(creditNoteApprovalThreshold));
            } catch (NumberFormatException e) {
                return page(tenant, null, "billing", Backend.Failure.invalid("creditNoteApprovalThreshold is not a decimal number",
                        "creditNoteApprovalThreshold"), null, 400);
            }
        }
        try {
            backend.patch(who, "invoicing", null, "/v1/admin/tenants/" + seg(tenant), body);
            return Console.redirect("/t/" + seg(tenant) + "/settings" + query("notice", "Billing settings saved."));
        } catch (Backend.Failure f) {
            return page(tenant, null, "billing", f, null, f.status);
        }
    }

    @POST
    @Path("/tax-rates")
    public Response taxRate(@PathParam("tenant") String tenant, @RestForm String csrf, @RestForm String region, @RestForm String name,
            @RestForm String ratePercent, @RestForm String inclusive) {
        Sessions.Session who = Console.user(request);
        Console.requireCsrf(who, csrf);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        try {
            body.put("ratePercent", Console.decimal(ratePercent));
        } catch (NumberFormatException e) {
            return page(tenant, null, "tax", Backend.Failure.invalid("ratePercent is not a decimal number", "ratePercent"), null, 400);
        }
        body.put("inclusive", "true".equals(inclusive));
        if (region == null || region.isBlank()) {
            return page(tenant, null, "tax", Backend.Failure.invalid("a region is required", "region"), null, 400);
        }
        try {
            backend.send(who, "invoicing", tenant, "PUT", "/v1/tax-rates/" + seg(region.strip()), body);
            return Console.redirect("/t/" + seg(tenant) + "/settings" + query("notice", "Tax rate for " + region.strip() + " saved."));
        } catch (Backend.Failure f) {
            return page(tenant, null, "tax", f, null, f.status);
        }
    }

    @POST
    @Path("/api-keys")
    public Response createKey(@PathParam("tenant") String tenant, @RestForm String csrf, @RestForm String scope) {
        Sessions.Session who = Console.user(request);
        Console.requireCsrf(who, csrf);
        try {
            JsonNode created = backend.post(who, "invoicing", tenant, "/v1/api-keys", Map.of("scope", scope == null ? "" : scope));
            return page(tenant, null, null, null, Console.data(created), 201);
        } catch (Backend.Failure f) {
            return page(tenant, null, "key", f, null, f.status);
        }
    }

    @POST
    @Path("/api-keys/{keyId}/revoke")
    public Response revokeKey(@PathParam("tenant") String tenant, @PathParam("keyId") String keyId, @RestForm String csrf) {
        Sessions.Session who = Console.user(request);
        Console.requireCsrf(who, csrf);
        try {
            backend.delete(who, "invoicing", tenant, "/v1/api-keys/" + seg(keyId));
            return Console.redirect("/t/" + seg(tenant) + "/settings" + query("notice", "API key " + keyId + " revoked."));
        } catch (Backend.Failure f) {
            return page(tenant, null, "key", f, null, f.status);
        }
    }

    private static void put(Map<String, Object> body, String field, String value) {
        if (value != null && !value.isBlank()) {
            body.put(field, value.strip());
        }
    }

}
