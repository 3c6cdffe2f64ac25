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
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;

/**
 * Invoices: the list (filtered, sorted and paged by invoicing), one invoice with its explanation and credit notes, the
 * drill-down from a line to its price steps, usage per day and events, the customer's document, and the operator's and
 * finance's actions (credit note, void, mark paid) — each a call to invoicing's API with the user's own token.
 */
@Path("/t/{tenant}")
@Produces("text/html; charset=UTF-8")
public class InvoicePages {
    static final int PAGE = 25;

    @Inject
    Template invoices;
    @Inject
    Template invoice;
    @Inject
    Template line;
    @Inject
    Template event;
    @Inject
    Backend backend;
    @Context
    ContainerRequestContext request;

    @GET
    @Path("/invoices")
    public Response list(@PathParam("tenant") String tenant, @QueryParam("status") String status, @QueryParam("customer") String customer,
            @QueryParam("number") String number, @QueryParam("periodStart") String periodStart, @QueryParam("sort") String sort,
            @QueryParam("offset") Integer offset) {
        Sessions.Session who = Console.user(request);
        TemplateInstance page = invoices.data("status", status).data("customer", customer).data("number", number).data("periodStart", periodStart)
                .data("sort", sort == null ? "-periodStart" : sort);
        try {
            JsonNode found = backend.get(who, "invoicing", tenant, "/v1/invoices" + query("status", status, "customer", customer, "number", number,
                    "periodStart", periodStart, "sort", sort, "offset", offset, "limit", PAGE));
            page.data("result", Console.data(found)).data("paging", Paging.of(found, "/t/" + seg(tenant) + "/invoices" + query("status", status,
                    "customer", customer, "number", number, "periodStart", periodStart, "sort", sort)));
        } catch (Backend.Failure f) {
            page.data("error", Console.error(f));
        }
        return Pages.page(page, who, tenant);
    }

    @GET
    @Path("/invoices/{id}")
    public Response show(@PathParam("tenant") String tenant, @PathParam("id") String id, @QueryParam("notice") String notice) {
        return invoicePage(tenant, id, notice, null, null, 200);
    }

    private Response invoicePage(String tenant, String id, String notice, String form, Backend.Failure formError, int status) {
        Sessions.Session who = Console.user(request);
        Map<String, Object> errors = new LinkedHashMap<>();
        String base = "/v1/invoices/" + seg(id);
        TemplateInstance page = invoice.data("invoiceId", id).data("notice", notice).data("form", form)
                .data("formError", formError == null ? null : Console.error(formError));
        JsonNode inv = section(errors, "invoice", () -> backend.get(who, "invoicing", tenant, base));
        if (inv == null) {
            return Pages.html(Console.status(errors, "invoice"), page.data("errors", errors).data("user", who).data("tenant", tenant));
        }
        page.data("invoice", Console.data(inv));
        page.data("explain", data(section(errors, "explain", () -> backend.get(who, "invoicing", tenant, base + "/explain"))));
        page.data("creditNotes", data(section(errors, "creditNotes", () -> backend.get(who, "invoicing", tenant, base + "/credit-notes"))));
        return Pages.html(status, page.data("errors", errors).data("user", who).data("tenant", tenant));
    }

