package dev.tally.admin.console;

import static dev.tally.admin.console.Backend.query;
import static dev.tally.admin.console.CustomerPages.data;
import static dev.tally.admin.console.CustomerPages.section;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.qute.RawString;
import io.quarkus.qute.Template;
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
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finance's page of a tenant (docs/finance.md): revenue per month and currency from invoicing's
 * {@code /v1/finance/revenue} — invoiced, tax, prepaid credit, due, paid, credited, outstanding, each figure exactly as
 * the API gives it — a chart of what was invoiced per month for each currency, what each meter billed, and each meter's
 * usage per day over all customers from rating's {@code /v1/usage/daily}, with the customers that used the most.
 */
@Path("/t/{tenant}/finance")
@Produces("text/html; charset=UTF-8")
public class FinancePages {
    @Inject
    Template finance;
    @Inject
    Backend backend;
    @Context
    ContainerRequestContext request;

    @GET
    public Response page(@PathParam("tenant") String tenant, @QueryParam("from") String from, @QueryParam("to") String to) {
        Sessions.Session who = Console.user(request);
        Map<String, Object> errors = new LinkedHashMap<>();
        String q = query("from", from, "to", to);
        JsonNode revenue = section(errors, "revenue", () -> backend.get(who, "invoicing", tenant, "/v1/finance/revenue" + q));
        JsonNode meters = section(errors, "meters", () -> backend.get(who, "invoicing", tenant, "/v1/finance/revenue/meters" + q));
        JsonNode trend = section(errors, "trend", () -> backend.get(who, "rating", tenant, "/v1/usage/daily"));
        return Pages.html(200, finance.data("revenue", data(revenue)).data("meters", data(meters)).data("charts", charts(revenue))
                .data("trend", data(trend)).data("trends", trends(trend)).data("errors", errors).data("from", from).data("to", to)
                .data("user", who).data("tenant", tenant));
    }

    /**
     * One chart per meter of rating's usage trend: its usage on each of the last 30 days over all customers — the
     * quantity for a meter that adds up over customers (COUNT, SUM), else the events — and the customers with the most.
     */
    static List<Map<String, Object>> trends(JsonNode trend) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (trend == null) {
            return out;
        }
        for (JsonNode m : trend.path("meters")) {
            boolean additive = m.path("additive").asBoolean();
            String unit = additive ? "" : " events";
            List<UsageChart.Bar> bars = new ArrayList<>();
            for (JsonNode d : m.path("days")) {
                BigDecimal v = additive ? new BigDecimal(d.path("quantity").asText("0")) : BigDecimal.valueOf(d.path("eventCount").asLong());
                bars.add(new UsageChart.Bar(d.path("day").asText(), v, d.path("day").asText() + ": " + v.toPlainString() + unit + " ("
                        + d.path("eventCount").asLong() + " events, " + d.path("customers").asLong() + " customers)"));
            }
            Map<String, Object> chart = new LinkedHashMap<>();
            chart.put("meter", m.path("meter").asText());
            chart.put("aggregation", m.path("aggregation").asText());
            chart.put("additive", additive);
            chart.put("quantity", additive ? m.path("quantity").asText() : "");
            chart.put("eventCount", m.path("eventCount").asLong());
            chart.put("top", Console.data(m.path("topCustomers")));
            chart.put("svg", new RawString(UsageChart.bars(m.path("meter").asText() + " per day" + (additive ? "" : " (events)"), bars)));
            out.add(chart);
        }
        return out;
    }

    /** One chart per currency: what was invoiced in each month of the range (a month with none is a bar of 0). */
    static List<Map<String, Object>> charts(JsonNode revenue) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (revenue == null) {
            return out;
        }
        Map<String, Map<String, JsonNode>> byCurrency = new TreeMap<>();
        for (JsonNode r : revenue.path("rows")) {
            byCurrency.computeIfAbsent(r.path("currency").asText(), c -> new TreeMap<>()).put(r.path("month").asText(), r);
        }
        List<String> months = new ArrayList<>();
        for (YearMonth m = YearMonth.parse(revenue.path("from").asText()); !m.isAfter(YearMonth.parse(
                revenue.path("to").asText())); m = m.plusMonths(1)) {
            months.add(m.toString());
        }
        byCurrency.forEach((currency, rows) -> {
            List<UsageChart.Bar> bars = new ArrayList<>();
            for (String m : months) {
                JsonNode r = rows.get(m);
                BigDecimal invoiced = r == null ? BigDecimal.ZERO : new BigDecimal(r.path("invoiced").asText("0"));
                bars.add(new UsageChart.Bar(m, invoiced, m + ": " + invoiced.toPlainString() + " " + currency + " invoiced ("
                        + (r == null ? 0 : r.path("invoices").asLong()) + " invoices)"));
            }
            Map<String, Object> chart = new LinkedHashMap<>();
            chart.put("currency", currency);
            chart.put("svg", new RawString(UsageChart.bars("Invoiced per month, " + currency, bars)));
            out.add(chart);
        });
        return out;
    }
}
