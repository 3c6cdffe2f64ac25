package dev.tally.admin.console;

import static dev.tally.admin.console.Backend.query;
import static dev.tally.admin.console.Backend.seg;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.qute.RawString;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Finding a customer (external id, name, alias, IP address) and the customer's page. */
@Path("/t/{tenant}/customers")
@Produces("text/html; charset=UTF-8")
public class CustomerPages {
    static final int PAGE = 25;

    @Inject
    Template customers;
    @Inject
    Template customer;
    @Inject
    Backend backend;
    @Context
    ContainerRequestContext request;

    @GET
    public Response search(@PathParam("tenant") String tenant, @QueryParam("q") String q, @QueryParam("ip") String ip,
            @QueryParam("sort") String sort, @QueryParam("offset") Integer offset) {
        Sessions.Session who = Console.user(request);
        TemplateInstance page = customers.data("q", q).data("ip", ip).data("sort", sort == null ? "externalId" : sort);
        try {
            JsonNode found = backend.get(who, "invoicing", tenant, "/v1/search/customers" + query("q", q, "ip", ip, "sort", sort,
                    "offset", offset, "limit", PAGE));
            page.data("result", Console.data(found)).data("paging", Paging.of(found, "/t/" + seg(tenant) + "/customers" + query("q", q, "ip", ip,
                    "sort", sort)));
        } catch (Backend.Failure f) {
            page.data("error", Console.error(f));
        }
        return Pages.page(page, who, tenant);
    }

    @GET
    @Path("/{externalId}")
    public Response show(@PathParam("tenant") String tenant, @PathParam("externalId") String externalId) {
        Sessions.Session who = Console.user(request);
        String c = "/v1/customers/" + seg(externalId);
        TemplateInstance page = customer.data("externalId", externalId);
        Map<String, Object> errors = new LinkedHashMap<>();
        JsonNode cust = section(errors, "customer", () -> backend.get(who, "invoicing", tenant, c));
        if (cust == null) {
            return Pages.html(Console.status(errors, "customer"), page.data("errors", errors).data("user", who)
                    .data("tenant", tenant));
        }
        page.data("customer", Console.data(cust));
        page.data("subscriptions", data(section(errors, "subscriptions", () -> backend.get(who, "invoicing", tenant,
                "/v1/subscriptions" + query("customer", externalId)))));
        page.data("credits", data(section(errors, "credits", () -> backend.get(who, "invoicing", tenant, c + "/credits"))));
        page.data("limits", data(section(errors, "limits", () -> backend.get(who, "invoicing", tenant, c + "/limits"))));
        page.data("budget", optional(errors, "budget", () -> backend.get(who, "invoicing", tenant, c + "/budget")));
        page.data("overrides", data(section(errors, "overrides", () -> backend.get(who, "invoicing", tenant, c + "/price-overrides"))));
        page.data("coupons", data(section(errors, "coupons", () -> backend.get(who, "invoicing", tenant, c + "/coupons"))));
        page.data("threshold", optional(errors, "threshold", () -> backend.get(who, "invoicing", tenant, c + "/billing-threshold")));
        page.data("draft", data(section(errors, "draft", () -> backend.get(who, "invoicing", tenant, c + "/invoices/draft"))));
        page.data("invoices", data(section(errors, "invoices", () -> backend.get(who, "invoicing", tenant, "/v1/invoices"
                + query("customer", externalId, "limit", 12)))));
        JsonNode usage = section(errors, "usage", () -> backend.get(who, "rating", tenant, c + "/usage"));
        page.data("usage", data(usage)).data("charts", charts(usage));
        return Pages.page(page.data("errors", errors), who, tenant);
    }

    /** Each section of a page stands alone: one service failing shows its error there, and the rest of the page still. */
    static JsonNode section(Map<String, Object> errors, String name, Supplier<JsonNode> call) {
        try {
            return call.get();
        } catch (Backend.Failure f) {
            errors.put(name, Console.error(f));
            return null;
        }
    }

    /** A section that may be absent: 404 says the customer has none (the page says so), any other failure is shown there. */
    static Object optional(Map<String, Object> errors, String name, Supplier<JsonNode> call) {
        try {
            return Console.data(call.get());
        } catch (Backend.Failure f) {
            if (f.status != 404) {
                errors.put(name, Console.error(f));
            }
            return null;
        }
    }

    static Object data(JsonNode n) {
        return n == null ? null : Console.data(n);
    }

    /** One SVG per meter of rating's usage answer. */
    static List<Map<String, Object>> charts(JsonNode usage) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (usage == null) {
            return out;
        }
        for (JsonNode m : usage.path("meters")) {
            List<UsageChart.Day> days = new ArrayList<>();
            for (JsonNode d : m.path("days")) {
                days.add(new UsageChart.Day(d.path("day").asText(), new BigDecimal(d.path("quantity").asText("0")), d.path("eventCount").asLong()));
            }
            Map<String, Object> chart = new LinkedHashMap<>();
            chart.put("meter", m.path("meter").asText());
            chart.put("quantity", m.path("quantity").asText());
            chart.put("eventCount", m.path("eventCount").asText());
            chart.put("svg", new RawString(UsageChart.svg(m.path("meter").asText(), days)));
            out.add(chart);
        }
        return out;
    }
}