    /** One line explained: its price steps, the meter's usage per day over the period, and the events behind it (paged). */
    @GET
    @Path("/invoices/{id}/lines/{meter}")
    public Response line(@PathParam("tenant") String tenant, @PathParam("id") String id, @PathParam("meter") String meter,
            @QueryParam("after") String after) {
        Sessions.Session who = Console.user(request);
        Map<String, Object> errors = new LinkedHashMap<>();
        TemplateInstance page = line.data("invoiceId", id).data("meter", meter);
        JsonNode explain = section(errors, "explain", () -> backend.get(who, "invoicing", tenant, "/v1/invoices/" + seg(id) + "/explain"));
        JsonNode l = null;
        if (explain != null) {
            for (JsonNode candidate : explain.path("lines")) {
                if (meter.equals(candidate.path("meter").asText())) {
                    l = candidate;
                }
            }
            page.data("explain", Console.data(explain));
        }
        if (l == null) {
            if (explain != null) {
                errors.put("line", Map.of("status", 404, "detail", "invoice " + explain.path("number").asText(id) + " has no line for meter '"
                        + meter + "'"));
            }
            return Pages.html(404, page.data("errors", errors).data("user", who).data("tenant", tenant));
        }
        page.data("line", Console.data(l));
        String usagePath = l.path("usagePerDay").path("path").asText("");
        if (usagePath.startsWith("/v1/customers/")) {
            JsonNode usage = section(errors, "usage", () -> backend.get(who, "rating", tenant, usagePath));
            page.data("charts", CustomerPages.charts(usage));
            if (usage != null && usage.path("meters").size() > 0) {
                page.data("days", Console.data(usage.path("meters").get(0).path("days")));
            }
        }
        page.data("events", data(section(errors, "events", () -> backend.get(who, "invoicing", tenant, "/v1/invoices/" + seg(id) + "/events"
                + query("meter", meter, "after", after, "limit", 50)))));
        return Pages.page(page.data("errors", errors), who, tenant);
    }

    /** One event as ingest stored it, with every correction (retraction, amendment) and who made it. */
    @GET
    @Path("/events/{eventId}")
    public Response event(@PathParam("tenant") String tenant, @PathParam("eventId") String eventId) {
        Sessions.Session who = Console.user(request);
        Map<String, Object> errors = new LinkedHashMap<>();
        JsonNode e = section(errors, "event", () -> backend.get(who, "ingest", tenant, "/v1/events/" + seg(eventId)));
        TemplateInstance page = event.data("eventId", eventId).data("event", data(e)).data("errors", errors);
        if (e == null) {
            return Pages.html(Console.status(errors, "event"), page.data("user", who).data("tenant", tenant));
        }
        page.data("original", pretty(e.path("original"))).data("current", pretty(e.path("current")));
        return Pages.page(page, who, tenant);
    }

    /** The invoice as the customer gets it: invoicing's HTML in a sandbox (its inline style allowed, nothing else), or its PDF. */
    @GET
    @Path("/invoices/{id}/document.{kind:html|pdf}")
    public Response document(@PathParam("tenant") String tenant, @PathParam("id") String id, @PathParam("kind") String kind) {
        HttpResponse<byte[]> r = backend.raw(Console.user(request), "invoicing", tenant, "/v1/invoices/" + seg(id) + "/document." + kind);
        return Response.ok(r.body()).type(kind.equals("pdf") ? "application/pdf" : "text/html; charset=UTF-8")
                .header("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:")
                .header("Cache-Control", "no-store").header("X-Content-Type-Options", "nosniff").header("Referrer-Policy", "no-referrer").build();
    }

