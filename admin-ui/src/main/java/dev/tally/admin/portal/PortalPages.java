package dev.tally.admin.portal;

import static dev.tally.admin.console.Backend.query;
import static dev.tally.admin.console.Backend.seg;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.admin.console.Backend;
import dev.tally.admin.console.Sessions;
import dev.tally.admin.console.UsageChart;
import io.quarkus.qute.RawString;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The customer portal's pages, opened from a session URL ({@code /portal/<token>}): the current period (usage per meter
 * with a daily chart, the cost so far — invoicing's draft, the same function as the invoice — and prepaid credit), the
 * invoices, and per invoice each line in plain words with its events as CSV. Every call to a service carries the
 * session's token and nothing else, so each service decides what the session may read; the page adds no figure of
 * its own. Not framed by other origins ({@code frame-ancestors 'none'} until tenants can name theirs), no script, no
 * request to any other origin, and the token never goes out in a Referer.
 */
@Path("/portal/{token}")
@Produces("text/html; charset=UTF-8")
public class PortalPages {
    static final String CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors ";
    /** An origin as invoicing accepts it for the allow-list; checked again here before it goes into a header. */
    private static final Pattern ORIGIN = Pattern.compile("https://[a-z0-9.-]+(:[0-9]{1,5})?|http://(localhost|127\\.0\\.0\\.1)(:[0-9]{1,5})?");
    private static final Pattern COLOUR = Pattern.compile("#[0-9a-fA-F]{6}");
    /** The tenant's logo (a PNG invoicing checked), shown inline: the CSP allows images from data: and this origin only. */
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]{16,}={0,2}");
    /** How many of a line's events its page shows (the CSV has them all). */
    static final int SAMPLE = 20;
    private static final Pattern TOKEN = Pattern.compile("tps_[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");

    @Inject
    Template portal;
    @Inject
    Template portalInvoice;
    @Inject
    Template portalExpired;
    @Inject
    Template portalLine;
    @Inject
    Backend backend;
    @Inject
    Sessions sessions;

    @GET
    public Response overview(@PathParam("token") String token) {
        Sessions.Session who = session(token);
        JsonNode ctx;
        try {
            ctx = backend.get(who, "invoicing", null, "/v1/portal/context");
        } catch (Backend.Failure f) {
            return expired(f);
        }
        PortalFormat fmt = new PortalFormat(ctx.path("locale").asText("en"));
        String ext = ctx.path("externalId").asText();
        TemplateInstance page = common(portal, ctx, fmt, token);
        Map<String, String> errors = new LinkedHashMap<>();
        if (scopes(ctx).contains("usage")) {
            JsonNode draft = call(errors, "draft", () -> backend.get(who, "invoicing", null, "/v1/customers/" + seg(ext) + "/invoices/draft"));
            page.data("draft", draft == null ? null : PortalView.draft(draft, fmt));
            JsonNode projection = call(errors, "projection", () -> backend.get(who, "invoicing", null, "/v1/customers/" + seg(ext)
                    + "/invoices/projection"));
            page.data("projection", projection == null ? null : PortalView.projection(projection, fmt));
            JsonNode usage = call(errors, "usage", () -> backend.get(who, "rating", null, "/v1/customers/" + seg(ext) + "/usage"));
            page.data("meters", usage == null ? List.of() : meters(usage, fmt));
            JsonNode credit = call(errors, "credit", () -> backend.get(who, "invoicing", null, "/v1/customers/" + seg(ext) + "/credits"));
            page.data("credit", credit == null ? null : Map.of("balance", fmt.money(credit.path("balance").asText("0"), credit.path("currency")
                    .asText()), "hasGrants", !credit.path("grants").isEmpty()));
            page.data("limits", limits(who, ext, errors, fmt));
            page.data("budget", budget(who, ext, draft, projection, fmt));
        }
        if (scopes(ctx).contains("invoices")) {
            JsonNode list = call(errors, "invoices", () -> backend.get(who, "invoicing", null, "/v1/invoices" + query("customer", ext, "limit", 24)));
            page.data("invoices", list == null ? List.of() : PortalView.invoices(list, fmt));
        }
        return html(200, page.data("errors", errors), ancestors(ctx));
    }

    @GET
    @Path("/invoices/{id}")
    public Response invoice(@PathParam("token") String token, @PathParam("id") String id) {
        Sessions.Session who = session(token);
        Explained shown;
        try {
            shown = explained(who, id);
        } catch (Backend.Failure f) {
            return expired(f);
        }
        JsonNode ctx = shown.ctx();
        JsonNode explain = shown.explain();
        PortalFormat fmt = shown.fmt();
        Map<String, String> errors = new LinkedHashMap<>();
        JsonNode notes = call(errors, "creditNotes", () -> backend.get(who, "invoicing", null, "/v1/invoices/" + seg(id) + "/credit-notes"));
        JsonNode settled = call(errors, "balance", () -> backend.get(who, "invoicing", null, "/v1/invoices/" + seg(id)));
        JsonNode refunds = call(errors, "refunds", () -> backend.get(who, "invoicing", null, "/v1/refunds" + query("invoice", id)));
        return html(200, common(portalInvoice, ctx, fmt, token).data("invoice", PortalView.explanation(explain, fmt))
                .data("balance", settled == null ? null : PortalView.balance(settled, fmt))
                .data("download", scopes(ctx).contains("download"))
                .data("creditNotes", notes == null ? List.of() : PortalView.creditNotes(notes, refunds, fmt)).data("errors", errors), ancestors(ctx));
    }

    /** One invoice line: its explanation, its usage per day over the invoice's period, and the first events behind it. */
    @GET
    @Path("/invoices/{id}/lines/{meter}")
    public Response line(@PathParam("token") String token, @PathParam("id") String id, @PathParam("meter") String meter) {
        Sessions.Session who = session(token);
        Explained shown;
        try {
            shown = explained(who, id);
        } catch (Backend.Failure f) {
            return expired(f);
        }
        JsonNode ctx = shown.ctx();
        JsonNode explain = shown.explain();
        PortalFormat fmt = shown.fmt();
        Map<String, Object> invoice = PortalView.explanation(explain, fmt);
        @SuppressWarnings("unchecked")
        Map<String, Object> line = ((List<Map<String, Object>>) invoice.get("lines")).stream().filter(l -> meter.equals(l.get("meter"))).findFirst()
                .orElse(null);
        if (line == null) {
            return html(404, portalExpired.data("status", 404), List.of());
        }
        Map<String, String> errors = new LinkedHashMap<>();
        TemplateInstance page = common(portalLine, ctx, fmt, token).data("invoice", invoice).data("line", line)
                .data("download", scopes(ctx).contains("download"));
        if (scopes(ctx).contains("usage")) {
            String from = day(explain.path("periodStart").asText(""));
            String to = day(explain.path("periodEnd").asText(""));
            JsonNode usage = call(errors, "usage", () -> backend.get(who, "rating", null, "/v1/customers/" + seg(explain.path("externalId").asText())
                    + "/usage" + query("from", from, "to", to, "meter", meter)));
            page.data("meters", usage == null ? List.of() : meters(usage, fmt));
        }
        if (scopes(ctx).contains("download")) {
            JsonNode events = call(errors, "events", () -> backend.get(who, "invoicing", null, "/v1/invoices/" + seg(id) + "/events"
                    + query("meter", meter, "limit", SAMPLE)));
            List<Map<String, String>> sample = new ArrayList<>();
            if (events != null) {
                events.path("page").forEach(e -> sample.add(Map.of("id", e.path("eventId").asText(), "at", e.path("timestamp").asText(), "quantity",
                        fmt.number(e.path("value").asText("0")))));
            }
            page.data("sample", sample).data("eventCount", events == null ? "" : fmt.number(events.path("events").asText("0")));
        }
        return html(200, page.data("errors", errors), ancestors(ctx));
    }

    /** Every event behind one line, as CSV (event id, time, quantity), read page by page from invoicing's recount. */
    @GET
    @Path("/invoices/{id}/events.csv")
    @Produces("text/csv; charset=UTF-8")
    public Response events(@PathParam("token") String token, @PathParam("id") String id, @QueryParam("meter") String meter) {
        Sessions.Session who = session(token);
        String path = "/v1/invoices/" + seg(id) + "/events";
        JsonNode first;
        try {
            first = backend.get(who, "invoicing", null, path + query("meter", meter, "limit", 5000));
        } catch (Backend.Failure f) {
            return expired(f);
        }
        StreamingOutput body = out -> {
            write(out, "event_id,timestamp,quantity\n");
            JsonNode page = first;
            while (true) {
                for (JsonNode e : page.path("page")) {
                    write(out, csv(e.path("eventId").asText()) + "," + e.path("timestamp").asText() + "," + e.path("value").asText() + "\n");
                }
                String next = page.path("next").asText(null);
                if (next == null || next.isEmpty()) {
                    return;
                }
                page = backend.get(who, "invoicing", null, path + query("meter", meter, "limit", 5000, "after", next));
            }
        };
        return headers(Response.ok(body, "text/csv; charset=UTF-8"))
                .header("Content-Disposition", "attachment; filename=\"" + first.path("meter").asText("line").replaceAll("[^A-Za-z0-9_.-]", "_")
                        + "-events.csv\"").build();
    }

    @GET
    @Path("/invoices/{id}/document.pdf")
    @Produces("application/pdf")
    public Response pdf(@PathParam("token") String token, @PathParam("id") String id) {
        Sessions.Session who = session(token);
        HttpResponse<byte[]> r = backend.raw(who, "invoicing", null, "/v1/invoices/" + seg(id) + "/document.pdf");
        if (r.statusCode() != 200) {
            return html(r.statusCode() == 401 ? 401 : 404, portalExpired.data("status", r.statusCode()), List.of());
        }
        return headers(Response.ok(r.body(), "application/pdf")).header("Content-Disposition", "inline; filename=\"invoice.pdf\"").build();
    }

    /** The session's context and the invoice's explanation: what every invoice page starts from. */
    private record Explained(JsonNode ctx, JsonNode explain) {
        /** The session's locale, as every page writes its figures. */
        PortalFormat fmt() {
            return new PortalFormat(ctx.path("locale").asText("en"));
        }
    }

    private Explained explained(Sessions.Session who, String invoiceId) {
        return new Explained(backend.get(who, "invoicing", null, "/v1/portal/context"),
                backend.get(who, "invoicing", null, "/v1/invoices/" + seg(invoiceId) + "/explain"));
    }

    /** What every portal page shows: whose page it is, its links' base, its language and the tenant's colour. */
    private static TemplateInstance common(Template template, JsonNode ctx, PortalFormat fmt, String token) {
        return template.data("ctx", ctx(ctx, fmt)).data("base", "/portal/" + token).data("lang", fmt.lang()).data("theme", theme(ctx));
    }

    /** The date of an instant as rating's usage API takes it ({@code 2026-11-01T00:00:00Z} → {@code 2026-11-01}). */
    private static String day(String instant) {
        return instant.length() < 10 ? instant : instant.substring(0, 10);
    }

    private Sessions.Session session(String token) {
        // anything but a well-formed session token is refused before any service is asked
        return sessions.transientSession(TOKEN.matcher(token).matches() ? token : "tps_invalid.x", "portal", "portal", true);
    }

    private Response expired(Backend.Failure f) {
        int status = f.status == 401 ? 401 : f.status == 403 || f.status == 404 ? 404 : f.status;
        return html(status, portalExpired.data("status", status), List.of());
    }

    private static Response html(int status, TemplateInstance page, List<String> frameAncestors) {
        return headers(Response.status(status).type("text/html; charset=UTF-8").entity(page.render()), frameAncestors).build();
    }

    static Response.ResponseBuilder headers(Response.ResponseBuilder r) {
        return headers(r, List.of());
    }

    /** Every portal answer: not cached, no referrer, and framed only by the tenant's own origins ('none' without any). */
    static Response.ResponseBuilder headers(Response.ResponseBuilder r, List<String> frameAncestors) {
        String ancestors = frameAncestors.isEmpty() ? "'none'" : String.join(" ", frameAncestors);
        return r.header("Cache-Control", "no-store").header("Content-Security-Policy", CSP + ancestors).header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer");
    }

    /** The tenant's allow-list of origins that may frame the portal, each checked again here. */
    private static List<String> ancestors(JsonNode ctx) {
        List<String> out = new ArrayList<>();
        ctx.path("frameAncestors").forEach(o -> {
            if (ORIGIN.matcher(o.asText()).matches()) {
                out.add(o.asText());
            }
        });
        return out;
    }

    /** The tenant's accent colour as a stylesheet of this origin (the CSP allows no inline style), or null. */
    private static String theme(JsonNode ctx) {
        String c = ctx.path("accentColor").asText("");
        return COLOUR.matcher(c).matches() ? "/portal-theme/" + c.substring(1).toLowerCase(Locale.ROOT) + ".css" : null;
    }

    /** Each of the customer's limits as rating's entitlement check sees it now: used, the limit, hard or soft, blocked. */
    private List<Map<String, Object>> limits(Sessions.Session who, String ext, Map<String, String> errors, PortalFormat fmt) {
        JsonNode limits = call(errors, "limits", () -> backend.get(who, "invoicing", null, "/v1/customers/" + seg(ext) + "/limits"));
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode l : limits == null ? List.<JsonNode>of() : limits) {
            String meter = l.path("meter").asText();
            JsonNode e = call(errors, "limits", () -> backend.get(who, "rating", null, "/v1/customers/" + seg(ext) + "/entitlements/" + seg(meter)));
            if (e == null) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("meter", meter);
            m.put("used", fmt.number(e.path("used").asText("0")));
            m.put("limit", fmt.number(e.path("limit").asText("0")));
            m.put("remaining", fmt.number(e.path("remaining").asText("0")));
            m.put("usedExact", e.path("used").asText("0"));
            m.put("limitExact", e.path("limit").asText("0"));
            m.put("hard", e.path("hard").asBoolean(true));
            m.put("blocked", e.path("blocked").asBoolean(false));
            out.add(m);
        }
        return out;
    }

    /** The spend budget against the cost so far (the draft's total) and whether the projection passes it; null without a budget. */
    private Map<String, Object> budget(Sessions.Session who, String ext, JsonNode draft, JsonNode projection, PortalFormat fmt) {
        JsonNode b;
        try {
            b = backend.get(who, "invoicing", null, "/v1/customers/" + seg(ext) + "/budget");
        } catch (Backend.Failure f) {
            return null; // none (404), or not readable now: the page goes on without it
        }
        String cur = b.path("currency").asText();
        String spent = draft == null ? "0" : draft.path("total").asText("0");
        String projected = projection == null ? "" : projection.path("projected").path("total").asText("");
        boolean over = !projected.isEmpty() && new BigDecimal(projected).compareTo(new BigDecimal(b.path("amount").asText("0"))) > 0;
        return Map.of("amount", fmt.money(b.path("amount").asText(null), cur), "spent", fmt.money(spent, cur), "amountExact",
                b.path("amount").asText("0"), "spentExact", spent, "projectedOver", over);
    }

    private static Map<String, Object> ctx(JsonNode ctx, PortalFormat fmt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tenantName", ctx.path("tenantName").asText());
        String logo = ctx.path("logoPng").asText("");
        m.put("logo", BASE64.matcher(logo).matches() ? "data:image/png;base64," + logo : null);
        m.put("customerName", ctx.path("customerName").asText(ctx.path("externalId").asText()));
        m.put("expiresAt", ctx.path("expiresAt").asText());
        m.put("showUsage", scopes(ctx).contains("usage"));
        m.put("showInvoices", scopes(ctx).contains("invoices"));
        return m;
    }

    private static List<String> scopes(JsonNode ctx) {
        List<String> out = new ArrayList<>();
        ctx.path("scopes").forEach(s -> out.add(s.asText()));
        return out;
    }

    private static List<Map<String, Object>> meters(JsonNode usage, PortalFormat fmt) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode m : usage.path("meters")) {
            List<UsageChart.Day> days = new ArrayList<>();
            for (JsonNode d : m.path("days")) {
                days.add(new UsageChart.Day(d.path("day").asText(), new BigDecimal(d.path("quantity").asText("0")), d.path("eventCount").asLong()));
            }
            Map<String, Object> meter = new LinkedHashMap<>();
            meter.put("meter", m.path("meter").asText());
            meter.put("quantity", fmt.number(m.path("quantity").asText("0")));
            meter.put("events", fmt.number(m.path("eventCount").asText("0")));
            meter.put("svg", new RawString(UsageChart.svg(m.path("meter").asText(), days)));
            out.add(meter);
        }
        return out;
    }

    private static JsonNode call(Map<String, String> errors, String name, Supplier<JsonNode> call) {
        try {
            return call.get();
        } catch (Backend.Failure f) {
            errors.put(name, f.detail());
            return null;
        }
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
    }
}