    /** A credit note on one line (or the whole invoice when no line is chosen); above the tenant's threshold it waits for finance. */
    @POST
    @Path("/invoices/{id}/credit-notes")
    public Response creditNote(@PathParam("tenant") String tenant, @PathParam("id") String id, @RestForm String csrf, @RestForm String line,
            @RestForm String amount, @RestForm String reason, @RestForm String settleTo) {
        Sessions.Session who = Console.user(request);
        Console.requireCsrf(who, csrf);
        Map<String, Object> body = new LinkedHashMap<>();
        if (line != null && !line.isBlank()) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("line", line);
            try {
                BigDecimal exact = Console.decimal(amount); // empty: all that is left of the line
                if (exact != null) {
                    l.put("amount", exact);
                }
            } catch (NumberFormatException e) {
                return invoicePage(tenant, id, null, "credit", Backend.Failure.invalid("amount is not a decimal number", "lines[0].amount"), 400);
            }
            body.put("lines", List.of(l));
        }
        body.put("reason", reason);
        body.put("settleTo", settleTo == null || settleTo.isBlank() ? null : settleTo);
        try {
            return toInvoice(tenant, id, "Credit note", backend.post(who, "invoicing", tenant, "/v1/invoices/" + seg(id) + "/credit-notes", body));
        } catch (Backend.Failure f) {
            return invoicePage(tenant, id, null, "credit", f, f.status);
        }
    }

    /** An SLA credit: a percentage of every line for an incident (a rule: above the threshold it waits for finance). */
    @POST
    @Path("/invoices/{id}/sla-credits")
    public Response slaCredit(@PathParam("tenant") String tenant, @PathParam("id") String id, @RestForm String csrf, @RestForm String percent,
            @RestForm String incident) {
        Sessions.Session who = Console.user(request);
        Console.requireCsrf(who, csrf);
        Map<String, Object> body = new LinkedHashMap<>();
        try {
            body.put("percent", Console.decimal(percent));
        } catch (NumberFormatException e) {
            return invoicePage(tenant, id, null, "sla", Backend.Failure.invalid("percent is not a decimal number", "percent"), 400);
        }
        body.put("incident", incident);
        try {
            return toInvoice(tenant, id, "SLA credit", backend.post(who, "invoicing", tenant, "/v1/invoices/" + seg(id) + "/credit-notes/sla", body));
        } catch (Backend.Failure f) {
            return invoicePage(tenant, id, null, "sla", f, f.status);
        }
    }

    /** Back to the invoice, saying what became of a new note: issued (its number) or waiting for finance. */
    private static Response toInvoice(String tenant, String id, String what, JsonNode note) {
        String amount = note.path("total").asText() + " " + note.path("currency").asText();
        String notice = "pending_approval".equals(note.path("status").asText())
                ? what + " for " + amount + " is waiting for a finance approval."
                : what + " " + note.path("number").asText() + " issued for " + amount + ".";
        return Console.redirect("/t/" + seg(tenant) + "/invoices/" + seg(id) + query("notice", notice));
    }

    /** A new invoice for a void invoice's period, from the usage as it stands now. */
    @POST
    @Path("/invoices/{id}/reissue")
    public Response reissue(@PathParam("tenant") String tenant, @PathParam("id") String id, @RestForm String csrf) {
        Sessions.Session who = Console.user(request);
        Console.requireCsrf(who, csrf);
        try {
            JsonNode issued = backend.post(who, "invoicing", tenant, "/v1/invoices/" + seg(id) + "/reissue", Map.of());
            return Console.redirect("/t/" + seg(tenant) + "/invoices/" + seg(issued.path("invoiceId").asText()) + query("notice",
                    "Reissued as " + issued.path("number").asText() + "."));
        } catch (Backend.Failure f) {
            return invoicePage(tenant, id, null, "void", f, f.status);
        }
    }

    @POST
    @Path("/invoices/{id}/void")
    public Response voidInvoice(@PathParam("tenant") String tenant, @PathParam("id") String id, @RestForm String csrf, @RestForm String reason) {
        Sessions.Session who = Console.user(request);
        Console.requireCsrf(who, csrf);
        try {
            backend.post(who, "invoicing", tenant, "/v1/invoices/" + seg(id) + "/void", Map.of("reason", reason == null ? "" : reason));
            return Console.redirect("/t/" + seg(tenant) + "/invoices/" + seg(id) + query("notice", "The invoice is void."));
        } catch (Backend.Failure f) {
            return invoicePage(tenant, id, null, "void", f, f.status);
        }
    }

    @POST
    @Path("/invoices/{id}/payments")
    public Response pay(@PathParam("tenant") String tenant, @PathParam("id") String id, @RestForm String csrf, @RestForm String reference,
            @RestForm String amount) {
        Sessions.Session who = Console.user(request);
        Console.requireCsrf(who, csrf);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("reference", reference);
        try {
            body.put("amount", Console.decimal(amount));
        } catch (NumberFormatException e) {
            return invoicePage(tenant, id, null, "pay", Backend.Failure.invalid("amount is not a decimal number", "amount"), 400);
        }
        try {
            backend.post(who, "invoicing", tenant, "/v1/invoices/" + seg(id) + "/payments", body);
            return Console.redirect("/t/" + seg(tenant) + "/invoices/" + seg(id) + query("notice", "The invoice is marked paid."));
        } catch (Backend.Failure f) {
            return invoicePage(tenant, id, null, "pay", f, f.status);
        }
    }


    private static String pretty(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? null : n.toPrettyString();
    }
}
